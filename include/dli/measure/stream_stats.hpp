#pragma once
// Each stream's own latency statistics, and how far apart the streams of one test are (docs/methodology.md,
// "Threads and requests in flight"). Pure.
#include <cstdint>
#include <vector>

namespace dli {

struct StreamStats {
  std::int64_t count = 0;
  double median_s = 0, p90_s = 0, mean_s = 0;  // by the definitions of stats.hpp; 0 for a stream without requests
};

// `seconds` holds every stream's times, one stream after another, `counts[i]` of them stream i's. Throws
// std::invalid_argument when the counts do not add up to seconds.size() or one is negative.
std::vector<StreamStats> stream_stats(const std::vector<double>& seconds, const std::vector<std::int64_t>& counts);

// Streams whose medians differ by more than this share of the lowest median get a verdict note: the requests in
// flight did not get the same service (a share of the threads not honoured, an unfair scheduler).
inline constexpr double kMaxStreamImbalance = 0.25;

// (highest median - lowest median) / lowest median over the streams with requests; 0 with fewer than two such
// streams or a lowest median of 0.
double stream_imbalance(const std::vector<StreamStats>& streams);

}  // namespace dli
