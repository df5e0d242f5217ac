// The `bench` target: what a request costs in the script runners (docs/benchmarks.md), in microseconds.
//
// BM_ScriptRunnerRequest/<runner>/<workload>: one `dli-run-<name> run` process per iteration; counters are the
// medians its result reports.
//   null            framework "null", no work: the harness's own cost per request in that language (clock reads,
//                   the copy of a 64-float input, the loop), beside dli-run-null's in C++
//   digits_cnn      a trivial model (8x8 digits CNN, ~20 us of arithmetic): the framework binding's own cost per
//                   request dominates, beside OpenCV DNN's C++ figure on the same model
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/assess.hpp"
#include "dli/protocol/runner_protocol.hpp"

namespace {

namespace fs = std::filesystem;

struct Workload {
  std::string executable;  // in DLI_BUILD_DIR
  std::string framework;
  std::string model_file;  // in DLI_MODELS_DIR; empty for null
  std::string format;
};

dli::RunnerRequest request_for(const Workload& workload) {
  dli::RunnerRequest request;
  dli::TestSpec& spec = request.spec;
  spec.id = "bench";
  spec.framework = workload.framework;
  spec.model.name = workload.model_file.empty() ? "none" : workload.model_file;
  spec.model.format = workload.format;
  spec.model.precision = "fp32";
  spec.model.input_shape = {1, 8, 8};
  spec.model.file_name = workload.model_file;
  spec.measure.iterations = 2000;
  spec.measure.min_seconds = 1;
  spec.measure.warmup_iterations = 200;
  request.model_path = workload.model_file.empty() ? "/dev/null" : std::string(DLI_MODELS_DIR) + "/" + workload.model_file;
  return request;
}

void BM_ScriptRunnerRequest(benchmark::State& state, const Workload& workload) {
  const fs::path folder = fs::temp_directory_path() / ("dli-bench-script-" + std::to_string(::getpid()));
  fs::create_directories(folder);
  const fs::path request = folder / "request.json", result = folder / "result.json";
  std::ofstream(request) << dli::to_json(request_for(workload)).dump();
  const std::string command = std::string(DLI_BUILD_DIR) + "/" + workload.executable + " run --request " +
                              request.string() + " --result " + result.string() + " >" + (folder / "log").string() +
                              " 2>&1";
  double median_us = 0, p99_us = 0;
  for (auto _ : state) {
    if (std::system(command.c_str()) != 0) {
      state.SkipWithError((workload.executable + " failed; see " + (folder / "log").string()).c_str());
      return;
    }
    std::ifstream in(result);
    dli::RunnerResult parsed = dli::runner_result_from_json(nlohmann::json::parse(in), dli::Mode::kSync);
    // Runner protocol 2: the times are in a side file; the agent's code computes the figures.
    dli::RawMeasurement& raw = *parsed.measurement;
    std::int64_t total = 0;
    for (const auto count : raw.stream_counts) total += count;
    std::ifstream times(folder / raw.times_file, std::ios::binary);
    raw.request_seconds = dli::decode_request_times(
        std::string(std::istreambuf_iterator<char>(times), std::istreambuf_iterator<char>()), total);
    const dli::Measurement figures = dli::assess(raw, request_for(workload).spec);
    median_us = figures.request.median * 1e6;
    p99_us = figures.request.p99 * 1e6;
  }
  state.counters["median_us"] = median_us;
  state.counters["p99_us"] = p99_us;
  fs::remove_all(folder);
}

const Workload kWorkloads[] = {
    {"dli-run-null", "null", "", "onnx"},
    {"dli-run-onnxruntime", "null", "", "onnx"},
    {"dli-run-pytorch", "null", "", "torchscript"},
    {"dli-run-opencv", "opencv-dnn", "digits_cnn.onnx", "onnx"},
    {"dli-run-onnxruntime", "onnxruntime", "digits_cnn.onnx", "onnx"},
    {"dli-run-torch", "libtorch", "digits_cnn.pt", "torchscript"},
    {"dli-run-pytorch", "pytorch", "digits_cnn.pt", "torchscript"},
};

const bool kRegistered = [] {
  for (const Workload& workload : kWorkloads) {
    if (!fs::exists(fs::path(DLI_BUILD_DIR) / workload.executable)) continue;
    const std::string name = "BM_ScriptRunnerRequest/" + workload.executable + "/" +
                             (workload.model_file.empty() ? "null" : workload.model_file);
    benchmark::RegisterBenchmark(name.c_str(), BM_ScriptRunnerRequest, workload)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
