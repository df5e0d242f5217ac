#pragma once
// What dli-run-command accepts from a command as its result: a runner protocol result (docs/runners.md 3.3) that
// the protocol's decoder takes, whose figures agree with each other and with the test (docs/methodology.md). Pure.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dli/protocol/runner_protocol.hpp"

namespace dli::command_runner {

// What the test asked for, from the request's spec.
struct Expected {
  Mode mode = Mode::kSync;
  std::int64_t batch = 1;
  std::int64_t min_iterations = 0;  // spec.measure.iterations
  double min_seconds = 0;           // spec.measure.min_s
  std::int64_t samples = -1;        // accuracy: samples in the packed dataset; -1 when unknown
};

// When `result` holds a measurement object without peak_rss_kb, sets it to `kb` and says so.
bool fill_peak_rss(nlohmann::ordered_json& result, std::int64_t kb);

// What runner_result_from_json leaves unchecked in what a command measured: bounds (wall time above 0, counts >= 0)
// and, when it says the minima stopped it, the test's stop rule; for an accuracy, its bounds and the dataset's
// count. Empty when fine; otherwise the first problem, named by its path in the result
// ("measurement.wall_s is 0.5, shorter than the test's measure.min_s 1").
std::string measurement_problem(const RawMeasurement& measurement, const Expected& expected);
std::string accuracy_problem(const Accuracy& accuracy, const Expected& expected);

// Decodes `result` into `decoded` with runner_result_from_json(result, expected.mode), then checks what that leaves:
// `measurement` and `accuracy` present (null when none) and, in an ok result, measurement_problem or
// accuracy_problem. Empty when `result` is acceptable; otherwise the first problem found, for a reader.
std::string result_problem(const nlohmann::json& result, const Expected& expected, RunnerResult& decoded);

}  // namespace dli::command_runner
