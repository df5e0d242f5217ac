#pragma once
// A compact histogram of request times, enough to draw their distribution and to recompute any percentile without
// a rerun (docs/methodology.md, "The histogram"). Log-spaced buckets: bucket i holds the times t with
// kHistogramBase * kHistogramGrowth^i <= t < kHistogramBase * kHistogramGrowth^(i+1); only non-empty buckets are
// kept. A bucket stands for its geometric middle, which is within kHistogramRelativeError of every time in it.
#include <cstdint>
#include <vector>

namespace dli {

inline constexpr double kHistogramBase = 1e-9;    // seconds: times below one nanosecond count in bucket 0
inline constexpr double kHistogramGrowth = 1.02;  // each bucket's bounds are 2 % apart
// sqrt(kHistogramGrowth) - 1: the largest relative distance between a time and its bucket's middle (< 1 %).
inline constexpr double kHistogramRelativeError = 0.0099504938362078;

struct HistogramBucket {
  std::int32_t index = 0;
  std::int64_t count = 0;
  bool operator==(const HistogramBucket& other) const { return index == other.index && count == other.count; }
};

struct Histogram {
  std::vector<HistogramBucket> buckets;  // ascending index, every count > 0
  std::int64_t total() const;
};

std::int32_t histogram_index(double seconds);         // the bucket of a time (0 for anything below the base)
double histogram_lower_bound(std::int32_t index);     // kHistogramBase * kHistogramGrowth^index
double histogram_middle(std::int32_t index);          // the geometric middle: lower bound * sqrt(growth)

Histogram make_histogram(const std::vector<double>& seconds);

// The p-th percentile (p in [0, 100]) recomputed from the histogram by the methodology's definition (linear
// interpolation between closest ranks), each ranked time replaced by its bucket's middle. Within
// kHistogramRelativeError of the percentile of the times themselves for any time of at least kHistogramBase.
// Throws std::invalid_argument on an empty histogram or p outside [0, 100].
double histogram_percentile(const Histogram& histogram, double p);

}  // namespace dli
