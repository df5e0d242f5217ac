#pragma once
// Limits of fleet and sweep files (docs/config.md, "Limits"). They are checked before or while the YAML is parsed,
// so that a huge or hostile file is refused in bounded time and memory instead of being read whole into nodes.
#include <cstddef>

#include "dli/measure/measure_config.hpp"

namespace dli::config_limits {

inline constexpr std::size_t kMaxFileBytes = 16u << 20;     // one YAML file: 16 MiB
inline constexpr std::size_t kMaxTextBytes = 4096;          // one scalar (key or value): a path fits (PATH_MAX)
inline constexpr std::size_t kMaxItems = 10'000;            // entries of one list or map
inline constexpr std::size_t kMaxNodes = 200'000;           // values in one file (keys, scalars, lists, maps)
inline constexpr std::size_t kMaxDepth = 32;                // nesting of lists and maps
inline constexpr std::size_t kMaxDiagnostics = 100;         // problems listed; the rest are counted

// Tests of a plan, counted before anything is expanded: each planned test costs memory in the integrator and a line
// in a task list, and a sweep multiplying its lists by mistake must be refused, not planned.
inline constexpr double kMaxTestsPerHost = 100'000;
inline constexpr double kMaxTestsPerRun = 1'000'000;

// Durations, in seconds: large enough for any real use, small enough that every clock and conversion holds them.
inline constexpr double kMaxTestTimeoutSeconds = kMaxTimeoutSeconds;  // measure.timeout_seconds, limits.test_timeout
inline constexpr double kMaxMeasureSeconds = dli::kMaxMeasureSeconds;  // measure.min_seconds, measure.warmup_seconds
inline constexpr double kMaxConnectTimeoutSeconds = 3600;          // an ssh host's connect_timeout

}  // namespace dli::config_limits
