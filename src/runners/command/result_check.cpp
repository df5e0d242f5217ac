#include "result_check.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace dli::command_runner {

namespace {

// A problem in the figures; caught once in each *_problem.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string show(double value) {
  std::ostringstream text;
  text.precision(9);
  text << value;
  return text.str();
}

void require(bool condition, const std::string& problem) {
  if (!condition) throw Malformed(problem);
}

void at_least(const std::string& name, std::int64_t value, std::int64_t bound) {
  require(value >= bound, name + " is " + std::to_string(value) + ", below " + std::to_string(bound));
}

// A finite number, at least `bound`; `above` makes the bound strict. The decoder reads JSON's null as NaN.
void finite(const std::string& name, double value, double bound, bool above = false) {
  require(!std::isnan(value), name + " is null (not a number)");
  require(std::isfinite(value), name + " is not finite");
  require(above ? value > bound : value >= bound,
          name + " is " + show(value) + (above ? ", not above " : ", below ") + show(bound));
}

// Orderings (min <= median) allow for the last bit of rounding only.
bool not_above(double a, double b) { return a <= b + 1e-12 * std::max(std::fabs(a), std::fabs(b)) + 1e-300; }

// The figures themselves are the agent's to compute from the request times (docs/runners.md 3.3); what is checked
// here is what the command alone can get wrong: the counts, the wall time and the test's stop rule.
void check_measurement(const RawMeasurement& m, const Expected& expected) {
  at_least("measurement.warmup_iterations", m.warmup_iterations, 0);
  finite("measurement.wall_s", m.wall_seconds, 0, true);
  at_least("measurement.peak_rss_kb", m.peak_rss_kb, 0);
  std::int64_t count = 0;
  for (const auto each : m.stream_counts) count += each;
  // A maximum or a full buffer may stop a run early: its verdict says so; otherwise both minima must hold.
  if (m.stop_reason != StopReason::kMinReached) return;
  require(count >= expected.min_iterations, "measurement.request_times holds " + std::to_string(count) +
                                                " requests, fewer than the test's measure.iterations " +
                                                std::to_string(expected.min_iterations));
  // The stop rule's other half; a millisecond of slack for a tool that reports its total rounded.
  require(m.wall_seconds + 1e-3 >= expected.min_seconds, "measurement.wall_s is " + show(m.wall_seconds) +
                                                             ", shorter than the test's measure.min_s " +
                                                             show(expected.min_seconds));
}

void check_accuracy(const Accuracy& a, const Expected& expected) {
  at_least("accuracy.samples", a.samples, 1);
  finite("accuracy.top1", a.top1, 0);
  finite("accuracy.top5", a.top5, 0);
  require(a.top1 <= 1 && a.top5 <= 1, "accuracy.top1 and accuracy.top5 must be within [0, 1]");
  require(not_above(a.top1, a.top5),
          "accuracy.top1 (" + show(a.top1) + ") is above accuracy.top5 (" + show(a.top5) + ")");
  require(expected.samples < 0 || a.samples == expected.samples,
          "accuracy.samples is " + std::to_string(a.samples) + " but the dataset has " +
              std::to_string(expected.samples));
}

template <typename Check>
std::string problem_of(Check check) {
  try {
    check();
  } catch (const Malformed& problem) {
    return problem.what();
  }
  return "";
}

}  // namespace

bool fill_peak_rss(nlohmann::ordered_json& result, std::int64_t kb) {
  const auto measurement = result.find("measurement");
  if (measurement == result.end() || !measurement->is_object() || measurement->contains("peak_rss_kb")) return false;
  (*measurement)["peak_rss_kb"] = kb;
  return true;
}

std::string measurement_problem(const RawMeasurement& measurement, const Expected& expected) {
  return problem_of([&] { check_measurement(measurement, expected); });
}

std::string accuracy_problem(const Accuracy& accuracy, const Expected& expected) {
  return problem_of([&] { check_accuracy(accuracy, expected); });
}

std::string result_problem(const nlohmann::json& result, const Expected& expected, RunnerResult& decoded) {
  try {
    decoded = runner_result_from_json(result, expected.mode);
  } catch (const std::exception& problem) {
    return problem.what();
  }
  // The decoder takes an absent figure set as none; the protocol writes it as null.
  for (const char* key : {"measurement", "accuracy"}) {
    if (!result.contains(key)) return std::string(key) + " is missing (null when there is none)";
  }
  if (decoded.status != RunnerStatus::kOk) return "";
  // The decoder has checked that an ok result carries what its mode produces.
  return expected.mode == Mode::kAccuracy ? accuracy_problem(*decoded.accuracy, expected)
                                          : measurement_problem(*decoded.measurement, expected);
}

}  // namespace dli::command_runner
