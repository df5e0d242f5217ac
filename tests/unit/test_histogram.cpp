// The histogram of request times (docs/methodology.md, "The histogram"): buckets, and percentiles recomputed from it
// within the stated relative error.
#include "dli/measure/histogram.hpp"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "dli/measure/stats.hpp"

namespace dli {
namespace {

TEST(Histogram, BucketsAreTwoPercentWideFromOneNanosecond) {
  EXPECT_EQ(histogram_index(0.0), 0);
  EXPECT_EQ(histogram_index(5e-10), 0) << "below the base";
  EXPECT_EQ(histogram_index(1e-9), 0);
  EXPECT_EQ(histogram_index(1.02e-9), 1) << "exactly on a bound: the bucket above";
  EXPECT_EQ(histogram_index(1.0199e-9), 0);
  // 1 ms = 1e6 ns: log(1e6) / log(1.02) = 697.65...
  EXPECT_EQ(histogram_index(1e-3), 697);
  EXPECT_LE(histogram_lower_bound(697), 1e-3);
  EXPECT_GT(histogram_lower_bound(698), 1e-3);
  EXPECT_DOUBLE_EQ(histogram_middle(0), 1e-9 * std::sqrt(1.02));
  EXPECT_NEAR(kHistogramRelativeError, std::sqrt(kHistogramGrowth) - 1, 1e-15);
}

TEST(Histogram, KeepsOnlyNonEmptyBucketsInAscendingOrder) {
  const Histogram h = make_histogram({1e-3, 2e-3, 1e-3, 1.0001e-3, 0.0});
  const std::vector<HistogramBucket> expected = {{0, 1}, {697, 3}, {732, 1}};
  EXPECT_EQ(h.buckets, expected);
  EXPECT_EQ(h.total(), 5);
}

TEST(Histogram, PercentilesOfOneBucketAreItsMiddle) {
  const Histogram h = make_histogram({1e-3, 1e-3, 1e-3});
  EXPECT_DOUBLE_EQ(histogram_percentile(h, 0), histogram_middle(697));
  EXPECT_DOUBLE_EQ(histogram_percentile(h, 99.9), histogram_middle(697));
}

TEST(Histogram, InterpolatesBetweenRankedBucketsLikeTheTimes) {
  // Times 1, 2, 3, 4 ms: p90 is at rank 2.7, between the third and the fourth.
  const Histogram h = make_histogram({1e-3, 2e-3, 3e-3, 4e-3});
  const double third = histogram_middle(histogram_index(3e-3));
  const double fourth = histogram_middle(histogram_index(4e-3));
  EXPECT_DOUBLE_EQ(histogram_percentile(h, 90), third + (fourth - third) * 0.7);
}

TEST(Histogram, ReproducesTheReportedPercentilesWithinTheStatedError) {
  // A skewed, tailed distribution over five decades, as real request times are.
  std::vector<double> times;
  std::uint32_t state = 7;
  for (int i = 0; i < 20000; ++i) {
    state = state * 1664525u + 1013904223u;
    const double unit = static_cast<double>(state >> 8) / 16777216.0;
    times.push_back(2e-6 * std::exp(11.0 * unit * unit * unit));
  }
  const Summary s = summarize(times);
  const Histogram h = make_histogram(times);
  EXPECT_EQ(h.total(), 20000);
  const std::vector<std::pair<double, double>> reported = {
      {0, s.min}, {50, s.median}, {90, s.p90}, {95, s.p95}, {99, s.p99}, {99.9, s.p999}, {100, s.max}};
  for (const auto& [p, value] : reported) {
    SCOPED_TRACE(p);
    EXPECT_LE(std::fabs(histogram_percentile(h, p) - value), kHistogramRelativeError * value);
  }
  // And the bound is not loose by much: some percentile lands more than half of it away.
  double worst = 0;
  for (const auto& [p, value] : reported) worst = std::max(worst, std::fabs(histogram_percentile(h, p) / value - 1));
  EXPECT_GT(worst, 0.2 * kHistogramRelativeError);
}

TEST(Histogram, RefusesAnEmptyHistogramAndABadPercentile) {
  EXPECT_THROW(histogram_percentile(Histogram{}, 50), std::invalid_argument);
  EXPECT_THROW(histogram_percentile(make_histogram({1e-3}), 101), std::invalid_argument);
}

}  // namespace
}  // namespace dli
