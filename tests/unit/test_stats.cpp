#include "dli/measure/stats.hpp"

#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

constexpr double kTight = 1e-12;

TEST(Stats, OddCountHasTheMiddleValueAsMedian) {
  const Summary s = summarize({3, 1, 2});
  EXPECT_EQ(s.count, 3);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 3);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.median, 2);
  EXPECT_DOUBLE_EQ(s.stddev, 1);  // sqrt((1 + 0 + 1) / (3 - 1))
  EXPECT_NEAR(s.p90, 2.8, kTight);  // rank 1.8
  EXPECT_NEAR(s.p95, 2.9, kTight);  // rank 1.9
  EXPECT_NEAR(s.p99, 2.98, kTight);  // rank 1.98
}

TEST(Stats, EvenCountMedianIsTheMeanOfTheTwoMiddleValues) {
  const Summary s = summarize({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.median, 2.5);  // the seed's upper middle would say 3
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_NEAR(s.stddev, 1.2909944487358056, kTight);  // sqrt(5 / 3)
  EXPECT_NEAR(s.p90, 3.7, kTight);   // rank 2.7
  EXPECT_NEAR(s.p95, 3.85, kTight);  // rank 2.85
  EXPECT_NEAR(s.p99, 3.97, kTight);  // rank 2.97
}

TEST(Stats, SingleValueIsEveryStatisticWithZeroSpread) {
  const Summary s = summarize({0.25});
  EXPECT_EQ(s.count, 1);
  EXPECT_DOUBLE_EQ(s.min, 0.25);
  EXPECT_DOUBLE_EQ(s.max, 0.25);
  EXPECT_DOUBLE_EQ(s.mean, 0.25);
  EXPECT_DOUBLE_EQ(s.median, 0.25);
  EXPECT_DOUBLE_EQ(s.p90, 0.25);
  EXPECT_DOUBLE_EQ(s.p99, 0.25);
  EXPECT_DOUBLE_EQ(s.stddev, 0);
}

TEST(Stats, UnsortedInputGivesInterpolatedPercentiles) {
  const Summary s = summarize({7, 3, 10, 1, 9, 2, 8, 5, 4, 6});
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_NEAR(s.p90, 9.1, kTight);   // rank 8.1
  EXPECT_NEAR(s.p95, 9.55, kTight);  // rank 8.55
  EXPECT_NEAR(s.p99, 9.91, kTight);  // rank 8.91
  EXPECT_NEAR(s.stddev, 3.0276503540974917, kTight);  // sqrt(82.5 / 9)
}

TEST(Stats, DuplicatesAreKeptAndNoOutlierIsDropped) {
  const Summary s = summarize({2, 2, 7, 2});
  EXPECT_EQ(s.count, 4);
  EXPECT_DOUBLE_EQ(s.median, 2);
  EXPECT_DOUBLE_EQ(s.mean, 3.25);  // the 7 counts
  EXPECT_DOUBLE_EQ(s.max, 7);
  EXPECT_NEAR(s.p90, 5.5, kTight);  // rank 2.7: 2 + 0.7 * 5
}

TEST(Stats, PercentileEndsAreMinimumAndMaximum) {
  const std::vector<double> values = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(percentile(values, 0), 1);
  EXPECT_DOUBLE_EQ(percentile(values, 100), 5);
  EXPECT_DOUBLE_EQ(percentile(values, 50), 3);
  EXPECT_NEAR(percentile(values, 25), 2, kTight);
  EXPECT_NEAR(percentile(values, 10), 1.4, kTight);  // rank 0.4
  EXPECT_DOUBLE_EQ(percentile({1, 2}, 50), 1.5);
}

TEST(Stats, PercentileOutsideZeroToHundredIsRejected) {
  EXPECT_THROW(percentile({1, 2}, -0.1), std::invalid_argument);
  EXPECT_THROW(percentile({1, 2}, 100.5), std::invalid_argument);
}

TEST(Stats, EmptyInputIsRejected) {
  EXPECT_THROW(summarize({}), std::invalid_argument);
  EXPECT_THROW(percentile({}, 50), std::invalid_argument);
  EXPECT_THROW(sync_metrics({}, 1), std::invalid_argument);
  EXPECT_THROW(async_metrics({}, 1.0, 1), std::invalid_argument);
}

TEST(Stats, SyncMetricsUseMedianLatencyAndMeanPass) {
  const Throughput t = sync_metrics({0.010, 0.050, 0.012, 0.011}, 2);
  EXPECT_NEAR(t.latency_s, 0.0115, kTight);      // median of 0.010 0.011 0.012 0.050
  EXPECT_NEAR(t.avg_pass_s, 0.02075, kTight);    // 0.083 / 4: the slow request counts
  EXPECT_NEAR(t.fps, 2 / 0.0115, 1e-9);          // batch / latency = 173.913...
}

TEST(Stats, AsyncMetricsUseWallTime) {
  const Throughput t = async_metrics({0.06, 0.04, 0.05}, 0.1, 4);
  EXPECT_NEAR(t.latency_s, 0.05, kTight);
  EXPECT_NEAR(t.avg_pass_s, 0.1 / 3, kTight);  // wall / iterations
  EXPECT_NEAR(t.fps, 120, 1e-9);               // 4 * 3 / 0.1
}

TEST(Stats, UnmeasurableDurationGivesZeroFpsAndBadBatchIsRejected) {
  EXPECT_DOUBLE_EQ(sync_metrics({0, 0, 0}, 1).fps, 0);
  EXPECT_DOUBLE_EQ(async_metrics({0.1}, 0, 1).fps, 0);
  EXPECT_THROW(sync_metrics({0.1}, 0), std::invalid_argument);
  EXPECT_THROW(async_metrics({0.1}, 1.0, 0), std::invalid_argument);
  EXPECT_THROW(async_metrics({0.1}, -1.0, 1), std::invalid_argument);
}

}  // namespace
}  // namespace dli
