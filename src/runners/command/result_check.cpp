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

// Figures computed by formula from others are compared with this relative tolerance: JSON writers keep 15-17
// significant digits, and a writer that keeps 7 still passes.
bool agrees(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b)) + 1e-15; }
// Orderings (min <= median) allow for the last bit of rounding only.
bool not_above(double a, double b) { return a <= b + 1e-12 * std::max(std::fabs(a), std::fabs(b)) + 1e-300; }

void check_measurement(const Measurement& m, const Expected& expected) {
  const Summary& r = m.request;
  const Throughput& t = m.throughput;
  finite("measurement.load_s", m.load_seconds, 0);
  finite("measurement.first_inference_s", m.first_inference_seconds, 0);
  at_least("measurement.warmup_iterations", m.warmup_iterations, 0);
  at_least("measurement.iterations", m.iterations, 1);
  finite("measurement.wall_s", m.wall_seconds, 0, true);
  at_least("measurement.peak_rss_kb", m.peak_rss_kb, 0);
  at_least("measurement.request.count", r.count, 1);
  const std::vector<std::pair<const char*, double>> ordered = {{"min_s", r.min}, {"median_s", r.median},
                                                               {"p90_s", r.p90}, {"p95_s", r.p95},
                                                               {"p99_s", r.p99}, {"max_s", r.max}};
  for (const auto& [name, value] : ordered) finite(std::string("measurement.request.") + name, value, 0);
  finite("measurement.request.mean_s", r.mean, 0);
  finite("measurement.request.stddev_s", r.stddev, 0);
  finite("measurement.throughput.latency_s", t.latency_s, 0);
  finite("measurement.throughput.avg_pass_s", t.avg_pass_s, 0);
  finite("measurement.throughput.fps", t.fps, 0, true);

  const std::int64_t count = r.count;
  require(count == m.iterations, "measurement.iterations is " + std::to_string(m.iterations) +
                                     " but measurement.request.count is " + std::to_string(count));
  require(m.iterations >= expected.min_iterations, "measurement.iterations is " + std::to_string(m.iterations) +
                                                       ", fewer than the test's measure.iterations " +
                                                       std::to_string(expected.min_iterations));
  // The stop rule's other half; a millisecond of slack for a tool that reports its total rounded.
  require(m.wall_seconds + 1e-3 >= expected.min_seconds, "measurement.wall_s is " + show(m.wall_seconds) +
                                                             ", shorter than the test's measure.min_s " +
                                                             show(expected.min_seconds));
  for (std::size_t i = 1; i < ordered.size(); ++i) {
    require(not_above(ordered[i - 1].second, ordered[i].second),
            std::string("measurement.request.") + ordered[i - 1].first + " (" + show(ordered[i - 1].second) +
                ") is above " + ordered[i].first + " (" + show(ordered[i].second) + ")");
  }
  require(not_above(r.min, r.mean) && not_above(r.mean, r.max),
          "measurement.request.mean_s (" + show(r.mean) + ") is outside [min_s, max_s]");
  require(count >= 2 || r.stddev == 0, "measurement.request.stddev_s is not 0 for one request");

  require(agrees(t.latency_s, r.median), "measurement.throughput.latency_s (" + show(t.latency_s) +
                                             ") is not the median request time (" + show(r.median) + ")");
  const auto batch = static_cast<double>(expected.batch);
  const auto n = static_cast<double>(m.iterations);
  const bool async = expected.mode == Mode::kAsync;
  const double want_pass = async ? m.wall_seconds / n : r.mean;
  const double want_fps = async ? batch * n / m.wall_seconds : batch / r.median;
  require(agrees(t.avg_pass_s, want_pass), "measurement.throughput.avg_pass_s (" + show(t.avg_pass_s) +
                                               ") is not " +
                                               (async ? "wall_s / iterations (" : "the mean request time (") +
                                               show(want_pass) + ")");
  require(agrees(t.fps, want_fps), "measurement.throughput.fps (" + show(t.fps) + ") is not " +
                                       (async ? "batch x iterations / wall_s (" : "batch / latency_s (") +
                                       show(want_fps) + ")");
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

std::string measurement_problem(const Measurement& measurement, const Expected& expected) {
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
