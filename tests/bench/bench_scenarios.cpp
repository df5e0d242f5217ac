// The timed loops' own cost, per request, with a session that does nothing (docs/benchmarks.md, "Scenarios"):
// BM_LoopOverhead/<loop>: requests per second the harness alone sustains (counter requests_per_s, ns_per_request);
//   goal for single_stream (the sync loop): above one million (label PASS or MISS).
// BM_ServerSchedulingError: how late an idle stream sends a query after its scheduled time (counters
//   median_us, p99_us, max_us over 2000 queries at 4000 queries/s).
// BM_PoissonSchedule: generating a schedule before the clock starts, per query.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <benchmark/benchmark.h>

#include "dli/measure/measurement.hpp"
#include "dli/measure/schedule.hpp"
#include "dli/measure/stats.hpp"

namespace {

// What a framework's request costs when it costs nothing: only the virtual call remains.
class NoWork : public dli::TimedRequest {
 public:
  void infer(const float* input, std::size_t count) override { benchmark::DoNotOptimize(input + count); }
};

dli::MeasureConfig settings(double seconds) {
  dli::MeasureConfig measure;
  measure.iterations = 1000;
  measure.min_seconds = seconds;
  measure.warmup_iterations = 1000;
  measure.max_cv = 0;
  return measure;
}

enum Loop { kSingleStream, kMultiStream, kOffline };

void BM_LoopOverhead(benchmark::State& state) {
  const auto loop = static_cast<Loop>(state.range(0));
  const std::vector<float> input(16, 0.5f);
  NoWork session;
  double requests = 0, wall = 0;
  bool capped = false;
  for (auto _ : state) {
    dli::TimedRun run;
    if (loop == kSingleStream) run = dli::run_sync(session, input, settings(0.05));
    if (loop == kMultiStream) run = dli::run_multi_stream(session, input, 8, settings(0.05));
    if (loop == kOffline) run = dli::run_async({&session}, input, settings(0.05));
    const double per_query = loop == kMultiStream ? 8 : 1;
    requests += static_cast<double>(run.request_seconds.size()) * per_query;
    wall += run.wall_seconds;
    capped = capped || run.stop_reason == dli::StopReason::kCapped;
  }
  const double rate = wall > 0 ? requests / wall : 0;
  state.counters["requests_per_s"] = rate;
  state.counters["ns_per_request"] = rate > 0 ? 1e9 / rate : 0;
  if (loop == kSingleStream) state.SetLabel(rate > 1e6 ? "PASS (goal > 1M requests/s)" : "MISS (goal > 1M requests/s)");
  if (capped) state.SetLabel("capped: the sample buffer filled before 50 ms");
}

void BM_ServerSchedulingError(benchmark::State& state) {
  const std::vector<float> input(16, 0.5f);
  NoWork session;
  const std::vector<double> schedule = dli::poisson_schedule(4000, 2000);
  std::vector<double> delays_us;
  for (auto _ : state) {
    const dli::TimedRun run = dli::run_server({&session}, input, schedule, settings(0));
    for (const double delay : run.start_delays) delays_us.push_back(delay * 1e6);
  }
  state.counters["median_us"] = dli::percentile(delays_us, 50);
  state.counters["p99_us"] = dli::percentile(delays_us, 99);
  state.counters["max_us"] = *std::max_element(delays_us.begin(), delays_us.end());
}

void BM_PoissonSchedule(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(dli::poisson_schedule(1000, 100000).back());
  state.SetItemsProcessed(state.iterations() * 100000);
}

BENCHMARK(BM_LoopOverhead)->ArgName("single_stream")->Arg(kSingleStream)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoopOverhead)->ArgName("multi_stream")->Arg(kMultiStream)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoopOverhead)->ArgName("offline")->Arg(kOffline)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ServerSchedulingError)->Iterations(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PoissonSchedule)->Unit(benchmark::kMillisecond);

}  // namespace
