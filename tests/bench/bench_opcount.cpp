// The integrator counts every ONNX model's operations at plan time (docs/methodology.md, "Operation count"): the
// time of counting resnet50 (a 100 MB file: protobuf parse, shape inference, the count) is what `plan` adds per model.
#include <filesystem>

#include <benchmark/benchmark.h>

#include "dli/opcount/onnx_ops.hpp"

namespace {

void BM_CountResnet50Macs(benchmark::State& state) {
  const std::string path = (std::filesystem::path(DLI_MODELS_DIR) / "resnet50.onnx").string();
  for (auto _ : state) {
    const dli::ModelMacs count = dli::count_onnx_macs(path, {3, 224, 224});
    if (!count.macs) state.SkipWithError(count.reason.c_str());
    benchmark::DoNotOptimize(count.macs);
  }
}
BENCHMARK(BM_CountResnet50Macs)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
