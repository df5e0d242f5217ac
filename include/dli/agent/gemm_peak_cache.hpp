#pragma once
// The host's GEMM peak, measured once per boot: a host's peak does not change between runs, and a second of
// measuring every core per agent start would add up over a fleet's nightly runs (and slow every agent sharing the
// machine). Kept machine-wide, per user, in <temp dir>/dli-gemm-peak-<uid>.json with the kernel's boot id, whatever
// the agent's work dir; a new boot (or another agent version, or another library) measures again.
#include <optional>
#include <string>

#include "dli/protocol/gemm_peak.hpp"

namespace dli {

// The cache's text for a peak measured under `boot_id` by this agent version.
std::string gemm_peak_cache_text(const GemmPeak& peak, const std::string& boot_id);
// The cached peak when `text` is a cache of this boot and agent version; std::nullopt otherwise (also malformed).
std::optional<GemmPeak> gemm_peak_from_cache(const std::string& text, const std::string& boot_id);

std::string gemm_peak_cache_path();

// The program that measures the peak (dli/peak/gemm_bench.hpp; agent/gemm_peak_main.cpp), found like a runner. Its
// own process, so that the agent never loads OpenBLAS: OpenBLAS starts its thread pool when loaded, and its idle
// threads spin for about 0.1 s of CPU at every agent start, beside the first tests.
inline constexpr const char* kGemmPeakProgram = "dli-gemm-peak";

struct HostGemmPeak {
  std::optional<GemmPeak> peak;
  std::string why_missing;  // when peak is empty
};
// From the cache when it is this boot's, else measured by `program` (empty: not installed) and cached.
HostGemmPeak host_gemm_peak(const std::string& program);

}  // namespace dli
