// The Server schedule and search (docs/methodology.md, "Server"): pure, seeded, exact.
#include "dli/measure/schedule.hpp"

#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "dli/measure/server_search.hpp"

namespace dli {
namespace {

TEST(Schedule, PoissonArrivalsAreExactForASeed) {
  // Computed independently: SplitMix64 from seed 1, u = top 53 bits / 2^53, gap = -log1p(-u) / 100.
  const std::vector<double> times = poisson_schedule(100.0, 3, 1);
  ASSERT_EQ(times.size(), 3u);
  EXPECT_DOUBLE_EQ(times[0], 0.008360055347703592);
  EXPECT_DOUBLE_EQ(times[1], 0.022055676922798625);
  EXPECT_DOUBLE_EQ(times[2], 0.057461220970525174);
  EXPECT_EQ(poisson_schedule(100.0, 3, 1), times) << "same seed, same schedule";
  EXPECT_NE(poisson_schedule(100.0, 3, 2), times);
}

TEST(Schedule, GapsAverageTheInverseRate) {
  const std::vector<double> times = poisson_schedule(1000.0, 100000);
  for (std::size_t i = 1; i < times.size(); ++i) ASSERT_GE(times[i], times[i - 1]);
  // 100000 exponential gaps of mean 1 ms: their mean is within 1 % (about 3 standard errors).
  EXPECT_NEAR(times.back() / 100000.0, 1e-3, 1e-5);
}

TEST(Schedule, RefusesARateThatIsNotPositive) {
  EXPECT_THROW(poisson_schedule(0, 3), std::invalid_argument);
  EXPECT_THROW(poisson_schedule(-5, 3), std::invalid_argument);
}

TEST(Schedule, QueryCountCoversBothMinimaUpToTheMaximum) {
  MeasureConfig measure;
  measure.iterations = 100;
  measure.min_seconds = 2;
  EXPECT_EQ(server_query_count(measure, 10), 100u) << "the count wins at a low rate";
  EXPECT_EQ(server_query_count(measure, 500), 1000u) << "the time wins at a high rate";
  measure.max_iterations = 600;
  EXPECT_EQ(server_query_count(measure, 500), 600u);
}

std::vector<SearchTrial> trials(std::initializer_list<std::pair<double, bool>> list) {
  std::vector<SearchTrial> result;
  for (const auto& [rate, valid] : list) result.push_back({rate, 0.001, valid});
  return result;
}

TEST(ServerSearch, DoublesWhileValidHalvesWhileInvalidThenBisects) {
  EXPECT_EQ(next_search_rate({}, 100, 8), 100.0);
  EXPECT_EQ(next_search_rate(trials({{100, true}}), 100, 8), 200.0);
  EXPECT_EQ(next_search_rate(trials({{100, true}, {200, true}}), 100, 8), 400.0);
  EXPECT_EQ(next_search_rate(trials({{100, true}, {200, false}}), 100, 8), 150.0);
  EXPECT_EQ(next_search_rate(trials({{100, true}, {200, false}, {150, true}}), 100, 8), 175.0);
  EXPECT_EQ(next_search_rate(trials({{100, false}}), 100, 8), 50.0);
  EXPECT_EQ(next_search_rate(trials({{100, false}, {50, true}}), 100, 8), 75.0);
}

TEST(ServerSearch, StopsAtTheTrialLimitOrWhenTheBracketIsNarrow) {
  EXPECT_FALSE(next_search_rate(trials({{100, true}, {200, true}}), 100, 2).has_value());
  EXPECT_FALSE(next_search_rate({}, 100, 0).has_value());
  EXPECT_FALSE(next_search_rate(trials({{100, true}, {105, false}}), 100, 8).has_value()) << "within 5 %";
  EXPECT_TRUE(next_search_rate(trials({{100, true}, {106, false}}), 100, 8).has_value());
}

TEST(ServerSearch, ReportsTheHighestValidRateOrElseTheLastTrial) {
  const auto some = trials({{100, true}, {200, false}, {150, true}, {175, false}});
  EXPECT_EQ(best_trial(some)->rate, 150.0);
  const auto none = trials({{100, false}, {50, false}});
  EXPECT_EQ(best_trial(none)->rate, 50.0);
  EXPECT_EQ(best_trial({}), nullptr);
}

}  // namespace
}  // namespace dli
