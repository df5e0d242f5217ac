// Exponential backoff with full jitter: ceilings double up to the cap, waits fill [0, ceiling] and differ between
// clients.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "dli/util/backoff.hpp"

namespace dli {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, CeilingDoublesPerRetryUpToTheCap) {
  const milliseconds base(250), cap(8'000);
  EXPECT_EQ(backoff_ceiling(base, 1, cap), milliseconds(500));
  EXPECT_EQ(backoff_ceiling(base, 2, cap), milliseconds(1'000));
  EXPECT_EQ(backoff_ceiling(base, 3, cap), milliseconds(2'000));
  EXPECT_EQ(backoff_ceiling(base, 5, cap), milliseconds(8'000));
  EXPECT_EQ(backoff_ceiling(base, 6, cap), milliseconds(8'000));
  EXPECT_EQ(backoff_ceiling(base, 1'000'000, cap), milliseconds(8'000));  // no overflow
  EXPECT_EQ(backoff_ceiling(milliseconds(0), 3, cap), milliseconds(0));
}

TEST(Backoff, WaitsSpreadOverTheWholeRangeWithTheUnjitteredMean) {
  std::mt19937_64 random(42);
  const milliseconds base(100), cap(8'000);
  for (int retry = 1; retry <= 3; ++retry) {
    const milliseconds ceiling = backoff_ceiling(base, retry, cap);
    double sum = 0;
    milliseconds low = ceiling, high(0);
    const int draws = 4'000;
    for (int i = 0; i < draws; ++i) {
      const milliseconds wait = backoff_delay(base, retry, cap, random);
      ASSERT_GE(wait.count(), 0);
      ASSERT_LE(wait, ceiling);
      low = std::min(low, wait);
      high = std::max(high, wait);
      sum += static_cast<double>(wait.count());
    }
    // Mean base * 2^(retry-1), as plain doubling from `base` would wait; extremes near both ends.
    const double expected = static_cast<double>(base.count() << (retry - 1));
    EXPECT_NEAR(sum / draws, expected, expected * 0.1) << "retry " << retry;
    EXPECT_LT(low.count(), ceiling.count() / 20) << "retry " << retry;
    EXPECT_GT(high.count(), ceiling.count() * 19 / 20) << "retry " << retry;
  }
}

TEST(Backoff, ClientsSeededApartWaitDifferently) {
  std::set<milliseconds::rep> first_waits;
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 random(seed);
    first_waits.insert(backoff_delay(milliseconds(250), 1, milliseconds(8'000), random).count());
  }
  EXPECT_GE(first_waits.size(), 15u);
}

}  // namespace
}  // namespace dli
