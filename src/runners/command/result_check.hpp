#pragma once
// What dli-run-command accepts from a command as its result: a complete runner protocol 1 result
// (docs/runners.md 3.3) whose figures agree with each other and with the test (docs/methodology.md). Pure.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace dli::command_runner {

// What the test asked for, from the request's spec.
struct Expected {
  std::string mode = "sync";        // sync, async or accuracy
  std::int64_t batch = 1;
  std::int64_t min_iterations = 0;  // spec.measure.iterations
  double min_seconds = 0;           // spec.measure.min_s
  std::int64_t samples = -1;        // accuracy: samples in the packed dataset; -1 when unknown
};

// Empty when `result` is acceptable; otherwise the first problem found, for a reader:
// "measurement.request.p99_s is missing", "measurement.iterations is 5 but request.count is 6", ...
std::string result_problem(const nlohmann::json& result, const Expected& expected);

}  // namespace dli::command_runner
