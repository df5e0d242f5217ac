#include "result_check.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dli::command_runner {

namespace {

// A problem in the document; caught once in result_problem.
struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string show(double value) {
  std::ostringstream text;
  text.precision(9);
  text << value;
  return text.str();
}

// Reads the fields of one JSON object, naming each by its path in the result ("measurement.request.min_s").
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw Malformed(name("") + " is not an object");
  }

  const nlohmann::json& at(const std::string& key) const {
    const auto found = object_.find(key);
    if (found == object_.end()) throw Malformed(name(key) + " is missing");
    return *found;
  }
  bool has(const std::string& key) const { return object_.contains(key) && !object_.at(key).is_null(); }

  std::string string(const std::string& key) const {
    const auto& value = at(key);
    if (!value.is_string()) throw Malformed(name(key) + " is not a string");
    return value.get<std::string>();
  }
  std::int64_t integer(const std::string& key, std::int64_t at_least) const {
    const auto& value = at(key);
    if (!value.is_number_integer()) throw Malformed(name(key) + " is not an integer");
    const auto number = value.get<std::int64_t>();
    if (number < at_least) throw Malformed(name(key) + " is " + std::to_string(number) + ", below " +
                                           std::to_string(at_least));
    return number;
  }
  // A finite number, at least `at_least`; `above` makes the bound strict.
  double number(const std::string& key, double at_least, bool above = false) const {
    const auto& value = at(key);
    if (value.is_null()) throw Malformed(name(key) + " is null (not a number)");
    if (!value.is_number()) throw Malformed(name(key) + " is not a number");
    const double number = value.get<double>();
    if (!std::isfinite(number)) throw Malformed(name(key) + " is not finite");
    if (above ? !(number > at_least) : !(number >= at_least)) {
      throw Malformed(name(key) + " is " + show(number) + (above ? ", not above " : ", below ") + show(at_least));
    }
    return number;
  }
  Fields object(const std::string& key) const { return Fields(at(key), name(key)); }

  std::string name(const std::string& key) const {
    if (key.empty()) return path_.empty() ? "the result" : path_;
    return path_.empty() ? key : path_ + "." + key;
  }

 private:
  const nlohmann::json& object_;
  std::string path_;
};

// Figures computed by formula from others are compared with this relative tolerance: JSON writers keep 15-17
// significant digits, and a writer that keeps 7 still passes.
bool agrees(double a, double b) { return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b)) + 1e-15; }
// Orderings (min <= median) allow for the last bit of rounding only.
bool not_above(double a, double b) { return a <= b + 1e-12 * std::max(std::fabs(a), std::fabs(b)) + 1e-300; }

void require(bool condition, const std::string& problem) {
  if (!condition) throw Malformed(problem);
}

void check_measurement(const Fields& m, const Expected& expected) {
  m.string("framework_version");
  m.number("load_s", 0);
  m.number("first_inference_s", 0);
  m.integer("warmup_iterations", 0);
  const std::int64_t iterations = m.integer("iterations", 1);
  const double wall = m.number("wall_s", 0, true);
  m.integer("peak_rss_kb", 0);

  const Fields r = m.object("request");
  const std::int64_t count = r.integer("count", 1);
  const double min = r.number("min_s", 0), max = r.number("max_s", 0), mean = r.number("mean_s", 0);
  const double median = r.number("median_s", 0), p90 = r.number("p90_s", 0), p95 = r.number("p95_s", 0),
               p99 = r.number("p99_s", 0);
  const double stddev = r.number("stddev_s", 0);

  const Fields t = m.object("throughput");
  const double latency = t.number("latency_s", 0), avg_pass = t.number("avg_pass_s", 0);
  const double fps = t.number("fps", 0, true);

  require(count == iterations, "measurement.iterations is " + std::to_string(iterations) +
                                   " but measurement.request.count is " + std::to_string(count));
  require(iterations >= expected.min_iterations, "measurement.iterations is " + std::to_string(iterations) +
                                                     ", fewer than the test's measure.iterations " +
                                                     std::to_string(expected.min_iterations));
  // The stop rule's other half; a millisecond of slack for a tool that reports its total rounded.
  require(wall + 1e-3 >= expected.min_seconds, "measurement.wall_s is " + show(wall) +
                                                    ", shorter than the test's measure.min_s " +
                                                    show(expected.min_seconds));
  const std::vector<std::pair<const char*, double>> ordered = {
      {"min_s", min}, {"median_s", median}, {"p90_s", p90}, {"p95_s", p95}, {"p99_s", p99}, {"max_s", max}};
  for (std::size_t i = 1; i < ordered.size(); ++i) {
    require(not_above(ordered[i - 1].second, ordered[i].second),
            std::string("measurement.request.") + ordered[i - 1].first + " (" + show(ordered[i - 1].second) +
                ") is above " + ordered[i].first + " (" + show(ordered[i].second) + ")");
  }
  require(not_above(min, mean) && not_above(mean, max), "measurement.request.mean_s (" + show(mean) +
                                                            ") is outside [min_s, max_s]");
  require(count >= 2 || stddev == 0, "measurement.request.stddev_s is not 0 for one request");

  require(agrees(latency, median), "measurement.throughput.latency_s (" + show(latency) +
                                       ") is not the median request time (" + show(median) + ")");
  const auto batch = static_cast<double>(expected.batch);
  const auto n = static_cast<double>(iterations);
  const bool async = expected.mode == "async";
  const double want_pass = async ? wall / n : mean;
  const double want_fps = async ? batch * n / wall : batch / median;
  require(agrees(avg_pass, want_pass), "measurement.throughput.avg_pass_s (" + show(avg_pass) + ") is not " +
                                           (async ? "wall_s / iterations (" : "the mean request time (") +
                                           show(want_pass) + ")");
  require(agrees(fps, want_fps), "measurement.throughput.fps (" + show(fps) + ") is not " +
                                     (async ? "batch x iterations / wall_s (" : "batch / latency_s (") +
                                     show(want_fps) + ")");
}

void check_accuracy(const Fields& a, const Expected& expected) {
  const std::int64_t samples = a.integer("samples", 1);
  const double top1 = a.number("top1", 0), top5 = a.number("top5", 0);
  require(top1 <= 1 && top5 <= 1, "accuracy.top1 and accuracy.top5 must be within [0, 1]");
  require(not_above(top1, top5), "accuracy.top1 (" + show(top1) + ") is above accuracy.top5 (" + show(top5) + ")");
  require(expected.samples < 0 || samples == expected.samples,
          "accuracy.samples is " + std::to_string(samples) + " but the dataset has " +
              std::to_string(expected.samples));
}

void check(const nlohmann::json& result, const Expected& expected) {
  const Fields doc(result, "");
  const auto& version = doc.at("runner_protocol");
  require(version.is_number_integer(), "runner_protocol is not an integer");
  require(version.get<std::int64_t>() == 1,
          "runner_protocol is " + version.dump() + "; dli-run-command speaks runner protocol 1");
  const std::string status = doc.string("status");
  require(status == "ok" || status == "unsupported" || status == "failed",
          "status is '" + status + "' (ok, unsupported or failed)");
  doc.string("reason");
  doc.string("framework_version");
  if (doc.has("details")) {
    const Fields details = doc.object("details");
    for (const auto& [key, value] : result.at("details").items()) {
      require(value.is_string(), details.name(key) + " is not a string");
    }
  }
  for (const char* key : {"measurement", "accuracy"}) {
    require(result.contains(key), std::string(key) + " is missing (null when there is none)");
  }
  if (status != "ok") return;
  if (expected.mode == "accuracy") {
    require(doc.has("accuracy"), "accuracy is null in an accuracy test whose status is ok");
    check_accuracy(doc.object("accuracy"), expected);
  } else {
    require(doc.has("measurement"), "measurement is null in a " + expected.mode + " test whose status is ok");
    check_measurement(doc.object("measurement"), expected);
  }
}

}  // namespace

std::string result_problem(const nlohmann::json& result, const Expected& expected) {
  try {
    check(result, expected);
  } catch (const Malformed& problem) {
    return problem.what();
  } catch (const nlohmann::json::exception& problem) {
    return problem.what();
  }
  return "";
}

}  // namespace dli::command_runner
