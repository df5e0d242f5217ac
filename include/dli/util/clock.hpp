#pragma once
#include <chrono>
#include <string>

namespace dli {

using SteadyClock = std::chrono::steady_clock;

// Seconds between two steady-clock points.
inline double seconds_between(SteadyClock::time_point start, SteadyClock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

std::string utc_now_iso8601();         // "2026-11-21T19:30:00Z"
std::string utc_now_compact();         // "20261121-193000", for run ids

}  // namespace dli
