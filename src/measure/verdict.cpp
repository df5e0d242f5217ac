#include "dli/measure/verdict.hpp"

#include <cmath>

#include "dli/measure/stream_stats.hpp"

namespace dli {

std::int64_t requests_needed_for(double percentile) {
  if (!(percentile >= 0 && percentile < 100)) return 0;  // p100 is the maximum: no tail to support
  // In hundredths, so that p90 needs exactly 100 rather than 101 from 1 - 0.9's rounding; the slack absorbs it.
  const double needed = static_cast<double>(kRequestsBeyondPercentile) * 100.0 / (100.0 - percentile);
  return static_cast<std::int64_t>(std::ceil(needed - 1e-6));
}

Verdict judge(const VerdictInputs& in) {
  Verdict verdict;
  auto add = [&verdict](const char* reason) { verdict.reasons.emplace_back(reason); };
  if (in.count < requests_needed_for(in.reported_percentile)) add(verdict_reason::kTooFewRequests);
  if (in.count < in.min_count) add(verdict_reason::kMinCountNotMet);
  if (in.wall_seconds < in.min_seconds) add(verdict_reason::kMinTimeNotMet);
  if (in.stop_reason == StopReason::kCapped) add(verdict_reason::kCapped);
  if (in.cv_applies && in.max_cv > 0 && in.cv > in.max_cv) add(verdict_reason::kCvAboveThreshold);
  if (in.latency_bound_s > 0 && in.reported_latency_s > in.latency_bound_s) add(verdict_reason::kLatencyBoundBroken);
  if (in.host_busy) add(verdict_reason::kHostBusy);
  verdict.valid = verdict.reasons.empty();
  if (in.stream_imbalance > kMaxStreamImbalance) verdict.notes.emplace_back(verdict_note::kStreamsImbalanced);
  return verdict;
}

bool host_was_busy(double other_cpu_share, double max_busy_share) {
  return max_busy_share > 0 && other_cpu_share >= 0 && other_cpu_share > max_busy_share;
}

}  // namespace dli
