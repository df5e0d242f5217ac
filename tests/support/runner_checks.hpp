#pragma once
// Helpers shared by the unit tests of the C++ runners' frameworks (tests/unit/test_runner_*.cpp).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "dli/runner/framework.hpp"

namespace dli::runner::testing {

// The input the reference files were made with (make_models.py, ref_input): x[i] = ((i * 7919) % 1000) / 1000.
inline std::vector<float> formula_input(std::size_t count) {
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<float>((i * 7919) % 1000) / 1000.0f;
  return values;
}

// Largest absolute difference between `actual` and `expected` from `offset` on.
inline double max_difference(const std::vector<float>& actual, const std::vector<double>& expected,
                             std::size_t offset = 0) {
  double worst = 0;
  for (std::size_t i = 0; i < actual.size() && offset + i < expected.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(actual[i]) - expected[offset + i]));
  }
  return worst;
}

inline std::map<std::string, std::string> as_map(const std::vector<std::pair<std::string, std::string>>& pairs) {
  return std::map<std::string, std::string>(pairs.begin(), pairs.end());
}

// The message of the std::runtime_error `action` throws; whether it was an Unsupported goes to `unsupported`.
// Empty (and a test failure) when it throws nothing.
template <class Action>
std::string error_of(Action action, bool* unsupported = nullptr) {
  try {
    action();
  } catch (const Unsupported& error) {
    if (unsupported != nullptr) *unsupported = true;
    return error.what();
  } catch (const std::runtime_error& error) {
    if (unsupported != nullptr) *unsupported = false;
    return error.what();
  }
  ADD_FAILURE() << "expected a std::runtime_error";
  return "";
}

}  // namespace dli::runner::testing
