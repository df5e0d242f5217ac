#include "dli/report/repeats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "dli/measure/verdict.hpp"

namespace dli {

namespace {

double sample_cv(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  double squares = 0;
  for (const double value : values) squares += (value - mean) * (value - mean);
  const double stddev = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return mean > 0 ? stddev / mean : 0;
}

bool measured_ok(const TestResult& result) { return result.status == TestStatus::kOk && result.measurement; }

}  // namespace

bool higher_is_better(Mode mode) { return mode != Mode::kSingleStream && mode != Mode::kMultiStream; }

double headline_value(const TestSpec& spec, const Measurement& measurement) {
  switch (spec.mode) {
    case Mode::kSingleStream:
    case Mode::kMultiStream: return measurement.throughput.latency_s;
    case Mode::kServer: return measurement.target_qps;
    default: return measurement.throughput.fps;
  }
}

CombinedRepeats combine_repeats(std::vector<TestResult> results, int planned) {
  std::sort(results.begin(), results.end(),
            [](const TestResult& a, const TestResult& b) { return a.spec.repeat < b.spec.repeat; });
  CombinedRepeats combined;
  combined.summary.planned = planned;
  std::vector<const TestResult*> ok;
  for (const auto& result : results) {
    if (!measured_ok(result)) continue;
    ok.push_back(&result);
    combined.summary.repeats.push_back(result.spec.repeat);
    combined.summary.figures.push_back(headline_value(result.spec, *result.measurement));
  }
  if (ok.empty()) {
    if (!results.empty()) combined.result = results.front();
    return combined;
  }
  // Worst first: the lower middle of an even count is then the worse of the two middle repeats.
  const bool higher_better = higher_is_better(ok.front()->spec.mode);
  std::vector<std::size_t> order(ok.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double x = combined.summary.figures[a], y = combined.summary.figures[b];
    return higher_better ? x < y : x > y;
  });
  const std::size_t median = order[(order.size() - 1) / 2];
  combined.summary.median_repeat = ok[median]->spec.repeat;
  combined.summary.cv = sample_cv(combined.summary.figures);
  TestResult row = *ok[median];
  Verdict& verdict = row.measurement->verdict;
  const double max_cv = row.spec.measure.max_repeat_cv;
  if (max_cv > 0 && ok.size() >= 2 && combined.summary.cv > max_cv) {
    verdict.valid = false;
    verdict.reasons.emplace_back(verdict_reason::kRepeatsDisagree);
  }
  if (static_cast<int>(ok.size()) < planned) verdict.notes.emplace_back(verdict_note::kRepeatsMissing);
  combined.result = std::move(row);
  return combined;
}

}  // namespace dli
