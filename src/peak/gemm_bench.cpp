// The GEMM micro-benchmark behind host.json's gemm_peak.
#include "dli/peak/gemm_bench.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "dli/util/clock.hpp"

namespace dli {

GemmPeak measure_gemm_peak(const GemmBenchOptions& options) {
  GemmPeak peak;
  peak.n = options.n;
  peak.threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  openblas_set_num_threads(peak.threads);
  peak.threads = openblas_get_num_threads();  // what OpenBLAS accepted (it caps at its build's maximum)
  const char* config = openblas_get_config();
  peak.library = config ? config : "OpenBLAS";
  peak.measured_at = utc_now_iso8601();

  const std::size_t size = static_cast<std::size_t>(options.n) * static_cast<std::size_t>(options.n);
  // Values that stay finite and normal through the products: denormals would slow some CPUs down.
  std::vector<float> a(size, 0.5f), b(size, 0.25f), c(size, 0.0f);
  const auto call = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, options.n, options.n, options.n, 1.0f, a.data(), options.n,
                b.data(), options.n, 0.0f, c.data(), options.n);
  };
  call();
  using Clock = std::chrono::steady_clock;
  double best = 0;
  const Clock::time_point start = Clock::now();
  for (;;) {
    const Clock::time_point before = Clock::now();
    call();
    const Clock::time_point after = Clock::now();
    const double seconds = std::chrono::duration<double>(after - before).count();
    best = std::max(best, gemm_gflops(options.n, 1, seconds));
    ++peak.calls;
    peak.seconds = std::chrono::duration<double>(after - start).count();
    if (peak.calls >= options.min_calls && peak.seconds >= options.budget_seconds) break;
  }
  peak.gflops = best;
  return peak;
}

}  // namespace dli
