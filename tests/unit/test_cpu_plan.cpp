// The CPUs a pinned test's runner and the agent get (cpu_plan.hpp), and the list format they are recorded in.
#include "dli/agent/cpu_plan.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

TEST(CpuPlan, OneCpuOrNonePinsNothing) {
  for (const std::vector<int>& allowed : {std::vector<int>{}, std::vector<int>{3}}) {
    const CpuPlan plan = plan_cpus(allowed, 4);
    EXPECT_TRUE(plan.runner.empty());
    EXPECT_EQ(plan.agent, -1);
  }
}

TEST(CpuPlan, TwoCpusGiveTheRunnerTheFirstAndTheAgentTheSecond) {
  const CpuPlan plan = plan_cpus({0, 1}, 1);
  EXPECT_EQ(plan.runner, std::vector<int>{0});
  EXPECT_EQ(plan.agent, 1);
  EXPECT_EQ(plan_cpus({0, 1}, 8).runner, std::vector<int>{0}) << "never the agent's CPU";
}

TEST(CpuPlan, TheRunnerGetsNoMoreCpusThanItsThreads) {
  const std::vector<int> allowed = {0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(plan_cpus(allowed, 1).runner, std::vector<int>{0});
  EXPECT_EQ(plan_cpus(allowed, 3).runner, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(plan_cpus(allowed, 7).runner, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(plan_cpus(allowed, 64).runner, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(plan_cpus(allowed, 64).agent, 7);
  EXPECT_EQ(plan_cpus(allowed, 0).runner, std::vector<int>{0}) << "at least one";
}

TEST(CpuPlan, GapsInTheAllowedSetAreKept) {
  const CpuPlan plan = plan_cpus({2, 5, 6, 9}, 2);
  EXPECT_EQ(plan.runner, (std::vector<int>{2, 5}));
  EXPECT_EQ(plan.agent, 9);
}

TEST(CpuList, RunsOfConsecutiveCpusAreRanges) {
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({0}), "0");
  EXPECT_EQ(format_cpu_list({0, 1}), "0-1");
  EXPECT_EQ(format_cpu_list({0, 1, 2}), "0-2");
  EXPECT_EQ(format_cpu_list({0, 2}), "0,2");
  EXPECT_EQ(format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  EXPECT_EQ(format_cpu_list({8, 7, 0, 7}), "0,7-8") << "sorted, without repeats";
  EXPECT_EQ(format_cpu_list({12, 13, 14, 15, 63}), "12-15,63");
}

}  // namespace
}  // namespace dli
