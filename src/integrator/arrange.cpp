#include "dli/integrator/arrange.hpp"

#include <algorithm>
#include <random>
#include <utility>

namespace dli {

namespace {

int repeats_of(const TestSpec& test) { return test.mode == Mode::kAccuracy ? 1 : std::max(test.measure.repeats, 1); }

TestSpec task(const TestSpec& test, int repeat) {
  TestSpec copy = test;
  if (repeats_of(test) == 1) {
    copy.measure.repeats = 1;
    copy.repeat = 0;
  } else {
    copy.repeat = repeat;
  }
  return copy;
}

}  // namespace

std::vector<TestSpec> arrange_tests(const std::vector<TestSpec>& tests, TestOrder order, std::uint64_t seed) {
  std::vector<TestSpec> tasks;
  int rounds = 1;
  for (const auto& test : tests) rounds = std::max(rounds, repeats_of(test));
  if (order == TestOrder::kInterleaved) {
    for (int round = 1; round <= rounds; ++round) {
      for (const auto& test : tests) {
        if (round <= repeats_of(test)) tasks.push_back(task(test, round));
      }
    }
    return tasks;
  }
  for (const auto& test : tests) {
    for (int repeat = 1; repeat <= repeats_of(test); ++repeat) tasks.push_back(task(test, repeat));
  }
  if (order == TestOrder::kShuffled) {
    // Fisher-Yates on mt19937_64, whose output the standard fixes (std::shuffle's draws are the library's own), so
    // a seed names one order on every build.
    std::mt19937_64 engine(seed);
    for (std::size_t i = tasks.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(engine() % i);
      std::swap(tasks[i - 1], tasks[j]);
    }
  }
  return tasks;
}

}  // namespace dli
