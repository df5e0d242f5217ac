#pragma once
// When a test's timed loop starts and stops (docs/methodology.md, "One test").

namespace dli {

struct MeasureConfig {
  int iterations = 100;          // at least this many timed requests
  double min_seconds = 1.0;      // and at least this long
  int warmup_iterations = 5;     // excluded from statistics
  double warmup_seconds = 0.0;   // warm-up also lasts at least this long
  double timeout_seconds = 600;  // wall-clock limit of one test's child process
  // Address-space limit (RLIMIT_AS) of one test's child process, in MiB; 0: none. Off by default because some
  // frameworks reserve large virtual areas they never touch, which such a limit counts in full.
  int memory_limit_mb = 0;
};

}  // namespace dli
