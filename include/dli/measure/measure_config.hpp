#pragma once
#include <cstdint>
// When a test's timed loop starts and stops (docs/methodology.md, "One test").

namespace dli {

// Bounds of the durations below, wherever they come from (a sweep, a task list): large enough for any real test,
// small enough that every clock and conversion holds them (docs/config.md, "Durations").
inline constexpr double kMaxTimeoutSeconds = 7 * 24 * 3600.0;  // a week
inline constexpr double kMaxMeasureSeconds = 24 * 3600.0;       // a day

struct MeasureConfig {
  int iterations = 100;          // at least this many timed requests
  double min_seconds = 1.0;      // and at least this long
  int warmup_iterations = 5;     // excluded from statistics
  double warmup_seconds = 0.0;   // warm-up also lasts at least this long
  double timeout_seconds = 600;  // wall-clock limit of one test's child process
  // Address-space limit (RLIMIT_AS) of one test's child process, in MiB; 0: none. Off by default because some
  // frameworks reserve large virtual areas they never touch, which such a limit counts in full.
  int memory_limit_mb = 0;
  // Maxima: the loop stops at whichever comes first even if the minima are not met (its verdict then says so).
  // 0: none.
  std::int64_t max_iterations = 0;
  double max_seconds = 0;
  // Verdict thresholds (docs/methodology.md, "Verdicts").
  double max_cv = 0.2;            // request times' stddev / mean above this is INVALID; 0: no CV rule
  double latency_bound_s = 0;     // the reported percentile above this is INVALID; 0: none (Server requires one)
  double latency_percentile = 0;  // the percentile a scenario reports; 0: the scenario's default (90, 99, 99)
  // Other processes' share of the host's CPU time during the test (TestEnvironment::other_cpu_share) above this is
  // INVALID (host_busy); 0: no busy rule. The default is the threshold of the "host busy" warning (kBusyShare).
  double max_busy_share = 0.05;
  // The runner on CPUs of its own and the agent on one apart while a test measures (docs/methodology.md, "The host
  // around a test"). Off by default: the CPUs a framework may use are then the host's, as users run it.
  bool pin_cpus = false;
  // Server search: the highest target rate that stays VALID, in at most search_trials Server runs.
  bool server_search = false;
  int search_trials = 8;
  // How many times the test runs in one sweep (docs/methodology.md, "Repeats"); its figure is the median repeat's.
  // Not part of the test's identity: a test measured once or five times is the same test.
  int repeats = 1;
  // The repeats' figures' stddev / mean above this makes the test's row INVALID; 0: no such rule. Like `repeats`,
  // not part of the test's identity.
  double max_repeat_cv = 0.05;
};

// Bounds of `repeats`: more than this is a benchmark of its own, not a nightly sweep's test.
inline constexpr int kMaxRepeats = 100;

}  // namespace dli
