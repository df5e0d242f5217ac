// Log-spaced histogram of request times (docs/methodology.md, "The histogram").
#include "dli/measure/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

namespace dli {

std::int64_t Histogram::total() const {
  std::int64_t sum = 0;
  for (const auto& bucket : buckets) sum += bucket.count;
  return sum;
}

std::int32_t histogram_index(double seconds) {
  if (!(seconds >= kHistogramBase)) return 0;  // zero, tiny and NaN times: the lowest bucket
  const double index = std::floor(std::log(seconds / kHistogramBase) / std::log(kHistogramGrowth));
  // A time exactly on a bound may round to the bucket below; the bound check puts it where it belongs.
  auto result = static_cast<std::int32_t>(std::min(index, double{std::numeric_limits<std::int32_t>::max() - 1}));
  if (histogram_lower_bound(result + 1) <= seconds) ++result;
  if (result > 0 && histogram_lower_bound(result) > seconds) --result;
  return result;
}

double histogram_lower_bound(std::int32_t index) { return kHistogramBase * std::pow(kHistogramGrowth, index); }

double histogram_middle(std::int32_t index) { return histogram_lower_bound(index) * std::sqrt(kHistogramGrowth); }

Histogram make_histogram(const std::vector<double>& seconds) {
  std::map<std::int32_t, std::int64_t> counts;
  for (const double value : seconds) ++counts[histogram_index(value)];
  Histogram histogram;
  histogram.buckets.reserve(counts.size());
  for (const auto& [index, count] : counts) histogram.buckets.push_back({index, count});
  return histogram;
}

namespace {

// The middle of the bucket that holds the time of 0-based rank `rank` in ascending order.
double ranked_middle(const Histogram& histogram, std::int64_t rank) {
  std::int64_t seen = 0;
  for (const auto& bucket : histogram.buckets) {
    seen += bucket.count;
    if (rank < seen) return histogram_middle(bucket.index);
  }
  return histogram_middle(histogram.buckets.back().index);
}

}  // namespace

double histogram_percentile(const Histogram& histogram, double p) {
  const std::int64_t n = histogram.total();
  if (n <= 0) throw std::invalid_argument("histogram_percentile: empty histogram");
  if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile must be within [0, 100]");
  const double rank = p / 100.0 * static_cast<double>(n - 1);
  const auto below = static_cast<std::int64_t>(std::floor(rank));
  const std::int64_t above = std::min(below + 1, n - 1);
  const double fraction = rank - static_cast<double>(below);
  const double low = ranked_middle(histogram, below);
  const double high = ranked_middle(histogram, above);
  return low + (high - low) * fraction;
}

}  // namespace dli
