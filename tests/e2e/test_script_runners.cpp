// End-to-end: the script runners (docs/runners.md section 4) speak runner protocol 2 like the C++ ones: they report
// raw request times (a binary side file) and the agent's C++ computes the figures (dli::assess).
//  - a `framework: null` workload (2 ms per request) run through each runner's `run` gives status ok, times the
//    agent's decoder takes, and a median within 15 % of 2 ms (and of the C++ dli-run-null's median when
//    DLI_RUN_NULL_EXE is defined);
//  - a scenario they do not implement is refused (unsupported), never measured as another mode.
// Needs node and /usr/bin/python3 only: `null` loads no framework (no onnxruntime-node, no torch).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/assess.hpp"
#include "dli/protocol/runner_protocol.hpp"
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

TEST(ScriptRunners, DescribePrintsOneDocumentOfThisProtocol) {
  const TempDir dir;
  for (const auto& runner : script_runners()) {
    SCOPED_TRACE(runner.name);
    const Ran ran = run_quietly(dir, shell_quote(runner.path) + " describe");
    ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
    const json doc = json::parse(ran.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << ran.out;
    EXPECT_EQ(doc.at("runner_protocol"), kRunnerProtocolVersion);
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

json null_request(int iterations, double sleep_ms, const std::string& mode = "sync") {
  json spec = {
      {"id", "0000000000000000"},
      {"host", "local"},
      {"model",
       {{"name", "null"}, {"format", "onnx"}, {"precision", "fp32"}, {"input_shape", {1, 8, 8}},
        {"file_name", ""}, {"sha256", ""}, {"config_name", ""}, {"config_sha256", ""}}},
      {"framework", "null"},
      {"params", {{"sleep_ms", std::to_string(sleep_ms)}}},
      {"batch", 1},
      {"mode", mode},
      {"threads", 1},
      {"requests", 1},
      {"device", "cpu"},
      {"dataset", {{"name", ""}, {"sha256", ""}}},
      {"measure",
       {{"iterations", iterations}, {"min_s", 0.0}, {"warmup_iterations", 5}, {"warmup_s", 0.0},
        {"timeout_s", 60.0}}},
  };
  return {{"runner_protocol", kRunnerProtocolVersion}, {"spec", spec}, {"model_path", ""}, {"config_path", ""},
          {"dataset_path", ""}};
}

// Runs the null request through `runner` and returns the figures the agent computes from its result (fails the test
// otherwise).
std::optional<Measurement> run_null(const TempDir& dir, const std::string& runner, int iterations, double sleep_ms) {
  const json request_json = null_request(iterations, sleep_ms);
  const std::string request = dir.write("request.json", request_json.dump(2));
  const std::string result = dir.str("result.json");
  const Ran ran = run_quietly(dir, "cd " + shell_quote(dir.str()) + " && " + shell_quote(runner) + " run --request " +
                                       shell_quote(request) + " --result " + shell_quote(result) + " </dev/null");
  EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  const json doc = json::parse(read_file(result), nullptr, false);
  EXPECT_TRUE(doc.is_object()) << "no result: " << ran.err;
  if (!doc.is_object()) return std::nullopt;
  RunnerResult decoded;
  try {
    decoded = runner_result_from_json(doc, Mode::kSync);
  } catch (const std::exception& error) {
    ADD_FAILURE() << error.what() << "\n" << doc.dump(2);
    return std::nullopt;
  }
  EXPECT_EQ(decoded.status, RunnerStatus::kOk) << doc.dump(2);
  if (!decoded.measurement) return std::nullopt;
  RawMeasurement& raw = *decoded.measurement;
  EXPECT_EQ(raw.times_file, "result.json.times") << "the times travel in a side file";
  std::int64_t total = 0;
  for (const auto count : raw.stream_counts) total += count;
  raw.request_seconds = decode_request_times(read_file(dir.str(raw.times_file)), total);
  return assess(raw, runner_request_from_json(request_json).spec);
}

TEST(ScriptRunners, NullWorkloadMedianMatchesTheSleep) {
  constexpr int kIterations = 200;
  constexpr double kSleepMs = 2.0;
  const TempDir dir;
#ifdef DLI_RUN_NULL_EXE
  const auto reference = run_null(dir, DLI_RUN_NULL_EXE, kIterations, kSleepMs);
  ASSERT_TRUE(reference.has_value());
  const double reference_median = reference->request.median;
  EXPECT_NEAR(reference_median, kSleepMs * 1e-3, 0.15 * kSleepMs * 1e-3) << "dli-run-null";
#endif
  for (const auto& runner : script_runners()) {
    SCOPED_TRACE(runner.name);
    const auto measurement = run_null(dir, runner.path, kIterations, kSleepMs);
    ASSERT_TRUE(measurement.has_value());
    EXPECT_GE(measurement->iterations, kIterations);
    EXPECT_EQ(measurement->stop_reason, StopReason::kMinReached);
    const double median = measurement->request.median;
    EXPECT_NEAR(median, kSleepMs * 1e-3, 0.15 * kSleepMs * 1e-3);
    EXPECT_EQ(measurement->histogram.total(), measurement->iterations);
#ifdef DLI_RUN_NULL_EXE
    EXPECT_NEAR(median, reference_median, 0.15 * reference_median) << "against dli-run-null";
#endif
  }
}

TEST(ScriptRunners, AScenarioTheyDoNotImplementIsUnsupported) {
  const TempDir dir;
  for (const auto& runner : script_runners()) {
    SCOPED_TRACE(runner.name);
    const std::string request = dir.write("request.json", null_request(10, 0, "server").dump(2));
    const std::string result = dir.str("result.json");
    const Ran ran = run_quietly(dir, shell_quote(runner.path) + " run --request " + shell_quote(request) +
                                         " --result " + shell_quote(result) + " </dev/null");
    EXPECT_EQ(ran.exit_code, runner_exit::kUnsupported) << ran.err;
    const RunnerResult decoded = runner_result_from_json(json::parse(read_file(result)), Mode::kServer);
    EXPECT_EQ(decoded.status, RunnerStatus::kUnsupported);
    EXPECT_NE(decoded.reason.find("does not implement mode server"), std::string::npos) << decoded.reason;
  }
}

}  // namespace
}  // namespace dli::testing
