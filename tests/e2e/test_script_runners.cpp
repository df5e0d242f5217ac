// End-to-end: the script runners (docs/runners.md section 4) measure by the same definitions as the C++ harness.
//  - the same request times through dli::summarize / dli::sync_metrics and through each runner's hidden `stats`
//    subcommand give the same figures (relative difference below 1e-12);
//  - a `framework: null` workload (2 ms per request) run through each runner's `run` gives status ok and a median
//    within 15 % of 2 ms (and of the C++ dli-run-null's median when DLI_RUN_NULL_EXE is defined).
// Needs node and /usr/bin/python3 only: `stats` and `null` load no framework (no onnxruntime-node, no torch).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/measure/stats.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

using nlohmann::json;

struct ScriptRunner {
  const char* name;
  std::string path;
};

std::vector<ScriptRunner> script_runners() {
  const std::string root = DLI_SOURCE_DIR;
  return {
      {"onnxruntime (Node.js)", root + "/src/runners/onnxruntime/dli-run-onnxruntime"},
      {"pytorch (Python)", root + "/src/runners/pytorch/dli-run-pytorch"},
  };
}

// Runs `command` with stdin from `input_file` (when given); returns its exit code and standard output only (standard
// error goes to `dir/stderr.txt`, shown on failure).
struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Ran run_quietly(const TempDir& dir, const std::string& command, const std::string& input_file = "") {
  const std::string err_file = dir.str("stderr.txt");
  std::string line = "{ " + command;
  if (!input_file.empty()) line += " <" + shell_quote(input_file);
  line += " 2>" + shell_quote(err_file) + "; }";
  const CommandOutput output = run_command(line);
  return {output.exit_code, output.output, read_file(err_file)};
}

// Awkward but fixed request times, in seconds: several magnitudes, ties, values that are not exact in binary.
std::vector<double> fixed_times(std::size_t count) {
  std::vector<double> times;
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    const double unit = static_cast<double>(state >> 8) / 16777216.0;
    times.push_back(i % 7 == 3 ? 0.0021 : 1e-6 + unit * unit * (i % 3 == 0 ? 0.5 : 0.004) + 1.0 / 3.0 * 1e-3);
  }
  return times;
}

void expect_same(double cpp, const json& script, const std::string& what) {
  ASSERT_TRUE(script.is_number()) << what << " is not a number: " << script.dump();
  const double value = script.get<double>();
  if (cpp == value) return;
  const double relative = std::fabs(cpp - value) / std::max(std::fabs(cpp), std::fabs(value));
  EXPECT_LT(relative, 1e-12) << what << ": C++ " << cpp << " vs " << value;
}

TEST(ScriptRunners, StatsSubcommandGivesTheSameFiguresAsTheCppStatistics) {
  const TempDir dir;
  // Odd and even counts (the median of an even count is the mean of the two middle values), and one value.
  for (const std::size_t count : {std::size_t{1}, std::size_t{2}, std::size_t{101}, std::size_t{1000}}) {
    const std::vector<double> times = fixed_times(count);
    const std::string input = dir.write("times.json", json(times).dump());
    const Summary summary = summarize(times);
    const Throughput throughput = sync_metrics(times, 1);
    for (const auto& runner : script_runners()) {
      SCOPED_TRACE(std::string(runner.name) + ", " + std::to_string(count) + " times");
      const Ran ran = run_quietly(dir, shell_quote(runner.path) + " stats", input);
      ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
      const json doc = json::parse(ran.out, nullptr, false);
      ASSERT_FALSE(doc.is_discarded()) << "stats printed no JSON: " << ran.out;
      const json& request = doc.at("request");
      EXPECT_EQ(request.at("count").get<std::int64_t>(), summary.count);
      expect_same(summary.min, request.at("min_s"), "min_s");
      expect_same(summary.max, request.at("max_s"), "max_s");
      expect_same(summary.mean, request.at("mean_s"), "mean_s");
      expect_same(summary.stddev, request.at("stddev_s"), "stddev_s");
      expect_same(summary.median, request.at("median_s"), "median_s");
      expect_same(summary.p90, request.at("p90_s"), "p90_s");
      expect_same(summary.p95, request.at("p95_s"), "p95_s");
      expect_same(summary.p99, request.at("p99_s"), "p99_s");
      const json& sync = doc.at("throughput");
      expect_same(throughput.latency_s, sync.at("latency_s"), "latency_s");
      expect_same(throughput.avg_pass_s, sync.at("avg_pass_s"), "avg_pass_s");
      expect_same(throughput.fps, sync.at("fps"), "fps");
    }
  }
}

TEST(ScriptRunners, StatsSubcommandRefusesAnEmptyList) {
  const TempDir dir;
  const std::string input = dir.write("times.json", "[]");
  for (const auto& runner : script_runners()) {
    SCOPED_TRACE(runner.name);
    const Ran ran = run_quietly(dir, shell_quote(runner.path) + " stats", input);
    EXPECT_EQ(ran.exit_code, 2) << ran.out << ran.err;
  }
}

TEST(ScriptRunners, DescribePrintsOneDocumentOfThisProtocol) {
  const TempDir dir;
  for (const auto& runner : script_runners()) {
    SCOPED_TRACE(runner.name);
    const Ran ran = run_quietly(dir, shell_quote(runner.path) + " describe");
    ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
    const json doc = json::parse(ran.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << ran.out;
    EXPECT_EQ(doc.at("runner_protocol"), 1);
    EXPECT_TRUE(doc.at("framework").is_string());
    EXPECT_TRUE(doc.at("version").is_string());
    EXPECT_TRUE(doc.at("formats").is_array());
    EXPECT_TRUE(doc.at("devices").is_array());
    EXPECT_TRUE(doc.at("available").is_boolean());
    // Not available is fine here (a host without the framework); it must then say why.
    if (!doc.at("available").get<bool>()) {
      EXPECT_FALSE(doc.at("reason").get<std::string>().empty());
    }
  }
}

json null_request(int iterations, double sleep_ms) {
  json spec = {
      {"id", "0000000000000000"},
      {"host", "local"},
      {"model",
       {{"name", "null"}, {"format", "onnx"}, {"precision", "fp32"}, {"input_shape", {1, 8, 8}},
        {"file_name", ""}, {"sha256", ""}, {"config_name", ""}, {"config_sha256", ""}}},
      {"framework", "null"},
      {"params", {{"sleep_ms", std::to_string(sleep_ms)}}},
      {"batch", 1},
      {"mode", "sync"},
      {"threads", 1},
      {"requests", 1},
      {"device", "cpu"},
      {"dataset", {{"name", ""}, {"sha256", ""}}},
      {"measure",
       {{"iterations", iterations}, {"min_s", 0.0}, {"warmup_iterations", 5}, {"warmup_s", 0.0},
        {"timeout_s", 60.0}}},
  };
  return {{"runner_protocol", 1}, {"spec", spec}, {"model_path", ""}, {"config_path", ""}, {"dataset_path", ""}};
}

// Runs the null request through `runner` and returns its result's measurement (fails the test otherwise).
json run_null(const TempDir& dir, const std::string& runner, int iterations, double sleep_ms) {
  const std::string request = dir.write("request.json", null_request(iterations, sleep_ms).dump(2));
  const std::string result = dir.str("result.json");
  const Ran ran = run_quietly(dir, "cd " + shell_quote(dir.str()) + " && " + shell_quote(runner) + " run --request " +
                                       shell_quote(request) + " --result " + shell_quote(result) + " </dev/null");
  EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  const json doc = json::parse(read_file(result), nullptr, false);
  EXPECT_TRUE(doc.is_object()) << "no result: " << ran.err;
  if (!doc.is_object()) return json();
  EXPECT_EQ(doc.value("runner_protocol", 0), 1);
  EXPECT_EQ(doc.value("status", ""), "ok") << doc.dump(2);
  EXPECT_TRUE(doc.contains("measurement") && doc.at("measurement").is_object()) << doc.dump(2);
  return doc.value("measurement", json());
}

TEST(ScriptRunners, NullWorkloadMedianMatchesTheSleep) {
  constexpr int kIterations = 200;
  constexpr double kSleepMs = 2.0;
  const TempDir dir;
#ifdef DLI_RUN_NULL_EXE
  const json reference = run_null(dir, DLI_RUN_NULL_EXE, kIterations, kSleepMs);
  ASSERT_TRUE(reference.is_object());
  const double reference_median = reference.at("request").at("median_s").get<double>();
  EXPECT_NEAR(reference_median, kSleepMs * 1e-3, 0.15 * kSleepMs * 1e-3) << "dli-run-null";
#endif
  for (const auto& runner : script_runners()) {
    SCOPED_TRACE(runner.name);
    const json measurement = run_null(dir, runner.path, kIterations, kSleepMs);
    ASSERT_TRUE(measurement.is_object());
    EXPECT_GE(measurement.at("iterations").get<std::int64_t>(), kIterations);
    const json& request = measurement.at("request");
    EXPECT_EQ(request.at("count"), measurement.at("iterations"));
    const double median = request.at("median_s").get<double>();
    EXPECT_NEAR(median, kSleepMs * 1e-3, 0.15 * kSleepMs * 1e-3);
    // Sync: latency is the median, FPS is batch / latency.
    EXPECT_EQ(measurement.at("throughput").at("latency_s").get<double>(), median);
    EXPECT_NEAR(measurement.at("throughput").at("fps").get<double>(), 1.0 / median, 1e-9 / median);
#ifdef DLI_RUN_NULL_EXE
    EXPECT_NEAR(median, reference_median, 0.15 * reference_median) << "against dli-run-null";
#endif
  }
}

}  // namespace
}  // namespace dli::testing
