#pragma once
// The host's compute peak, measured: single-precision GEMM through OpenBLAS (cblas_sgemm) on `threads` threads
// (docs/methodology.md, "Efficiency"). Run by the agent once, before its first test, never while one is timed.
#include "dli/protocol/gemm_peak.hpp"

namespace dli {

struct GemmBenchOptions {
  int n = 2048;                // large enough for OpenBLAS's blocked kernels to reach their steady rate
  int threads = 0;             // 0: every logical CPU of the host
  double budget_seconds = 1;   // timed calls stop once this much time has passed (at least min_calls)
  int min_calls = 3;
};

// One untimed call (thread pool start, page faults), then timed calls until the budget is spent; the peak is the
// best call's rate, since it is the machine's limit and not its average that the yardstick needs.
GemmPeak measure_gemm_peak(const GemmBenchOptions& options = {});

}  // namespace dli
