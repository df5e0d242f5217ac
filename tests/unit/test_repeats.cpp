// A repeated test's row: the median repeat, the repeats' CV, and what the verdict adds.
#include "dli/report/repeats.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

TestResult repeat_with(int repeat, double fps, Mode mode = Mode::kSync) {
  TestResult result;
  result.spec.mode = mode;
  result.spec.measure.repeats = 4;
  result.spec.repeat = repeat;
  result.status = TestStatus::kOk;
  Measurement m;
  m.throughput.fps = fps;
  m.throughput.latency_s = 1 / fps;
  m.target_qps = fps / 2;
  m.iterations = repeat;  // tells which repeat a row shows
  result.measurement = m;
  return result;
}

TestResult failed_repeat(int repeat) {
  TestResult result;
  result.spec.measure.repeats = 4;
  result.spec.repeat = repeat;
  result.status = TestStatus::kCrashed;
  result.reason = "killed by signal 11 (SIGSEGV)";
  return result;
}

TEST(CombineRepeats, AnOddCountShowsTheMedianRepeatInRepeatOrderWhateverTheInputOrder) {
  const auto combined = combine_repeats({repeat_with(3, 98), repeat_with(1, 100), repeat_with(2, 102)}, 3);
  ASSERT_TRUE(combined.result);
  EXPECT_EQ(combined.summary.median_repeat, 1);
  EXPECT_EQ(combined.result->measurement->iterations, 1);
  EXPECT_EQ(combined.summary.repeats, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(combined.summary.figures, (std::vector<double>{100, 102, 98}));
  EXPECT_DOUBLE_EQ(combined.summary.cv, 0.02);  // mean 100, sample stddev 2
  EXPECT_TRUE(combined.result->measurement->verdict.valid);
  EXPECT_TRUE(combined.result->measurement->verdict.notes.empty());
}

// Of an even count the row shows the worse middle repeat: a figure that never flatters.
TEST(CombineRepeats, AnEvenCountShowsTheWorseOfTheTwoMiddleRepeats) {
  const std::vector<TestResult> fps = {repeat_with(1, 100), repeat_with(2, 101), repeat_with(3, 99), repeat_with(4, 102)};
  EXPECT_EQ(combine_repeats(fps, 4).summary.median_repeat, 1) << "FPS: the lower middle, 100";
  std::vector<TestResult> latency = fps;
  const double milliseconds[] = {0.010, 0.011, 0.009, 0.012};
  for (std::size_t i = 0; i < latency.size(); ++i) {
    latency[i].spec.mode = Mode::kSingleStream;
    latency[i].measurement->throughput.latency_s = milliseconds[i];
  }
  EXPECT_EQ(combine_repeats(latency, 4).summary.median_repeat, 2) << "latency: the longer middle, 11 ms";
  EXPECT_EQ(combine_repeats(latency, 4).summary.figures, (std::vector<double>{0.010, 0.011, 0.009, 0.012}));
}

TEST(CombineRepeats, RepeatsThatDisagreeBeyondTheThresholdMakeTheRowInvalid) {
  std::vector<TestResult> results = {repeat_with(1, 100), repeat_with(2, 120), repeat_with(3, 80)};
  for (auto& result : results) result.spec.measure.max_repeat_cv = 0.05;
  const auto combined = combine_repeats(results, 3);
  EXPECT_DOUBLE_EQ(combined.summary.cv, 0.2);
  EXPECT_FALSE(combined.result->measurement->verdict.valid);
  EXPECT_EQ(combined.result->measurement->verdict.reasons, (std::vector<std::string>{"repeats_disagree"}));
  for (auto& result : results) result.spec.measure.max_repeat_cv = 0;  // no such rule
  EXPECT_TRUE(combine_repeats(results, 3).result->measurement->verdict.valid);
}

TEST(CombineRepeats, AMissingOrFailedRepeatIsNotedAndTheMedianIsOfTheOthers) {
  const auto combined = combine_repeats({repeat_with(1, 100), failed_repeat(2), repeat_with(3, 104)}, 4);
  EXPECT_EQ(combined.summary.repeats, (std::vector<int>{1, 3}));
  EXPECT_EQ(combined.summary.median_repeat, 1);
  EXPECT_EQ(combined.result->status, TestStatus::kOk);
  EXPECT_EQ(combined.result->measurement->verdict.notes, (std::vector<std::string>{"repeats_missing"}));
  EXPECT_TRUE(combined.result->measurement->verdict.valid);
}

TEST(CombineRepeats, WithoutAMeasuredRepeatTheRowShowsTheFirstFailure) {
  const auto combined = combine_repeats({failed_repeat(3), failed_repeat(2)}, 3);
  ASSERT_TRUE(combined.result);
  EXPECT_EQ(combined.result->status, TestStatus::kCrashed);
  EXPECT_EQ(combined.result->spec.repeat, 2);
  EXPECT_EQ(combined.summary.median_repeat, 0);
  EXPECT_TRUE(combined.summary.figures.empty());
  EXPECT_FALSE(combine_repeats({}, 3).result);
}

TEST(CombineRepeats, TheHeadlineIsWhatTheTableShowsForTheMode) {
  const TestResult result = repeat_with(1, 200);
  TestSpec spec;
  spec.mode = Mode::kAsync;
  EXPECT_DOUBLE_EQ(headline_value(spec, *result.measurement), 200);
  spec.mode = Mode::kMultiStream;
  EXPECT_DOUBLE_EQ(headline_value(spec, *result.measurement), 1.0 / 200);
  spec.mode = Mode::kServer;
  EXPECT_DOUBLE_EQ(headline_value(spec, *result.measurement), 100);
  EXPECT_TRUE(higher_is_better(Mode::kServer));
  EXPECT_FALSE(higher_is_better(Mode::kSingleStream));
}

}  // namespace
}  // namespace dli
