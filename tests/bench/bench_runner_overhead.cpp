// The `bench` target: what the runner harness costs on top of the framework itself (docs/benchmarks.md).
//
// BM_HarnessVsHandLoop/<framework>/<model>: the same loaded Session, the same input, the same process; the harness's
//   run_sync against a minimal hand-written loop (steady_clock read around each Session::infer call), in
//   alternating blocks so that drift (turbo, other work on the machine) hits both alike. Counters:
//   harness_ms and hand_ms (medians of their request times), ratio = harness_ms / hand_ms. Goal: at most 1.02
//   (label PASS or MISS). min_ratio: the same for the fastest requests (less sensitive to a busy machine).
//   run_sync makes one untimed request per block (its warm-up minimum), which is not counted on either side.
//   About 3 s per model ($DLI_BENCH_OVERHEAD_SECONDS to change it; at least 20 requests a side).
// BM_RunnerProcess/<runner>: `dli-run-<name> run` as the agent starts it, one process per iteration (time column:
//   its wall time, spawn to reaped). Counters, medians over the iterations:
//   describe_ms      `dli-run-<name> describe` alone: process start, framework libraries, exit; no model
//   start_ms         spawn -> the runner's first log line (exec, dynamic linking, static init, request read)
//   load_ms          the load_s the runner reports (model read and compile), apart
//   first_infer_ms   the first_inference_s it reports, apart
//   to_first_timed_ms  spawn -> its first timed request, less load_ms (start, configure, first inference and the
//                    warm-up request): what a test costs before measuring, beside the model's own load
//   exit_ms          the last timed request's end -> the process reaped (statistics, result file, exit)
//   Log times have millisecond resolution (the runner's log format), so start_ms, to_first_timed_ms and exit_ms
//   are +-1 ms.
//
// The C++ frameworks are those linked into dli_bench (dli_runner_frameworks): each is benchmarked when its header
// is visible, so this file builds with or without them.
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "dli/measure/measurement.hpp"
#include "dli/measure/stats.hpp"
#include "dli/protocol/runner_protocol.hpp"
#include "dli/runner/framework.hpp"

#if __has_include("opencv_framework.hpp")
#include "opencv_framework.hpp"
#define DLI_BENCH_HAS_OPENCV 1
#endif
#if __has_include("torch_framework.hpp")
#include "torch_framework.hpp"
#define DLI_BENCH_HAS_TORCH 1
#endif

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kGoalRatio = 1.02;

// ---- where things are ----

fs::path models_dir() {
#ifdef DLI_MODELS_DIR
  return DLI_MODELS_DIR;
#else
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "models";  // tests/bench/ -> models/
#endif
}

fs::path build_dir() {
#ifdef DLI_BUILD_DIR
  return DLI_BUILD_DIR;
#else
  std::error_code error;  // <build>/tests/dli_bench -> <build>
  return fs::read_symlink("/proc/self/exe", error).parent_path().parent_path();
#endif
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  return dli::summarize(values).median;
}

double seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

dli::TestSpec spec_for(const std::string& framework, const std::string& model, const std::string& format,
                       std::vector<std::int64_t> shape, int batch, int threads) {
  dli::TestSpec spec;
  spec.id = "bench";
  spec.host = "local";
  spec.framework = framework;
  spec.model.name = fs::path(model).stem().string();
  spec.model.format = format;
  spec.model.precision = "fp32";
  spec.model.input_shape = std::move(shape);
  spec.model.file_name = model;
  spec.batch = batch;
  spec.threads = threads;
  spec.device = "cpu";
  spec.mode = dli::Mode::kSync;
  return spec;
}

// ---- harness against a hand loop ----

// Seconds both loops of one comparison take together: 3, or $DLI_BENCH_OVERHEAD_SECONDS (a longer, steadier run).
double budget() {
  const char* text = std::getenv("DLI_BENCH_OVERHEAD_SECONDS");
  const double value = text ? std::atof(text) : 0;
  return value > 0 ? value : 3.0;
}

using FrameworkFactory = std::unique_ptr<dli::runner::Framework> (*)();

struct ModelCase {
  std::string framework, model, format;
  std::vector<std::int64_t> shape;
  int batch, threads;
};

// The hand loop: a clock read before and after each call, nothing else.
void hand_loop(dli::runner::Session& session, const std::vector<float>& input, std::vector<double>& out, int count) {
  const float* const data = input.data();
  const std::size_t size = input.size();
  for (int i = 0; i < count; ++i) {
    const Clock::time_point start = Clock::now();
    session.infer(data, size);
    const Clock::time_point end = Clock::now();
    out.push_back(seconds(end - start));
  }
}

void harness_loop(dli::runner::Session& session, const std::vector<float>& input, std::vector<double>& out,
                  int count) {
  dli::MeasureConfig measure;
  measure.iterations = count;
  measure.min_seconds = 0;
  measure.warmup_iterations = 0;  // run_sync still makes one untimed request
  const dli::TimedRun run = dli::run_sync(session, input, measure);
  out.insert(out.end(), run.request_seconds.begin(), run.request_seconds.end());
}

[[maybe_unused]] void BM_HarnessVsHandLoop(benchmark::State& state, FrameworkFactory factory, ModelCase model_case) {
  const fs::path model = models_dir() / model_case.model;
  const dli::TestSpec spec = spec_for(model_case.framework, model_case.model, model_case.format, model_case.shape,
                                      model_case.batch, model_case.threads);
  std::unique_ptr<dli::runner::Framework> framework;
  std::unique_ptr<dli::runner::Session> session;
  try {
    framework = factory();
    framework->configure(spec);
    session = framework->load({model.string(), ""}, spec);
  } catch (const std::exception& error) {
    state.SkipWithError((model_case.framework + ": " + error.what()).c_str());
    for (auto _ : state) {
    }
    return;
  }
  const std::vector<float> input = dli::make_input(spec.batch, spec.model.input_shape);

  // Warm up (TorchScript optimises its graph during the first calls), then size the run from the warm-up's later
  // requests: about budget() seconds for both loops, in short alternating blocks so that both see the same machine.
  const double budget_seconds = budget();
  std::vector<double> warm;
  const Clock::time_point warm_start = Clock::now();
  while (warm.size() < 5 || (warm.size() < 200 && seconds(Clock::now() - warm_start) < 0.3)) {
    const Clock::time_point start = Clock::now();
    session->infer(input.data(), input.size());
    warm.push_back(seconds(Clock::now() - start));
  }
  const double per_request = median_of(std::vector<double>(warm.begin() + 2, warm.end()));
  const int per_side = std::clamp(static_cast<int>(budget_seconds / 2 / per_request), 20, 200000);
  const int per_block = std::clamp(per_side / 20, 4, 5000);
  const int blocks = std::max(2, per_side / per_block);

  std::vector<double> harness, hand;
  harness.reserve(static_cast<std::size_t>(blocks * per_block));
  hand.reserve(static_cast<std::size_t>(blocks * per_block));
  for (auto _ : state) {
    harness.clear();
    hand.clear();
    for (int block = 0; block < blocks; ++block) {
      if (block % 2 == 0) {
        harness_loop(*session, input, harness, per_block);
        hand_loop(*session, input, hand, per_block);
      } else {
        hand_loop(*session, input, hand, per_block);
        harness_loop(*session, input, harness, per_block);
      }
    }
  }
  const double harness_median = median_of(harness), hand_median = median_of(hand);
  const double ratio = hand_median > 0 ? harness_median / hand_median : 0;
  state.counters["harness_ms"] = harness_median * 1e3;
  state.counters["hand_ms"] = hand_median * 1e3;
  state.counters["ratio"] = ratio;
  // Fastest against fastest: less sensitive to other work on the machine than the medians (not the goal).
  const double hand_min = *std::min_element(hand.begin(), hand.end());
  state.counters["min_ratio"] = hand_min > 0 ? *std::min_element(harness.begin(), harness.end()) / hand_min : 0;
  state.counters["requests"] = static_cast<double>(harness.size());
  state.SetLabel(ratio <= kGoalRatio ? "PASS (goal ratio <= 1.02)" : "MISS (goal ratio <= 1.02)");
}

// ---- the runner processes ----

struct ProcessRun {
  double wall_s = 0;
  std::chrono::system_clock::time_point spawned;  // for comparing with the runner's log times
  int exit_code = -1;
  std::string log;
};

// fork + exec, stdout to /dev/null, stderr to `log_path`; waits with waitpid (no polling delay in the wall time).
ProcessRun run_process(const std::vector<std::string>& argv, const fs::path& folder, const fs::path& log_path) {
  std::vector<char*> args;
  std::vector<std::string> copies = argv;
  for (auto& arg : copies) args.push_back(arg.data());
  args.push_back(nullptr);
  ProcessRun run;
  run.spawned = std::chrono::system_clock::now();
  const Clock::time_point start = Clock::now();
  const pid_t child = ::fork();
  if (child == 0) {
    const int null_fd = ::open("/dev/null", O_RDWR);
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(null_fd, STDOUT_FILENO);
    }
    if (log_fd >= 0) ::dup2(log_fd, STDERR_FILENO);
    if (::chdir(folder.c_str()) != 0) ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (child > 0) ::waitpid(child, &status, 0);
  run.wall_s = seconds(Clock::now() - start);
  run.exit_code = child > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log_path);
  run.log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return run;
}

// The time of the first log line containing `marker` ("2026-11-29T23:19:16.284Z info ..."), UTC, milliseconds.
std::optional<std::chrono::system_clock::time_point> log_time(const std::string& log, const std::string& marker) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(marker) == std::string::npos || line.size() < 24) continue;
    std::tm parts{};
    std::istringstream stamp(line.substr(0, 19));
    stamp >> std::get_time(&parts, "%Y-%m-%dT%H:%M:%S");
    if (stamp.fail() || line[19] != '.') continue;
    const int millis = std::atoi(line.substr(20, 3).c_str());
    return std::chrono::system_clock::from_time_t(::timegm(&parts)) + std::chrono::milliseconds(millis);
  }
  return std::nullopt;
}

double seconds_after(std::chrono::system_clock::time_point from, std::chrono::system_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

struct RunnerCase {
  std::string executable;  // dli-run-<name>
  std::string framework;
  std::string model, format;
  std::vector<std::int64_t> shape;
  int batch, threads;
};

void BM_RunnerProcess(benchmark::State& state, RunnerCase runner) {
  const fs::path exe = build_dir() / runner.executable;
  char pattern[] = "/tmp/dli-bench-runner-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    for (auto _ : state) {
    }
    return;
  }
  const fs::path folder = pattern;

  dli::RunnerRequest request;
  request.spec = spec_for(runner.framework, runner.model, runner.format, runner.shape, runner.batch, runner.threads);
  request.spec.measure.iterations = 3;  // the timed loop is not what is measured here
  request.spec.measure.min_seconds = 0;
  request.spec.measure.warmup_iterations = 0;  // the harness still makes one untimed request
  request.spec.measure.warmup_seconds = 0;
  request.spec.measure.timeout_seconds = 120;
  request.model_path = (models_dir() / runner.model).string();
  const fs::path request_path = folder / "request.json", result_path = folder / "result.json";
  std::ofstream(request_path) << dli::to_json(request).dump(1) << "\n";

  std::vector<double> describe, start, load, first, to_first_timed, exit;
  std::string error;
  for (auto _ : state) {
    const ProcessRun described = run_process({exe.string(), "describe"}, folder, folder / "describe.log");
    const ProcessRun run = run_process({exe.string(), "run", "--request", request_path.string(), "--result",
                                        result_path.string()},
                                       folder, folder / "run.log");
    state.SetIterationTime(run.wall_s);
    std::ifstream in(result_path);
    const nlohmann::json result = nlohmann::json::parse(in, nullptr, false);
    if (run.exit_code != 0 || result.is_discarded() || result.value("status", "") != "ok") {
      error = runner.executable + " run exited with " + std::to_string(run.exit_code) + ": " +
              (result.is_discarded() ? run.log : result.value("reason", run.log));
      state.SkipWithError(error.c_str());
      break;
    }
    const nlohmann::json& m = result.at("measurement");
    const double load_s = m.at("load_s").get<double>(), first_s = m.at("first_inference_s").get<double>();
    // Runner protocol 2 reports raw times: a warm-up request is taken to last as long as a timed one on average.
    double timed = 0;
    for (const auto& count : m.at("request_times").at("counts")) timed += count.get<double>();
    const double warmup_s = m.at("warmup_iterations").get<double>() * m.at("wall_s").get<double>() / timed;
    describe.push_back(described.wall_s);
    load.push_back(load_s);
    first.push_back(first_s);
    const auto started = log_time(run.log, " (bench)");      // "runner <framework> test <label> (bench)"
    const auto loaded = log_time(run.log, "loaded in ");     // after the first inference
    if (started) start.push_back(seconds_after(run.spawned, *started));
    if (loaded) {
      const double to_loaded = seconds_after(run.spawned, *loaded);
      to_first_timed.push_back(to_loaded + warmup_s - load_s);
      exit.push_back(run.wall_s - to_loaded - warmup_s - m.at("wall_s").get<double>());
    }
  }
  std::error_code ignored;
  fs::remove_all(folder, ignored);
  if (!error.empty()) return;
  state.counters["describe_ms"] = median_of(describe) * 1e3;
  state.counters["start_ms"] = median_of(start) * 1e3;
  state.counters["load_ms"] = median_of(load) * 1e3;
  state.counters["first_infer_ms"] = median_of(first) * 1e3;
  state.counters["to_first_timed_ms"] = median_of(to_first_timed) * 1e3;
  state.counters["exit_ms"] = median_of(exit) * 1e3;
}

// ---- registration ----

const std::vector<std::int64_t> kImageNet = {3, 224, 224};
const std::vector<std::int64_t> kDigits = {1, 8, 8};

bool register_all() {
#ifdef DLI_BENCH_HAS_OPENCV
  benchmark::RegisterBenchmark("BM_HarnessVsHandLoop/opencv-dnn/mobilenet_v2/b1/t2", BM_HarnessVsHandLoop,
                               &dli::runner::make_opencv_framework,
                               ModelCase{"opencv-dnn", "mobilenet_v2.onnx", "onnx", kImageNet, 1, 2})
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_HarnessVsHandLoop/opencv-dnn/digits_cnn/b1/t1", BM_HarnessVsHandLoop,
                               &dli::runner::make_opencv_framework,
                               ModelCase{"opencv-dnn", "digits_cnn.onnx", "onnx", kDigits, 1, 1})
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
#endif
#ifdef DLI_BENCH_HAS_TORCH
  benchmark::RegisterBenchmark("BM_HarnessVsHandLoop/libtorch/mobilenet_v2/b1/t2", BM_HarnessVsHandLoop,
                               &dli::runner::make_torch_framework,
                               ModelCase{"libtorch", "mobilenet_v2.pt", "torchscript", kImageNet, 1, 2})
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
#endif
  const std::vector<RunnerCase> runners = {
      {"dli-run-null", "null", "digits_cnn.onnx", "onnx", kDigits, 1, 1},
      {"dli-run-opencv", "opencv-dnn", "mobilenet_v2.onnx", "onnx", kImageNet, 1, 2},
      {"dli-run-torch", "libtorch", "mobilenet_v2.pt", "torchscript", kImageNet, 1, 2},
  };
  for (const RunnerCase& runner : runners) {
    if (::access((build_dir() / runner.executable).c_str(), X_OK) != 0) continue;  // not built here
    benchmark::RegisterBenchmark(("BM_RunnerProcess/" + runner.executable).c_str(), BM_RunnerProcess, runner)
        ->Iterations(3)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}

const bool registered = register_all();

}  // namespace
