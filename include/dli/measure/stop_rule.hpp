#pragma once
// When a timed loop stops, and which rule stopped it (docs/methodology.md, "Stopping"): as soon as both the minimum
// count and the minimum time are met, or at a maximum (count or seconds) when one is set. Checked after every
// request inside the timed loops, so it is inline and does nothing but compare.
#include <chrono>
#include <cstdint>
#include <string>

#include "dli/measure/measure_config.hpp"
#include "dli/util/clock.hpp"

namespace dli {

// kRunning: no rule has stopped the loop yet. kCapped: the loop's preallocated sample buffer was full (it stops
// rather than allocate while timing).
enum class StopReason { kRunning, kMinReached, kMaxCount, kMaxSeconds, kCapped };
std::string to_string(StopReason reason);                // "running", "min_reached", "max_count", "max_seconds", "capped"
StopReason stop_reason_from_string(const std::string& text);  // throws std::invalid_argument

class StopRule {
 public:
  explicit StopRule(const MeasureConfig& measure);
  // `done` requests completed, `elapsed` since the loop's clock started.
  StopReason check(std::int64_t done, SteadyClock::duration elapsed) const {
    if (done >= min_count_ && elapsed >= min_time_) return StopReason::kMinReached;
    if (max_count_ > 0 && done >= max_count_) return StopReason::kMaxCount;
    if (has_max_time_ && elapsed >= max_time_) return StopReason::kMaxSeconds;
    return StopReason::kRunning;
  }
  std::int64_t min_count() const { return min_count_; }
  std::int64_t max_count() const { return max_count_; }  // 0: none

 private:
  std::int64_t min_count_ = 1;
  SteadyClock::duration min_time_{};
  std::int64_t max_count_ = 0;
  bool has_max_time_ = false;
  SteadyClock::duration max_time_{};
};

}  // namespace dli
