#pragma once
// VALID or INVALID, with the reasons, for one measured test (docs/methodology.md, "Verdicts"). Pure: the inputs are
// figures of the result and the test's settings.
#include <cstdint>
#include <string>
#include <vector>

#include "dli/measure/stop_rule.hpp"

namespace dli {

// The reason codes, in the order a verdict lists them.
namespace verdict_reason {
inline constexpr const char* kTooFewRequests = "too_few_requests";      // for the reported percentile
inline constexpr const char* kMinCountNotMet = "min_count_not_met";     // a maximum stopped it first
inline constexpr const char* kMinTimeNotMet = "min_time_not_met";
inline constexpr const char* kCapped = "capped";                        // the sample buffer filled up
inline constexpr const char* kCvAboveThreshold = "cv_above_threshold";
inline constexpr const char* kLatencyBoundBroken = "latency_bound_broken";
inline constexpr const char* kHostBusy = "host_busy";                   // input from the agent's host-load check
// A repeated test's repeats differ beyond measure.max_repeat_cv (docs/methodology.md, "Repeats"); set by the report
// on the row of the test, not by the agent on one repeat.
inline constexpr const char* kRepeatsDisagree = "repeats_disagree";
}  // namespace verdict_reason

// Notes: what a reader should know about a VALID or INVALID figure, without making it INVALID.
namespace verdict_note {
// The streams' medians differ by more than kMaxStreamImbalance (stream_stats.hpp).
inline constexpr const char* kStreamsImbalanced = "streams_imbalanced";
// Fewer repeats than planned were measured (failed or not run): the median is of those that were.
inline constexpr const char* kRepeatsMissing = "repeats_missing";
}  // namespace verdict_note

// A percentile is reported only from enough requests beyond it: at least this many above it.
inline constexpr std::int64_t kRequestsBeyondPercentile = 10;
// Requests a percentile p (in [0, 100)) needs: ceil(kRequestsBeyondPercentile / (1 - p/100)); p50 needs 20, p90
// 100, p99 1000, p99.9 10000.
std::int64_t requests_needed_for(double percentile);

struct VerdictInputs {
  std::int64_t count = 0;          // timed requests (queries)
  double wall_seconds = 0;
  StopReason stop_reason = StopReason::kMinReached;
  std::int64_t min_count = 0;      // the test's measure.iterations
  double min_seconds = 0;          // the test's measure.min_s
  double reported_percentile = 50;  // the percentile the test's latency figure is
  double reported_latency_s = 0;    // and its value
  double latency_bound_s = 0;       // 0: no bound
  double cv = 0;
  double max_cv = 0;                // 0: no CV rule
  bool cv_applies = true;           // false where latency includes queueing by design (Server)
  bool host_busy = false;           // host_was_busy() of the test's environment
  double stream_imbalance = 0;      // stream_imbalance() of the streams' statistics; 0 with one stream
};

struct Verdict {
  bool valid = true;
  std::vector<std::string> reasons;  // empty when valid
  std::vector<std::string> notes;    // verdict_note codes; they do not change `valid`
};

Verdict judge(const VerdictInputs& inputs);

// The host-load rule: other processes took more than `max_busy_share` of the host's CPU time during the test
// (TestEnvironment::other_cpu_share). An unknown share (negative) never counts: the agent could not tell, and a
// figure is not thrown away for a reading that failed. `max_busy_share` 0: no rule.
bool host_was_busy(double other_cpu_share, double max_busy_share);

}  // namespace dli
