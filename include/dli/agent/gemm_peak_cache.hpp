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
// From the cache when it is this boot's, else measured (dli/peak/gemm_bench.hpp) and cached.
GemmPeak host_gemm_peak();

}  // namespace dli
