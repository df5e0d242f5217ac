// The agent's loop over its task list: each test in its own child process (`dli-agent run-test`), its log and
// result published the moment it ends, a heartbeat in status.json throughout (docs/protocol.md).
#include "dli/agent.hpp"
#include "dli/host_info.hpp"

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

#include "dli/child_process.hpp"
#include "dli/clock.hpp"
#include "dli/protocol.hpp"
#include "dli/version.hpp"
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

// Runs one test: fetch, child process, result. Never throws for the test's own failures.
class TestRunner {
 public:
  TestRunner(Store& store, const AgentOptions& options, Heartbeat& heartbeat)
      : store_(store),
        options_(options),
        heartbeat_(heartbeat),
        cache_(store, (fs::path(options.work_dir) / "models").string()),
        folder_(fs::path(options.work_dir) / "runs" / options.run_id) {}

  // `after` tests remain after this one (for the ETA).
  TestResult run(const TestSpec& spec, int after, const EtaEstimate& eta) {
    TestResult result;
    result.spec = spec;
    result.started_at = utc_now_iso8601();
    const auto started = SteadyClock::now();
    const std::string log_path = (folder_ / (spec.id + ".log")).string();
    const std::string spec_path = (folder_ / (spec.id + ".spec.json")).string();
    const std::string output_path = (folder_ / (spec.id + ".out.json")).string();
    std::error_code error;
    fs::create_directories(folder_, error);
    fs::remove(log_path, error);  // a rerun's log starts empty, and no stale measurement can be mistaken for new
    fs::remove(output_path, error);

    auto finish = [&](TestStatus status, std::string reason) {
      result.status = status;
      result.reason = std::move(reason);
      result.finished_at = utc_now_iso8601();
      if (result.elapsed_seconds == 0) result.elapsed_seconds = seconds_between(started, SteadyClock::now());
      if (status != TestStatus::kOk) result.stderr_tail = tail_of_file(log_path);
      // The agent's own word closes the test's log, so the published log explains even a test that never started.
      append_line(log_path, fmt::format("[dli-agent] {} {}: {}{}", result.finished_at, spec.id, to_string(status),
                                        result.reason.empty() ? "" : " (" + result.reason + ")"));
      return result;
    };

    auto model = cache_.fetch(spec.model.sha256, spec.model.file_name);
    if (!model) return finish(TestStatus::kFailed, "model fetch failed: " + model.error().message);
    std::string config;
    if (!spec.model.config_sha256.empty()) {
      auto fetched = cache_.fetch(spec.model.config_sha256, spec.model.config_name);
      if (!fetched) return finish(TestStatus::kFailed, "model config fetch failed: " + fetched.error().message);
      config = fetched.value();
    }
    {
      std::ofstream out(spec_path, std::ios::trunc);
      out << to_json(spec).dump(1) << '\n';
      if (!out.flush()) return finish(TestStatus::kFailed, "cannot write " + spec_path);
    }

    ChildOptions child;
    child.argv = {options_.self_exe, "run-test", "--spec", spec_path, "--model", model.value()};
    if (!config.empty()) child.argv.insert(child.argv.end(), {"--config", config});
    child.argv.insert(child.argv.end(), {"--output", output_path});
    child.output_path = log_path;
    const double timeout = spec.measure.timeout_seconds;
    child.timeout_seconds = std::isfinite(timeout) && timeout > 0 ? timeout : 0;
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
        return finish(TestStatus::kFailed, "cannot start the test process: " + outcome.error);
      case ChildOutcome::Kind::kTimedOut:
        return finish(TestStatus::kTimeout,
                      fmt::format("exceeded {:g} s; process group killed", child.timeout_seconds));
      case ChildOutcome::Kind::kSignaled:
        return finish(TestStatus::kCrashed, killed_by(outcome.signal));
      case ChildOutcome::Kind::kExited:
        break;
    }
    if (outcome.exit_code != 0) {
      const std::string why = last_line(log_path);
      return finish(TestStatus::kFailed, fmt::format("exited with code {}{}", outcome.exit_code,
                                                     why.empty() ? "" : ": " + why));
    }
    try {
      std::ifstream in(output_path);
      if (!in) throw std::runtime_error("no measurement file " + output_path);
      result.measurement = measurement_from_json(nlohmann::json::parse(in));
    } catch (const std::exception& reading) {
      return finish(TestStatus::kFailed, fmt::format("exited with code 0 but its measurement is unreadable: {}",
                                                     reading.what()));
    }
    return finish(TestStatus::kOk, "");
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
  Heartbeat& heartbeat_;
  ModelCache cache_;
  fs::path folder_;
};

}  // namespace

AgentSummary run_agent(Store& store, const AgentOptions& input) {
  AgentOptions options = input;
  check_name("run id", options.run_id);
  check_name("host name", options.host);
  if (options.self_exe.empty()) options.self_exe = "/proc/self/exe";
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
  if (auto described = store.put(layout::host_info(options.run_id, options.host), to_json(describe_this_host()).dump(1));
      !described) {
    spdlog::warn("cannot publish the host description: {}", described.error().message);
  }
  spdlog::info("run {} host {}: {} tests, store {}", options.run_id, options.host, summary.total, store.describe());

  TestRunner runner(store, options, heartbeat);
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
        if (previous->status != TestStatus::kOk) {
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
    const bool ok = result.status == TestStatus::kOk;
    if (ok) {
      spdlog::info("[{}/{}] {}: ok in {:.1f} s", index + 1, summary.total, label, result.elapsed_seconds);
    } else {
      spdlog::warn("[{}/{}] {}: {}: {}", index + 1, summary.total, label, to_string(result.status), result.reason);
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
