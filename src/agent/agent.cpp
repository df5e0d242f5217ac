// The agent's loop over its task list: each test in its own runner process (docs/runners.md), each result kept in
// the spool and handed to the publisher the moment it ends (docs/protocol.md 5 and 6).
#include "dli/agent/agent.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/agent/gemm_peak_cache.hpp"
#include "dli/agent/host_description.hpp"
#include "dli/agent/publisher.hpp"
#include "dli/agent/runner_registry.hpp"
#include "dli/agent/spool.hpp"
#include "dli/agent/work_dir_room.hpp"
#include "dli/protocol/agent_command.hpp"
#include "dli/protocol/names.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/work_dir.hpp"
#include "dli/store/locked_store.hpp"
#include "dli/util/clock.hpp"
#include "dli/util/version.hpp"
#include "launch_check.hpp"
#include "patience.hpp"
#include "test_runner.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double value) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(value));
}

// ETA from the mean duration of the tests run so far (skipped ones took no time and say nothing).
class EtaEstimate {
 public:
  void add(double seconds) {
    total_ += seconds;
    ++count_;
  }
  // `after_current`: tests still to come after the one running for `current_elapsed` seconds (< 0: none running).
  double eta(int after_current, double current_elapsed) const {
    if (count_ == 0) return -1;
    const double mean = total_ / count_;
    const double current = current_elapsed < 0 ? 0 : std::max(0.0, mean - current_elapsed);
    return mean * after_current + current;
  }

 private:
  double total_ = 0;
  int count_ = 0;
};

// Run ids and host names become folder names here and keys in the store: the one rule for names (a run id is a
// sweep name with a time stamp before it, within the same bounds).
void check_name(const char* what, const std::string& name, const std::optional<std::string>& problem) {
  if (problem) throw std::runtime_error(fmt::format("invalid {} '{}': {} ({})", what, name, *problem, name_rule()));
}

// An agent started before its run was published reads nothing of the run before the run is its own.
void await_launch_now(Store& store, const AgentOptions& options) {
  if (options.launch.empty()) return;
  const Status confirmed = LaunchWait(options.run_id, options.launch, options.store_patience_seconds).wait(store);
  if (!confirmed) throw std::runtime_error(confirmed.error().message);
}

TaskList read_tasks(Store& store, const AgentOptions& options) {
  await_launch_now(store, options);
  const std::string key = layout::tasks(options.run_id, options.host);
  auto text = patiently<std::string>(store, options.store_patience_seconds, "read the task list", [&] { return store.get(key); });
  if (!text) throw std::runtime_error(text.error().message);
  TaskList tasks;
  try {
    tasks = task_list_from_json(nlohmann::json::parse(text.value()));
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("{}: {}", key, error.what()));
  }
  if (tasks.run_id != options.run_id || tasks.host != options.host) {
    throw std::runtime_error(fmt::format("{} is for run {} host {}, not run {} host {}", key, tasks.run_id,
                                         tasks.host, options.run_id, options.host));
  }
  return tasks;
}

// The task list its start gave this agent (AgentOptions::tasks_text, or tasks_file on this host), when it is this
// run's and host's: with it the first test starts at once, while the publisher logs into the store. nullopt: the
// store's copy is read.
std::optional<TaskList> local_tasks(const AgentOptions& options) {
  std::string text = options.tasks_text;
  std::string source = "the task list on standard input";
  if (text.empty()) {
    if (options.tasks_file.empty() || options.tasks_file == agent_cli::kTasksFromStdin) return std::nullopt;
    source = options.tasks_file;
    std::ifstream in(options.tasks_file, std::ios::binary);
    if (!in) {
      spdlog::warn("no task list at {}; reading it from the store", options.tasks_file);
      return std::nullopt;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  try {
    TaskList tasks = task_list_from_json(nlohmann::json::parse(text));
    if (tasks.run_id == options.run_id && tasks.host == options.host) return tasks;
    spdlog::warn("{} is for run {} host {}; reading the task list from the store", source, tasks.run_id, tasks.host);
  } catch (const std::exception& error) {
    spdlog::warn("unreadable {}: {}; reading it from the store", source, error.what());
  }
  return std::nullopt;
}

std::optional<TestResult> decode_result(const std::string& where, const std::string& text) {
  try {
    return test_result_from_json(nlohmann::json::parse(text));
  } catch (const std::exception& error) {
    spdlog::warn("unreadable result {}: {}; measuring it again", where, error.what());
    return std::nullopt;
  }
}

// What an earlier agent measured (resume): results in the store (one listing, then a read of each) and in the
// spool. An unreadable one is measured again rather than trusted.
// `first_attempt`: nothing of this run can be in the store for this host (AgentRunArgs::first_attempt): only the
// spool is read, not the store's results folder.
std::map<std::string, TestStatus> already_measured(Store& store, const Spool& spool, const AgentOptions& options,
                                                   bool first_attempt) {
  std::map<std::string, TestStatus> measured;
  for (const auto& id : spool.waiting()) {
    std::ifstream in(spool.result_path(id), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto result = decode_result(spool.result_path(id), text)) measured[id] = result->status;
  }
  if (first_attempt) return measured;
  const std::string folder = layout::results_dir(options.run_id, options.host);
  auto names = patiently<std::vector<std::string>>(store, options.store_patience_seconds, "list the results", [&] { return store.list(folder); });
  if (!names) {
    spdlog::warn("cannot list {}: {}; measuring again what it holds", folder, names.error().message);
    return measured;
  }
  const std::string suffix = ".json";
  for (const auto& name : names.value()) {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string id = name.substr(0, name.size() - suffix.size());
    if (measured.count(id) != 0) continue;
    auto text = store.get(folder + "/" + name);
    if (!text) {
      spdlog::warn("cannot read {}/{}: {}; measuring it again", folder, name, text.error().message);
      continue;
    }
    if (auto result = decode_result(folder + "/" + name, text.value())) measured[id] = result->status;
  }
  return measured;
}


// Every file (sha256) the task list's tests fetch: models, their configs, datasets.
std::set<std::string> files_of(const TaskList& tasks) {
  std::set<std::string> files;
  for (const auto& spec : tasks.tests) {
    for (const std::string* sha256 : {&spec.model.sha256, &spec.model.config_sha256, &spec.dataset.sha256}) {
      if (!sha256->empty()) files.insert(*sha256);
    }
  }
  return files;
}

std::string plural(int count, const char* noun) { return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s"); }

}  // namespace

AgentSummary run_agent(Store& connection, const AgentOptions& input) {
  AgentOptions options = input;
  check_name("run id", options.run_id, run_id_problem(options.run_id));
  check_name("host name", options.host, name_problem(options.host));
  if (!(options.heartbeat_seconds > 0)) options.heartbeat_seconds = kDefaultHeartbeatSeconds;

  // One connection for the test loop and the publisher: one login, one server slot per agent.
  auto shared = LockedStore::share(connection);
  auto store = std::make_unique<LockedStore>(shared);
  const fs::path run_folder = dli::run_folder(options.work_dir, options.run_id);
  Spool spool((run_folder / "spool").string());
  PublisherOptions publishing;
  publishing.run_id = options.run_id;
  publishing.host = options.host;
  publishing.heartbeat_seconds = options.heartbeat_seconds;
  publishing.test_heartbeat_seconds = std::max(options.heartbeat_seconds, options.test_heartbeat_seconds);
  publishing.first_attempt = options.first_attempt && !options.redo;
  publishing.launch = options.launch;
  publishing.await_launch_seconds = options.store_patience_seconds;
  Publisher publisher(std::make_unique<LockedStore>(shared), spool, publishing);

  HostStatus status;
  status.host = options.host;
  status.pid = static_cast<int>(::getpid());
  status.agent_version = kVersion;

  // Before anything waits on the connection's lock: the publisher's first heartbeat logs in meanwhile.
  const std::string store_description = store->describe();
  TaskList tasks;
  try {
    if (auto local = local_tasks(options)) {
      tasks = std::move(*local);
    } else {
      tasks = read_tasks(*store, options);
    }
  } catch (const std::exception& error) {
    status.state = HostState::kFailed;
    status.reason = std::string("cannot read the task list: ") + error.what();
    publisher.start(status);  // also publishes what an earlier agent left in the spool
    publisher.drain(Clock::now() + seconds(std::min(60.0, options.store_patience_seconds)));
    publisher.finish(status, std::chrono::seconds(30));
    throw std::runtime_error(status.reason);
  }

  AgentSummary summary;
  summary.total = static_cast<int>(tasks.tests.size());
  status.state = HostState::kRunning;
  status.total = summary.total;
  publisher.start(status);
  if (const int left = static_cast<int>(spool.waiting().size()); left > 0) {
    // An earlier agent's measurements go first: they are worth more than anything this one has yet to measure.
    spdlog::info("publishing {} an earlier agent left in {}", plural(left, "result"), spool.folder());
    if (!publisher.drain(Clock::now() + seconds(std::min(60.0, options.store_patience_seconds)))) {
      spdlog::warn("{} still wait; they are published in the background", plural(publisher.state().waiting, "result"));
    }
  }
  // What machine these numbers come from, for the report; a failure here costs the report a line, not the run.
  // Only the runners this task list needs: describing one can take seconds (a script runner loads its framework).
  std::vector<std::string> frameworks;
  for (const auto& spec : tasks.tests) {
    if (std::find(frameworks.begin(), frameworks.end(), spec.framework) == frameworks.end()) {
      frameworks.push_back(spec.framework);
    }
  }
  const RunnerRegistry runners = RunnerRegistry::discover(options.runner_search_path, frameworks);
  HostInfo host = describe_this_host(runners);
  // Before the first test, so that no test is timed while the benchmark loads every core (once per boot).
  HostGemmPeak peak = host_gemm_peak(find_executable(options.runner_search_path, kGemmPeakProgram));
  if (!peak.peak) spdlog::warn("no GEMM peak in the host description: {}", peak.why_missing);
  host.gemm_peak = std::move(peak.peak);
  // Published by the publisher, after its first heartbeat: the first test need not wait for the store.
  publisher.publish_document(layout::host_info(options.run_id, options.host), to_json(host).dump(1),
                             "the host description");
  spdlog::info("run {} host {}: {} tests, store {}", options.run_id, options.host, summary.total, store_description);
  const auto measured = options.redo ? std::map<std::string, TestStatus>{} : already_measured(*store, spool, options, options.first_attempt);

  TestRunner runner(*store, options, runners, host, [&] { publisher.store_used(); }, [&](bool measuring) {
    // Before a test, what is being sent is let finish (at most 2 s, never for a failing store), so that the test
    // measures with the agent idle: no upload, and heartbeats only every test_heartbeat_seconds.
    if (measuring) publisher.settle(Clock::now() + std::chrono::seconds(2));
    publisher.set_measuring(measuring);
  }, [&] { return publisher.await_run(); });
  runner.keep_files(files_of(tasks));
  // True when the work dir cannot take another test (docs/protocol.md 6, "The host's disk"): the tests from
  // `index` on are not started. `after_failure`: also tries to write a file there. Cached models other runs left
  // go first, when that gives the room (docs/protocol.md 7).
  const auto work_dir_unusable = [&](int index, bool after_failure) {
    auto problem = work_dir_problem(run_folder.string(), after_failure);
    if (problem && runner.make_room(kTestRoomBytes) > 0) problem = work_dir_problem(run_folder.string(), after_failure);
    if (!problem) return false;
    summary.not_started = summary.total - index;
    summary.work_dir_problem = *problem;
    return true;
  };
  EtaEstimate eta;
  int done = 0, failed = 0;
  for (int index = 0; index < summary.total; ++index) {
    const TestSpec& spec = tasks.tests[static_cast<std::size_t>(index)];
    const int after = summary.total - index - 1;
    const std::string label = test_label(spec);
    const std::string key = task_key(spec);  // its result's name: the id, and the repeat
    if (const auto refused = publisher.state().refused) {
      summary.not_started = summary.total - index;
      spdlog::error("{} not started: the store refuses results ({})", plural(summary.not_started, "test"),
                    refused->message);
      break;
    }
    if (const auto previous = measured.find(key); previous != measured.end()) {
      spdlog::info("[{}/{}] {} ({}): already {}, skipped", index + 1, summary.total, label, key,
                   to_string(previous->second));
      ++summary.skipped;
      ++done;
      if (is_failure(previous->second)) ++failed;
      publisher.update([&](HostStatus& beat) {
        beat.done = done;
        beat.failed = failed;
      });
      continue;
    }
    if (work_dir_unusable(index, false)) {
      spdlog::error("{} not started: the work dir {} cannot take another test ({})",
                    plural(summary.not_started, "test"), options.work_dir, summary.work_dir_problem);
      break;
    }
    publisher.update([&](HostStatus& beat) {
      beat.current_test = key;
      beat.current_label = label;
      beat.eta_seconds = eta.eta(after, 0);
    });
    spdlog::info("[{}/{}] {} ({}): running", index + 1, summary.total, label, key);

    const TestResult result = runner.run(spec, [&](double elapsed) {
      publisher.update([&](HostStatus& beat) { beat.eta_seconds = eta.eta(after, elapsed); });
    });
    const bool broke = result.status == TestStatus::kFailed || result.status == TestStatus::kCrashed;
    if (broke && work_dir_unusable(index, true)) {
      // The host's disk failed the test (a write refused; a runner's memory-mapped file beyond a full disk is a
      // SIGBUS), not its model or framework: it counts as not started, with no result, so that `resume` measures
      // it once the disk can take it.
      spdlog::error("[{}/{}] {}: {}, and the work dir {} cannot take another test ({}): {}; {} not started",
                    index + 1, summary.total, label, to_string(result.status), options.work_dir,
                    summary.work_dir_problem, result.reason, plural(summary.not_started, "test"));
      break;
    }
    ++summary.ran;
    eta.add(result.elapsed_seconds);
    const bool ok = !is_failure(result.status);
    if (result.status == TestStatus::kOk) {
      spdlog::info("[{}/{}] {}: ok in {:.1f} s", index + 1, summary.total, label, result.elapsed_seconds);
    } else {
      spdlog::log(ok ? spdlog::level::info : spdlog::level::warn, "[{}/{}] {}: {}: {}", index + 1, summary.total,
                  label, to_string(result.status), result.reason);
    }
    try {
      spool.keep(result, runner.log_path(key));
      publisher.kept(key);
    } catch (const std::exception& error) {
      // The host's own disk failed: the store is the only place left, so the result goes there directly.
      spdlog::error("cannot keep the result of {} in the spool: {}; publishing it directly", key, error.what());
      Status sent = publisher.await_run();
      if (sent) sent = store->put(layout::result(options.run_id, options.host, key), to_json(result).dump(1));
      if (!sent) spdlog::error("the result of {} is lost: {}", key, sent.error().message);
    }
    ++done;
    if (!ok) ++failed;
    publisher.update([&](HostStatus& beat) {
      beat.done = done;
      beat.failed = failed;
      beat.current_test.clear();
      beat.current_label.clear();
      beat.eta_seconds = eta.eta(after, -1);
    });
  }
  summary.failed = failed;

  const bool drained = publisher.drain(Clock::now() + seconds(options.publish_deadline_seconds));
  const PublishState publishing_state = publisher.state();
  status.done = done;
  status.failed = failed;
  status.unpublished = publishing_state.waiting;
  status.publish_error = publishing_state.last_error;
  status.eta_seconds = 0;
  summary.unpublished = publishing_state.waiting;
  if (publishing_state.refused) {
    summary.store_failed = true;
    summary.store_error = publishing_state.refused->message;
    status.state = HostState::kStoreFailed;
    status.reason = fmt::format("the store refuses results ({}){}; {} kept in {} on this host", summary.store_error,
                                summary.not_started > 0 ? fmt::format(", {} not started", plural(summary.not_started, "test")) : "",
                                plural(summary.unpublished, "result"), spool.folder());
  } else if (!drained) {
    summary.store_failed = true;
    summary.store_error = publishing_state.last_error;
    status.state = HostState::kStoreFailed;
    status.reason = fmt::format("{} not published within {} s ({}); kept in {} on this host",
                                plural(summary.unpublished, "result"), options.publish_deadline_seconds,
                                summary.store_error, spool.folder());
  } else if (!summary.work_dir_problem.empty()) {
    status.state = HostState::kFailed;
    status.reason = fmt::format("the work dir {} on this host cannot take another test ({}): {} not started",
                                options.work_dir, summary.work_dir_problem, plural(summary.not_started, "test"));
  } else {
    status.state = HostState::kDone;
  }
  summary.run_confirmed = publishing_state.run_confirmed;
  if (!summary.run_confirmed) {
    spdlog::error("nothing was published: {}; {} kept in {} on this host", summary.store_error,
                  plural(summary.unpublished, "result"), spool.folder());
    publisher.finish(status, std::chrono::seconds(0));  // writes nothing: stops the thread
  } else if (!publisher.finish(status, std::chrono::seconds(30))) {
    spdlog::error("the final heartbeat could not be written");
  }
  spdlog::info("run {} host {}: {} ran, {} skipped, {} not ok, {} unpublished", options.run_id, options.host,
               summary.ran, summary.skipped, summary.failed, summary.unpublished);
  return summary;
}

}  // namespace dli
