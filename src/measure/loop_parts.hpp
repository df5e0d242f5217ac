#pragma once
// Pieces shared by the timed loops (measurement.cpp, server_loop.cpp); private to dli_measure.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "dli/measure/measurement.hpp"
#include "dli/util/clock.hpp"

namespace dli::loop_parts {

inline SteadyClock::duration to_duration(double seconds) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds));
}

inline double to_seconds(SteadyClock::duration duration) { return std::chrono::duration<double>(duration).count(); }

inline void check_measure(const MeasureConfig& measure) {
  // Also bounds the seconds so that converting them to clock ticks cannot overflow.
  constexpr double kYear = 365.0 * 24 * 3600;
  if (!(measure.min_seconds >= 0 && measure.min_seconds <= kYear)) {
    throw std::invalid_argument("measure.min_seconds must be from 0 to a year");
  }
  if (!(measure.warmup_seconds >= 0 && measure.warmup_seconds <= kYear)) {
    throw std::invalid_argument("measure.warmup_seconds must be from 0 to a year");
  }
  if (measure.iterations < 0 || measure.warmup_iterations < 0) {
    throw std::invalid_argument("measure.iterations and measure.warmup_iterations must not be negative");
  }
  if (measure.max_iterations < 0 || !(measure.max_seconds >= 0 && measure.max_seconds <= kYear)) {
    throw std::invalid_argument("measure.max_iterations and measure.max_seconds must not be negative");
  }
}

struct Warmup {
  std::int64_t requests = 0;
  double fastest_seconds = std::numeric_limits<double>::infinity();
};

// Where the sample buffer is sized from the warm-up's pace (a test with a minimum time), warm-up lasts at least 5 %
// of that minimum time (at least 10 ms, at most 1 s) whatever the settings: the first few requests of a fast model
// are many times slower than its steady pace, and a buffer sized from them fills up early (`capped`). A slow model's
// warm-up passes it within its first requests; a fast one's gains that much time.
inline constexpr double kPaceProbeShare = 0.05, kPaceProbeMinSeconds = 0.01, kPaceProbeMaxSeconds = 1.0;
inline double pace_probe_seconds(const MeasureConfig& measure) {
  if (!(measure.min_seconds > 0)) return 0.0;
  return std::min(std::max(kPaceProbeShare * measure.min_seconds, kPaceProbeMinSeconds), kPaceProbeMaxSeconds);
}

// At least `min_requests` (and always one: its time sizes the sample buffer) and at least `min_seconds`.
inline Warmup warm_up(TimedRequest& session, const std::vector<float>& input, std::int64_t min_requests,
                      double min_seconds) {
  min_requests = std::max<std::int64_t>(min_requests, 1);
  const SteadyClock::duration min_duration = to_duration(min_seconds);
  Warmup warmup;
  const SteadyClock::time_point start = SteadyClock::now();
  SteadyClock::time_point previous = start;
  while (warmup.requests < min_requests || previous - start < min_duration) {
    session.infer(input.data(), input.size());
    const SteadyClock::time_point now = SteadyClock::now();
    warmup.fastest_seconds = std::min(warmup.fastest_seconds, to_seconds(now - previous));
    previous = now;
    ++warmup.requests;
  }
  return warmup;
}

}  // namespace dli::loop_parts
