#pragma once
// A host's measured compute peak (host.json's `gemm_peak`, docs/protocol.md; docs/methodology.md "Efficiency"):
// the best single-precision GEMM rate of a BLAS library on all the host's CPUs. The yardstick of a CPU test's
// achieved GFLOP/s. Measured by the agent (dli/peak/gemm_bench.hpp).
#include <string>

#include <nlohmann/json.hpp>

namespace dli {

struct GemmPeak {
  double gflops = 0;                  // best call: 2 x n^3 / its seconds / 1e9
  std::string method = "cblas_sgemm";
  std::string library;                // the BLAS library as it names itself, e.g. "OpenBLAS 0.3.21 ... Haswell"
  int n = 0;                          // square matrices n x n, single precision
  int threads = 0;                    // BLAS threads
  int calls = 0;                      // timed calls (the best counts)
  double seconds = 0;                 // time spent in the timed calls
  std::string measured_at;            // UTC ISO 8601

  bool operator==(const GemmPeak& other) const;
};

nlohmann::json to_json(const GemmPeak& peak);
GemmPeak gemm_peak_from_json(const nlohmann::json& json);  // throws std::runtime_error on a malformed document

// Floating-point operations per second of n x n x n GEMM calls, in GFLOP/s: 2 n^3 per call (one multiply and one
// add per multiply-accumulate). 0 when `seconds` is not positive.
double gemm_gflops(int n, int calls, double seconds);

}  // namespace dli
