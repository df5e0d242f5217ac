// The agent's loop over its task list: each test in its own runner process (docs/runners.md), its log and result
// published the moment it ends, a heartbeat in status.json throughout (docs/protocol.md).
#include "dli/agent/agent.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/agent/host_description.hpp"
#include "dli/agent/runner_registry.hpp"
#include "dli/protocol/runner_protocol.hpp"
#include "dli/util/child_process.hpp"
#include "dli/util/local_file.hpp"
#include "dli/util/clock.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/util/version.hpp"
#include "memory_limit.hpp"
#include "model_cache.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

// status.json, rewritten on every change and on every tick while a test runs.
class Heartbeat {
 public:
  Heartbeat(Store& store, std::string key) : store_(store), key_(std::move(key)) {}
  HostStatus& status() { return status_; }
  void publish() {
    status_.updated_at = utc_now_iso8601();
    // A missed heartbeat is not fatal: the next one replaces it, and the results are what matters.
    if (auto written = store_.put(key_, to_json(status_).dump(1)); !written) {
      spdlog::warn("cannot write heartbeat {}: {}", key_, written.error().message);
    }
  }

 private:
  Store& store_;
  std::string key_;
  HostStatus status_;
};

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

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGSYS: return "SIGSYS";
    default: return "";
  }
}

std::string killed_by(int signal_number) {
  const std::string name = signal_name(signal_number);
  return name.empty() ? fmt::format("killed by signal {}", signal_number)
                      : fmt::format("killed by signal {} ({})", signal_number, name);
}

// Run ids and host names become folder names here and keys in the store.
void check_name(const char* what, const std::string& name) {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    throw std::runtime_error(fmt::format("invalid {} '{}': must be a plain name (no '/', not starting with '.')",
                                         what, name));
  }
}

TaskList read_tasks(Store& store, const AgentOptions& options) {
  const std::string key = layout::tasks(options.run_id, options.host);
  auto text = store.get(key);
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

// A result already in the store (resume). Unreadable ones are measured again rather than trusted.
std::optional<TestResult> existing_result(Store& store, const std::string& key) {
  auto present = store.exists(key);
  if (!present) {
    spdlog::warn("cannot check {}: {}; measuring it again", key, present.error().message);
    return std::nullopt;
  }
  if (!present.value()) return std::nullopt;
  auto text = store.get(key);
  if (!text) {
    spdlog::warn("cannot read {}: {}; measuring it again", key, text.error().message);
    return std::nullopt;
  }
  try {
    return test_result_from_json(nlohmann::json::parse(text.value()));
  } catch (const std::exception& error) {
    spdlog::warn("unreadable result {}: {}; measuring it again", key, error.what());
    return std::nullopt;
  }
}

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << line << '\n';
}

std::string last_line(const std::string& path) {
  std::string line = tail_of_file(path, 1, 400);
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

// What the runner's exit and result file mean (docs/runners.md 3.5), once its process has exited normally.
std::pair<TestStatus, std::string> interpret_runner_exit(int exit_code, const std::string& result_path,
                                                         const std::string& log_path, Mode mode,
                                                         TestResult& result) {
  std::ifstream in(result_path);
  if (!in) {
    const std::string why = last_line(log_path);
    return {TestStatus::kFailed,
            fmt::format("exited with code {} and wrote no result{}", exit_code, why.empty() ? "" : ": " + why)};
  }
  RunnerResult written;
  try {
    written = runner_result_from_json(nlohmann::json::parse(in), mode);
  } catch (const std::exception& error) {
    return {TestStatus::kFailed, std::string("malformed result: ") + error.what()};
  }
  if (exit_code != exit_code_of(written.status)) {
    return {TestStatus::kFailed,
            fmt::format("exited with code {} but its result says {}", exit_code, to_string(written.status))};
  }
  result.details = written.details;
  result.framework_version = written.framework_version;
  switch (written.status) {
    case RunnerStatus::kOk:
      result.measurement = written.measurement;
      result.accuracy = written.accuracy;
      return {TestStatus::kOk, ""};
    case RunnerStatus::kUnsupported: return {TestStatus::kUnsupported, written.reason};
    case RunnerStatus::kFailed: break;
  }
  return {TestStatus::kFailed, written.reason};
}

// Runs one test: checks the host can, fetches the files, starts the runner, records what it says.
// Never throws for the test's own failures.
class TestRunner {
 public:
  TestRunner(Store& store, const AgentOptions& options, const RunnerRegistry& runners, Heartbeat& heartbeat)
      : store_(store),
        options_(options),
        runners_(runners),
        heartbeat_(heartbeat),
        cache_(store, (fs::path(options.work_dir) / "models").string()),
        folder_(fs::path(options.work_dir) / "runs" / options.run_id),
        environment_(runner_environment(process_environment())) {}

  // `after` tests remain after this one (for the ETA).
  TestResult run(const TestSpec& spec, int after, const EtaEstimate& eta) {
    TestResult result;
    result.spec = spec;
    result.started_at = utc_now_iso8601();
    const auto started = SteadyClock::now();
    const std::string log_path = (folder_ / (spec.id + ".log")).string();
    const std::string request_path = (folder_ / (spec.id + ".request.json")).string();
    const std::string result_path = (folder_ / (spec.id + ".result.json")).string();
    std::error_code error;
    fs::create_directories(folder_, error);
    fs::remove(log_path, error);  // a rerun's log starts empty, and no stale result can be mistaken for new
    fs::remove(result_path, error);

    auto finish = [&](TestStatus status, std::string reason) {
      result.status = status;
      result.reason = std::move(reason);
      result.finished_at = utc_now_iso8601();
      if (result.elapsed_seconds == 0) result.elapsed_seconds = seconds_between(started, SteadyClock::now());
      if (is_failure(status)) result.stderr_tail = tail_of_file(log_path);
      // The agent's own word closes the test's log, so the published log explains even a test that never started.
      append_line(log_path, fmt::format("[dli-agent] {} {}: {}{}", result.finished_at, spec.id, to_string(status),
                                        result.reason.empty() ? "" : " (" + result.reason + ")"));
      return result;
    };

    if (const InstalledRunner* installed = runners_.find(spec.framework)) {
      result.framework_version = installed->description.version;
    }
    if (const auto why = runners_.why_unsupported(spec)) return finish(TestStatus::kUnsupported, *why);
    RunnerRequest request;
    request.spec = spec;
    auto model = cache_.fetch(spec.model.sha256, spec.model.file_name);
    if (!model) return finish(TestStatus::kFailed, "model fetch failed: " + model.error().message);
    request.model_path = model.value();
    if (!spec.model.config_sha256.empty()) {
      auto fetched = cache_.fetch(spec.model.config_sha256, spec.model.config_name);
      if (!fetched) return finish(TestStatus::kFailed, "model config fetch failed: " + fetched.error().message);
      request.config_path = fetched.value();
    }
    if (!spec.dataset.sha256.empty()) {
      auto fetched = cache_.fetch(spec.dataset.sha256, "dataset.dlidata");
      if (!fetched) return finish(TestStatus::kFailed, "dataset fetch failed: " + fetched.error().message);
      request.dataset_path = fetched.value();
    }
    try {
      write_file_atomically(request_path, to_json(request).dump(1) + "\n");
    } catch (const std::exception& failure) {
      return finish(TestStatus::kFailed, std::string("cannot write the runner's request: ") + failure.what());
    }

    ChildOptions child;
    child.argv = {runners_.find(spec.framework)->path, "run", "--request", request_path, "--result", result_path};
    child.output_path = log_path;
    child.scrub_env = true;  // a runner is the framework's code: it needs no store access (docs/runners.md 3)
    child.extra_env = environment_;
    const double timeout = spec.measure.timeout_seconds;
    child.timeout_seconds = std::isfinite(timeout) && timeout > 0 ? timeout : 0;
    child.address_space_limit_bytes = address_space_limit_bytes(spec.measure);
    // Half the interval: a tick may come late by one polling step, the heartbeat must not.
    child.tick_seconds = std::max(0.05, options_.heartbeat_seconds / 2);
    child.on_tick = [&] {
      heartbeat_.status().eta_seconds = eta.eta(after, seconds_between(started, SteadyClock::now()));
      heartbeat_.publish();
    };
    const ChildOutcome outcome = run_child(child);
    result.elapsed_seconds = outcome.wall_seconds;
    result.exit_code = outcome.kind == ChildOutcome::Kind::kExited ? outcome.exit_code : -1;
    result.signal = outcome.signal;

    switch (outcome.kind) {
      case ChildOutcome::Kind::kSpawnFailed:
        return finish(TestStatus::kFailed,
                      "cannot start the runner: " + outcome.error + memory_limit_note(spec.measure));
      case ChildOutcome::Kind::kTimedOut:
        return finish(TestStatus::kTimeout,
                      fmt::format("exceeded {:g} s; process group killed", child.timeout_seconds));
      case ChildOutcome::Kind::kSignaled:
        return finish(TestStatus::kCrashed, killed_by(outcome.signal) + memory_limit_note(spec.measure));
      case ChildOutcome::Kind::kExited:
        break;
    }
    auto [status, reason] = interpret_runner_exit(outcome.exit_code, result_path, log_path, spec.mode, result);
    return finish(status, std::move(reason));
  }

  // Log first, then the result: a reader who sees a result can also fetch its log.
  Status publish(const TestResult& result) {
    const std::string log_path = (folder_ / (result.spec.id + ".log")).string();
    const std::string log_key = layout::log(options_.run_id, options_.host, result.spec.id);
    if (auto sent = store_.put_file(log_key, log_path); !sent) {
      spdlog::warn("cannot publish log of {}: {}", result.spec.id, sent.error().message);
    }
    const std::string key = layout::result(options_.run_id, options_.host, result.spec.id);
    const std::string json = to_json(result).dump(1);
    return store_.put(key, json);  // retrying transient failures is the store's business
  }

 private:
  Store& store_;
  const AgentOptions& options_;
  const RunnerRegistry& runners_;
  Heartbeat& heartbeat_;
  ModelCache cache_;
  fs::path folder_;
  std::vector<std::string> environment_;
};

}  // namespace

AgentSummary run_agent(Store& store, const AgentOptions& input) {
  AgentOptions options = input;
  check_name("run id", options.run_id);
  check_name("host name", options.host);
  if (!(options.heartbeat_seconds > 0)) options.heartbeat_seconds = 2.0;

  Heartbeat heartbeat(store, layout::status(options.run_id, options.host));
  HostStatus& status = heartbeat.status();
  status.host = options.host;
  status.pid = static_cast<int>(::getpid());
  status.agent_version = kVersion;

  TaskList tasks;
  try {
    tasks = read_tasks(store, options);
  } catch (const std::exception& error) {
    status.state = HostState::kFailed;
    status.reason = std::string("cannot read the task list: ") + error.what();
    heartbeat.publish();
    throw std::runtime_error(status.reason);
  }

  AgentSummary summary;
  summary.total = static_cast<int>(tasks.tests.size());
  status.state = HostState::kRunning;
  status.total = summary.total;
  heartbeat.publish();
  // What machine these numbers come from, for the report; a failure here costs the report a line, not the run.
  // Only the runners this task list needs: describing one can take seconds (a script runner loads its framework).
  std::vector<std::string> frameworks;
  for (const auto& spec : tasks.tests) {
    if (std::find(frameworks.begin(), frameworks.end(), spec.framework) == frameworks.end()) {
      frameworks.push_back(spec.framework);
    }
  }
  const RunnerRegistry runners = RunnerRegistry::discover(options.runner_search_path, frameworks);
  if (auto described = store.put(layout::host_info(options.run_id, options.host),
                                 to_json(describe_this_host(runners)).dump(1));
      !described) {
    spdlog::warn("cannot publish the host description: {}", described.error().message);
  }
  spdlog::info("run {} host {}: {} tests, store {}", options.run_id, options.host, summary.total, store.describe());

  TestRunner runner(store, options, runners, heartbeat);
  EtaEstimate eta;
  std::string publish_problem;
  for (int index = 0; index < summary.total; ++index) {
    const TestSpec& spec = tasks.tests[static_cast<std::size_t>(index)];
    const int after = summary.total - index - 1;
    const std::string label = test_label(spec);
    const std::string result_key = layout::result(options.run_id, options.host, spec.id);
    if (!options.redo) {
      if (auto previous = existing_result(store, result_key)) {
        spdlog::info("[{}/{}] {} ({}): already {}, skipped", index + 1, summary.total, label, spec.id,
                     to_string(previous->status));
        ++summary.skipped;
        ++status.done;
        if (is_failure(previous->status)) {
          ++summary.failed;
          ++status.failed;
        }
        continue;
      }
    }
    status.current_test = spec.id;
    status.current_label = label;
    status.eta_seconds = eta.eta(after, 0);
    heartbeat.publish();
    spdlog::info("[{}/{}] {} ({}): running", index + 1, summary.total, label, spec.id);

    const TestResult result = runner.run(spec, after, eta);
    ++summary.ran;
    eta.add(result.elapsed_seconds);
    const bool ok = !is_failure(result.status);
    if (result.status == TestStatus::kOk) {
      spdlog::info("[{}/{}] {}: ok in {:.1f} s", index + 1, summary.total, label, result.elapsed_seconds);
    } else {
      spdlog::log(ok ? spdlog::level::info : spdlog::level::warn, "[{}/{}] {}: {}: {}", index + 1, summary.total,
                  label, to_string(result.status), result.reason);
    }
    if (auto published = runner.publish(result); !published) {
      // Not recorded means not measured, as far as anyone reading the store can tell.
      publish_problem = published.error().message;
      spdlog::error("cannot publish the result of {}: {}", spec.id, publish_problem);
      ++summary.failed;
      ++status.failed;
    } else if (!ok) {
      ++summary.failed;
      ++status.failed;
    }
    ++status.done;
  }

  status.state = HostState::kDone;
  status.current_test.clear();
  status.current_label.clear();
  status.eta_seconds = 0;
  if (!publish_problem.empty()) status.reason = "some results could not be published: " + publish_problem;
  heartbeat.publish();
  spdlog::info("run {} host {}: {} ran, {} skipped, {} not ok", options.run_id, options.host, summary.ran,
               summary.skipped, summary.failed);
  return summary;
}

}  // namespace dli
