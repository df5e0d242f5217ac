#include "dli/protocol/json_writer.hpp"

#include <cmath>
#include <filesystem>
#include <limits>

#include <gtest/gtest.h>

#include "dli/protocol/protocol.hpp"
#include "support/generated_run.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

std::string dumped(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string written(const TestResult& result) {
  std::string text;
  append_json(text, result);
  return text;
}

std::string written(const TestSpec& spec) {
  std::string text;
  append_json(text, spec);
  return text;
}

// Every optional part present, odd strings and numbers everywhere.
TestResult unusual_result() {
  TestResult r;
  r.spec.id = "0123456789abcdef";
  r.spec.host = "h\xC3\xA9te";  // UTF-8
  r.spec.model = {"m\"odel\\", "onnx", "int8", {3, -1, 224}, "m.onnx", "ab", "m.prototxt", "cd", 1234567890123};
  r.spec.framework = "onnxruntime";
  r.spec.params = {{"b", "2"}, {"a\tkey", "v\x01"}, {"z", ""}};
  r.spec.batch = 16;
  r.spec.mode = Mode::kServer;
  r.spec.threads = 3;
  r.spec.requests = 4;
  r.spec.samples_per_query = 8;
  r.spec.target_qps = 123.456;
  r.spec.device = "cuda:1";
  r.spec.dataset = {"imagenet-mini", "ef"};
  r.spec.measure.repeats = 3;
  r.spec.measure.max_repeat_cv = 0.25;
  r.spec.measure.latency_bound_s = 0.05;
  r.spec.measure.pin_cpus = true;
  r.spec.measure.server_search = true;
  r.spec.measure.max_iterations = 1000000;
  r.spec.repeat = 2;
  r.status = TestStatus::kTimeout;
  r.reason = "bad byte \xFF here, \xE2\x82 cut, \"quoted\"\n";
  r.stderr_tail = std::string("nul \0 inside", 12) + "\x7F";
  r.log = "runner \xC3\xA9\tline\n\xFF bad byte\n";
  r.exit_code = -1;
  r.signal = 9;
  r.started_at = "2026-11-30T01:02:03Z";
  r.finished_at = "2026-11-30T01:02:04Z";
  r.elapsed_seconds = 300;  // integral: written 300.0
  Measurement m;
  m.framework_version = "v\xC3";
  m.load_seconds = std::numeric_limits<double>::quiet_NaN();
  m.first_inference_seconds = std::numeric_limits<double>::infinity();
  m.warmup_iterations = 5;
  m.iterations = 9007199254740993LL;
  m.wall_seconds = 1e-9;
  m.request = {42, 1e-7, 1e300, 0.1, 0.2, 0.3, 0.0001, 0.00012, 5e-5, 123456789.125, -0.0};
  m.throughput = {0.001100147, 1.8220902029140968e-05, 54882.02496235832};
  m.peak_rss_kb = 109840;
  m.stop_reason = StopReason::kMaxSeconds;
  m.latency_percentile = 99.9;
  m.histogram.buckets = {{0, 1}, {494, 5}, {1000000, 9223372036854775807LL}};
  m.stream_counts = {7578, 14796};
  m.target_qps = 99.5;
  m.search = {{100, 0.01, true}, {200, std::nan(""), false}};
  m.verdict = {false, {"capped", "min_time_not_met"}, {"streams_imbalanced"}};
  m.stream_threads = {1, 0};
  m.streams = {{7578, 5.3e-05, 6.9e-05, 3.5e-05}, {0, 0, 0, 0}};
  r.measurement = m;
  r.accuracy = Accuracy{50000, 0.71234, 0.9};
  r.details = {{"k\xFF", "v"}, {"k\xFE", "w"}, {"plain", "x"}};
  r.framework_version = "onnxruntime-node 1.30.0";
  TestEnvironment e;
  e.cpu_model = "AMD EPYC\xC0";
  e.busiest = {{31994, "kworker/\xFFu8", 2.31}, {1, "init", 0}};
  e.warnings = {"governor is powersave", "bad \xF5"};
  e.runner_cpus = "0-2";
  e.agent_cpu = 3;
  r.environment = e;
  return r;
}

TEST(JsonWriter, WritesAnUnusualResultAsToJsonDumpsIt) {
  const TestResult result = unusual_result();
  EXPECT_EQ(written(result), dumped(to_json(result)));
  EXPECT_EQ(written(result.spec), dumped(to_json(result.spec)));
}

TEST(JsonWriter, WritesABareResultAsToJsonDumpsIt) {
  TestResult result;  // no measurement, accuracy or environment; defaults everywhere
  EXPECT_EQ(written(result), dumped(to_json(result)));
  EXPECT_EQ(written(result.spec), dumped(to_json(result.spec)));
}

TEST(JsonWriter, NumbersAsDumpWritesThem) {
  for (const double value : {0.0, -0.0, 1.0, 300.0, 1e-9, 0.1, 0.0001, 1e15, 1e16, 1e21, 123456789.125, -2.5e-300,
                             std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()}) {
    std::string text;
    append_json_number(text, value);
    EXPECT_EQ(text, nlohmann::json(value).dump()) << value;
  }
}

TEST(JsonWriter, StringsAsDumpWritesThem) {
  for (const std::string value : {"", "plain", "quote \" and \\", "tab\tnewline\n", "\x1F\x7F", "caf\xC3\xA9",
                                  "\xFF\xFE", "\xE2\x82", "emoji \xF0\x9F\x98\x80"}) {
    std::string text;
    append_json_string(text, value);
    EXPECT_EQ(text, nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) << value;
  }
}

// The results of a realistic run: every mode, status and figure the generator writes.
TEST(JsonWriter, WritesGeneratedResultsAsToJsonDumpsThem) {
  testing::TempDir store;
  testing::GeneratedRunShape shape;
  shape.hosts = 2;
  shape.tests_per_host = 1000;
  testing::generate_run(store.str(), shape);
  int compared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(store.path())) {
    if (entry.path().parent_path().filename() != "results") continue;
    const TestResult result = test_result_from_json(nlohmann::json::parse(testing::read_file(entry.path().string())));
    ASSERT_EQ(written(result), dumped(to_json(result))) << entry.path();
    ASSERT_EQ(written(result.spec), dumped(to_json(result.spec))) << entry.path();
    ++compared;
  }
  EXPECT_EQ(compared, 2000);
}

}  // namespace
}  // namespace dli
