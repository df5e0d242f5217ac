// The `bench` target: speed goals of the harness itself, as figures (not timed tests).
// - the timed loop's own overhead per request must stay far below any real model's latency;
// - hashing models (content addresses) and rendering reports must not dominate a sweep.
#include <sstream>

#include <benchmark/benchmark.h>

#include "dli/measure/measurement.hpp"
#include "dli/report/report.hpp"
#include "dli/util/sha256.hpp"
#include "dli/measure/stats.hpp"

namespace {

// A request that does nothing: what is left is the harness.
class EmptySession : public dli::TimedRequest {
 public:
  void infer(const float* input, std::size_t count) override { benchmark::DoNotOptimize(input + count); }
};

void BM_SyncLoopOverheadPerRequest(benchmark::State& state) {
  EmptySession session;
  const std::vector<float> input = dli::make_input(1, {3, 8, 8});
  dli::MeasureConfig measure;
  measure.iterations = static_cast<int>(state.range(0));
  measure.min_seconds = 0;
  measure.warmup_iterations = 0;
  for (auto _ : state) {
    const dli::TimedRun run = dli::run_sync(session, input, measure);
    benchmark::DoNotOptimize(run.request_seconds.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SyncLoopOverheadPerRequest)->Arg(10000);

void BM_AsyncLoopOverheadPerRequest(benchmark::State& state) {
  EmptySession first, second;
  const std::vector<float> input = dli::make_input(1, {3, 8, 8});
  dli::MeasureConfig measure;
  measure.iterations = static_cast<int>(state.range(0));
  measure.min_seconds = 0;
  measure.warmup_iterations = 0;
  for (auto _ : state) {
    const dli::TimedRun run = dli::run_async({&first, &second}, input, measure);
    benchmark::DoNotOptimize(run.request_seconds.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AsyncLoopOverheadPerRequest)->Arg(10000)->UseRealTime();

void BM_Sha256(benchmark::State& state) {
  const std::string data(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(dli::sha256_hex(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(1 << 20);

void BM_Summarize(benchmark::State& state) {
  std::vector<double> samples(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < samples.size(); ++i) samples[i] = 0.001 * static_cast<double>((i * 7919) % 1000);
  for (auto _ : state) benchmark::DoNotOptimize(dli::summarize(samples));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Summarize)->Arg(100000);

void BM_RenderReports(benchmark::State& state) {
  std::vector<dli::ReportRow> rows;
  for (int i = 0; i < state.range(0); ++i) {
    dli::TestSpec spec;
    spec.model.name = "model" + std::to_string(i % 50);
    spec.model.precision = "fp32";
    spec.model.input_shape = {3, 224, 224};
    spec.framework = "opencv-dnn";
    spec.batch = 1 << (i % 4);
    spec.mode = i % 2 == 0 ? dli::Mode::kSync : dli::Mode::kAsync;
    spec.requests = spec.mode == dli::Mode::kAsync ? 2 : 1;
    spec.host = "host" + std::to_string(i % 8);
    spec.id = std::to_string(i);
    dli::TestResult result;
    result.spec = spec;
    result.status = dli::TestStatus::kOk;
    result.measurement = dli::Measurement{};
    result.measurement->throughput.fps = 100.0 + i;
    rows.push_back({spec, result});
  }
  for (auto _ : state) {
    std::ostringstream csv, html;
    dli::write_csv(csv, rows);
    dli::write_html(html, {"run", "sweep", "now", "now"}, rows);
    benchmark::DoNotOptimize(html.str().size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RenderReports)->Arg(2000);

}  // namespace

BENCHMARK_MAIN();
