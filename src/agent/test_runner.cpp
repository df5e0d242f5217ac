// One test in its runner process: checks the host can, fetches the files, starts the runner, records what it
// says (docs/runners.md 3.5).
#include "test_runner.hpp"

#include <signal.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "dli/agent/cpu_plan.hpp"
#include "dli/measure/verdict.hpp"
#include "dli/protocol/assess.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/runner_protocol.hpp"
#include "dli/protocol/work_dir.hpp"
#include "dli/util/child_process.hpp"
#include "dli/util/clock.hpp"
#include "dli/util/local_file.hpp"
#include "cpu_affinity.hpp"
#include "memory_limit.hpp"
#include "patience.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

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

void append_line(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << line << '\n';
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the request times file " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The log a result carries (docs/protocol.md 4.5): whole up to 16 KiB, else its first 4 KiB and last 12 KiB
// around a note; the whole log is published beside the result.
std::string log_for_result(const std::string& log_path, const std::string& key) {
  FileExcerpt excerpt = excerpt_of_file(log_path, kResultLogHeadBytes, kResultLogTailBytes);
  if (excerpt.left_out == 0 && excerpt.tail.empty()) return std::move(excerpt.head);
  return excerpt.head +
         fmt::format("[dli-agent] {} bytes of this log left out here: the whole log is logs/{}.log in the host's "
                     "folder of the run\n",
                     excerpt.left_out, key) +
         excerpt.tail + "\n";
}

std::string last_line(const std::string& path) {
  std::string line = tail_of_file(path, 1, 400);
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

// What the runner's exit and result file mean (docs/runners.md 3.5), once its process has exited normally.
std::pair<TestStatus, std::string> interpret_runner_exit(int exit_code, const std::string& result_path,
                                                         const std::string& log_path, const TestSpec& spec,
                                                         TestResult& result) {
  const Mode mode = spec.mode;
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
      if (written.measurement) {
        // The agent computes every figure and the verdict from the runner's request times (docs/runners.md 3.3).
        try {
          RawMeasurement& raw = *written.measurement;
          if (!raw.times_file.empty()) {
            const auto path = std::filesystem::path(result_path).parent_path() / raw.times_file;
            std::int64_t total = 0;
            for (const auto count : raw.stream_counts) total += count;
            raw.request_seconds = decode_request_times(read_file(path.string()), total);
            std::error_code ignored;
            fs::remove(path, ignored);  // up to 8 bytes a request: not kept once read
          }
          // The environment is read before this: whether the host was busy is known with the figures.
          const bool busy = result.environment &&
                            host_was_busy(result.environment->other_cpu_share, spec.measure.max_busy_share);
          result.measurement = assess(raw, spec, busy);
        } catch (const std::exception& error) {
          return {TestStatus::kFailed, std::string("malformed result: ") + error.what()};
        }
      }
      result.accuracy = written.accuracy;
      return {TestStatus::kOk, ""};
    case RunnerStatus::kUnsupported: return {TestStatus::kUnsupported, written.reason};
    case RunnerStatus::kFailed: break;
  }
  return {TestStatus::kFailed, written.reason};
}

}  // namespace

TestRunner::TestRunner(Store& store, const AgentOptions& options, const RunnerRegistry& runners,
                       const HostInfo& host, std::function<void()> store_used,
                       std::function<void(bool)> measuring, std::function<Status()> store_ready)
    : store_(store),
      options_(options),
      runners_(runners),
      cache_(store, (fs::path(options.work_dir) / "models").string(), std::move(store_ready)),
      folder_(run_folder(options.work_dir, options.run_id)),
      environment_(runner_environment(process_environment())),
      probe_(host),
      store_used_(std::move(store_used)),
      measuring_(std::move(measuring)) {}

std::string TestRunner::log_path(const std::string& key) const { return (folder_ / (key + ".log")).string(); }

Result<std::string> TestRunner::fetch(const std::string& sha256, const std::string& file_name) {
  // A store that is down for a while must not fail the tests it could not serve: their models are waited for,
  // within the agent's store patience, like its results are.
  return patiently<std::string>(store_, options_.store_patience_seconds, "fetch " + file_name + " (" + sha256 + ")",
                                [&] { return cache_.fetch(sha256, file_name); });
}

TestResult TestRunner::run(const TestSpec& spec, const std::function<void(double)>& on_tick) {
  TestResult result;
  result.spec = spec;
  result.started_at = utc_now_iso8601();
  const auto started = SteadyClock::now();
  const std::string key = task_key(spec);  // each repeat of a test has files of its own
  const std::string log_path = this->log_path(key);
  const std::string request_path = (folder_ / (key + ".request.json")).string();
  const std::string result_path = (folder_ / (key + ".result.json")).string();
  std::error_code error;
  fs::create_directories(folder_, error);
  fs::remove(log_path, error);  // a rerun's log starts empty, and no stale result can be mistaken for new
  fs::remove(result_path, error);
  fs::remove(result_path + ".times", error);

  auto finish = [&](TestStatus status, std::string reason) {
    result.status = status;
    result.reason = std::move(reason);
    result.finished_at = utc_now_iso8601();
    if (result.elapsed_seconds == 0) result.elapsed_seconds = seconds_between(started, SteadyClock::now());
    if (is_failure(status)) result.stderr_tail = tail_of_file(log_path);
    // The agent's own word closes the test's log, so the published log explains even a test that never started.
    append_line(log_path, fmt::format("[dli-agent] {} {}: {}{}", result.finished_at, key, to_string(status),
                                      result.reason.empty() ? "" : " (" + result.reason + ")"));
    result.log = log_for_result(log_path, key);
    return result;
  };

  if (const InstalledRunner* installed = runners_.find(spec.framework)) {
    result.framework_version = installed->description.version;
  }
  if (const auto why = runners_.why_unsupported(spec)) return finish(TestStatus::kUnsupported, *why);
  RunnerRequest request;
  request.spec = spec;
  auto model = fetch(spec.model.sha256, spec.model.file_name);
  if (!model) return finish(TestStatus::kFailed, "model fetch failed: " + model.error().message);
  request.model_path = model.value();
  if (!spec.model.config_sha256.empty()) {
    auto fetched = fetch(spec.model.config_sha256, spec.model.config_name);
    if (!fetched) return finish(TestStatus::kFailed, "model config fetch failed: " + fetched.error().message);
    request.config_path = fetched.value();
  }
  if (!spec.dataset.sha256.empty()) {
    auto fetched = fetch(spec.dataset.sha256, "dataset.dlidata");
    if (!fetched) return finish(TestStatus::kFailed, "dataset fetch failed: " + fetched.error().message);
    request.dataset_path = fetched.value();
  }
  store_used_();
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
  // Ticks only refresh the heartbeat's ETA in memory; the publisher thread writes it.
  child.tick_seconds = std::max(0.05, options_.test_heartbeat_seconds / 2);
  child.on_tick = [&] { on_tick(seconds_between(started, SteadyClock::now())); };
  // measure.pin_cpus: the runner on CPUs of its own, the agent (every thread of it) on one apart while it measures.
  const std::vector<int> allowed = spec.measure.pin_cpus ? allowed_cpus() : std::vector<int>{};
  const CpuPlan cpus = plan_cpus(allowed, spec.threads);
  child.cpus = cpus.runner;
  measuring_(true);
  ChildOutcome outcome;
  bool agent_pinned = false;
  {
    const AgentPinned pinned(cpus.agent, allowed);  // forked from here, the runner sets its own CPUs before exec
    agent_pinned = pinned.pinned();
    probe_.before_test();
    outcome = run_child(child);
    result.environment = probe_.after_test(outcome.cpu_seconds);
  }
  measuring_(false);
  result.environment->runner_cpus = format_cpu_list(cpus.runner);
  result.environment->agent_cpu = agent_pinned ? cpus.agent : -1;
  result.elapsed_seconds = outcome.wall_seconds;
  result.exit_code = outcome.kind == ChildOutcome::Kind::kExited ? outcome.exit_code : -1;
  result.signal = outcome.signal;

  switch (outcome.kind) {
    case ChildOutcome::Kind::kSpawnFailed:
      return finish(TestStatus::kFailed, "cannot start the runner: " + outcome.error + memory_limit_note(spec.measure));
    case ChildOutcome::Kind::kTimedOut:
      return finish(TestStatus::kTimeout,
                    fmt::format("exceeded {:g} s; process group killed", child.timeout_seconds));
    case ChildOutcome::Kind::kSignaled:
      return finish(TestStatus::kCrashed, killed_by(outcome.signal) + memory_limit_note(spec.measure));
    case ChildOutcome::Kind::kExited:
      break;
  }
  auto [status, reason] = interpret_runner_exit(outcome.exit_code, result_path, log_path, spec, result);
  return finish(status, std::move(reason));
}

}  // namespace dli
