// The order of a host's tasks: repeats expanded, grouped, interleaved or shuffled, exactly.
#include "dli/integrator/arrange.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

TestSpec test_named(const std::string& id, int repeats, Mode mode = Mode::kSync) {
  TestSpec spec;
  spec.id = id;
  spec.mode = mode;
  spec.measure.repeats = repeats;
  return spec;
}

std::vector<std::string> keys(const std::vector<TestSpec>& tasks) {
  std::vector<std::string> names;
  for (const auto& task : tasks) names.push_back(task_key(task));
  return names;
}

const std::vector<TestSpec> kTests = {test_named("a", 3), test_named("b", 3), test_named("c", 3)};

TEST(ArrangeTests, GroupedKeepsEachTestsRepeatsTogetherInPlanOrder) {
  EXPECT_EQ(keys(arrange_tests(kTests, TestOrder::kGrouped, 0)),
            (std::vector<std::string>{"a-r1", "a-r2", "a-r3", "b-r1", "b-r2", "b-r3", "c-r1", "c-r2", "c-r3"}));
}

TEST(ArrangeTests, InterleavedRunsEveryTestOncePerRound) {
  EXPECT_EQ(keys(arrange_tests(kTests, TestOrder::kInterleaved, 0)),
            (std::vector<std::string>{"a-r1", "b-r1", "c-r1", "a-r2", "b-r2", "c-r2", "a-r3", "b-r3", "c-r3"}));
}

TEST(ArrangeTests, ATestRunOnceKeepsItsPlainKeyAndAccuracyIsNeverRepeated) {
  const std::vector<TestSpec> tests = {test_named("a", 2), test_named("b", 1), test_named("q", 2, Mode::kAccuracy)};
  const auto tasks = arrange_tests(tests, TestOrder::kInterleaved, 0);
  EXPECT_EQ(keys(tasks), (std::vector<std::string>{"a-r1", "b", "q", "a-r2"}));
  EXPECT_EQ(tasks[2].measure.repeats, 1) << "an accuracy test's answers do not vary: its row is one run";
  EXPECT_EQ(tasks[2].repeat, 0);
  EXPECT_EQ(tasks[3].repeat, 2);
}

TEST(ArrangeTests, WithoutRepeatsTheOrderIsThePlansUnlessShuffled) {
  const std::vector<TestSpec> tests = {test_named("a", 1), test_named("b", 1), test_named("c", 1)};
  EXPECT_EQ(keys(arrange_tests(tests, TestOrder::kGrouped, 0)), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(keys(arrange_tests(tests, TestOrder::kInterleaved, 0)), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ArrangeTests, ShuffledIsAPermutationFixedByItsSeed) {
  const auto first = keys(arrange_tests(kTests, TestOrder::kShuffled, 42));
  EXPECT_EQ(keys(arrange_tests(kTests, TestOrder::kShuffled, 42)), first);
  // mt19937_64's output is fixed by the standard, so this order is the same on every build.
  EXPECT_EQ(first, (std::vector<std::string>{"a-r3", "c-r3", "b-r2", "c-r1", "a-r2", "c-r2", "b-r3", "a-r1", "b-r1"}));
  auto sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, keys(arrange_tests(kTests, TestOrder::kGrouped, 0)));
  EXPECT_NE(keys(arrange_tests(kTests, TestOrder::kShuffled, 43)), first);
}

}  // namespace
}  // namespace dli
