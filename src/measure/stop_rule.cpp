#include "dli/measure/stop_rule.hpp"

#include <algorithm>
#include <stdexcept>

namespace dli {

namespace {

SteadyClock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kRunning: return "running";
    case StopReason::kMinReached: return "min_reached";
    case StopReason::kMaxCount: return "max_count";
    case StopReason::kMaxSeconds: return "max_seconds";
    case StopReason::kCapped: return "capped";
  }
  return "running";
}

StopReason stop_reason_from_string(const std::string& text) {
  for (const StopReason reason : {StopReason::kRunning, StopReason::kMinReached, StopReason::kMaxCount,
                                  StopReason::kMaxSeconds, StopReason::kCapped}) {
    if (to_string(reason) == text) return reason;
  }
  throw std::invalid_argument("unknown stop reason '" + text +
                              "' (expected min_reached, max_count, max_seconds or capped)");
}

StopRule::StopRule(const MeasureConfig& measure)
    // At least one request: a timed loop never ends empty.
    : min_count_(std::max<std::int64_t>(measure.iterations, 1)),
      min_time_(to_duration(measure.min_seconds)),
      max_count_(std::max<std::int64_t>(measure.max_iterations, 0)),
      has_max_time_(measure.max_seconds > 0),
      max_time_(to_duration(measure.max_seconds)) {}

}  // namespace dli
