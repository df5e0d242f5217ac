// The stop rule (docs/methodology.md, "Stopping"): both minima, or a maximum, and which one stopped the loop.
#include "dli/measure/stop_rule.hpp"

#include <chrono>
#include <stdexcept>

#include <gtest/gtest.h>

namespace dli {
namespace {

using std::chrono::milliseconds;

MeasureConfig minima(int count, double seconds) {
  MeasureConfig measure;
  measure.iterations = count;
  measure.min_seconds = seconds;
  return measure;
}

TEST(StopRule, StopsOnlyWhenBothMinimaAreMet) {
  const StopRule rule(minima(10, 1.0));
  EXPECT_EQ(rule.check(9, milliseconds(5000)), StopReason::kRunning);
  EXPECT_EQ(rule.check(1000, milliseconds(999)), StopReason::kRunning);
  EXPECT_EQ(rule.check(10, milliseconds(1000)), StopReason::kMinReached);
}

TEST(StopRule, AMaximumStopsItFirstAndSaysWhich) {
  MeasureConfig measure = minima(100, 10.0);
  measure.max_iterations = 500;
  measure.max_seconds = 2.0;
  const StopRule rule(measure);
  EXPECT_EQ(rule.check(499, milliseconds(1999)), StopReason::kRunning);
  EXPECT_EQ(rule.check(500, milliseconds(10)), StopReason::kMaxCount);
  EXPECT_EQ(rule.check(200, milliseconds(2000)), StopReason::kMaxSeconds);
  EXPECT_EQ(rule.check(500, milliseconds(10000)), StopReason::kMinReached) << "the minima win when both hold";
}

TEST(StopRule, NeverEndsAnEmptyLoop) {
  const StopRule rule(minima(0, 0.0));
  EXPECT_EQ(rule.check(0, milliseconds(0)), StopReason::kRunning);
  EXPECT_EQ(rule.check(1, milliseconds(0)), StopReason::kMinReached);
}

TEST(StopRule, ReasonsHaveTheirResultNames) {
  EXPECT_EQ(to_string(StopReason::kMinReached), "min_reached");
  EXPECT_EQ(to_string(StopReason::kMaxCount), "max_count");
  EXPECT_EQ(to_string(StopReason::kMaxSeconds), "max_seconds");
  EXPECT_EQ(to_string(StopReason::kCapped), "capped");
  for (const auto reason : {StopReason::kMinReached, StopReason::kMaxCount, StopReason::kMaxSeconds,
                            StopReason::kCapped}) {
    EXPECT_EQ(stop_reason_from_string(to_string(reason)), reason);
  }
  EXPECT_THROW(stop_reason_from_string("tired"), std::invalid_argument);
}

}  // namespace
}  // namespace dli
