// dli-run-command's own checks of a command's result, on what the protocol's decoder leaves unchecked: bounds,
// the test's stop rule, accuracy against the dataset.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../../src/runners/command/command_request.hpp"
#include "../../src/runners/command/result_check.hpp"
#include "dli/protocol/runner_protocol.hpp"

namespace dli::command_runner {
namespace {

using Json = nlohmann::json;

// The test the figures below answer: sync, batch 1, at least 10 requests and 0.2 s.
Expected sync_test() {
  Expected expected;
  expected.batch = 1;
  expected.min_iterations = 10;
  expected.min_seconds = 0.2;
  return expected;
}

// Request times of 20, 21, ... 29 ms in 0.245 s: complete and consistent. Tests spoil one thing at a time.
RawMeasurement good_measurement() {
  RawMeasurement m;
  m.framework_version = "LabTool 2.0";
  m.load_seconds = 0.5;
  m.first_inference_seconds = 0.05;
  m.warmup_iterations = 2;
  m.wall_seconds = 0.245;
  m.stream_counts = {10};
  m.request_seconds = {0.020, 0.021, 0.022, 0.023, 0.024, 0.025, 0.026, 0.027, 0.028, 0.029};
  m.peak_rss_kb = 1000;
  return m;
}

Json good_result() {
  RunnerResult result;
  result.status = RunnerStatus::kOk;
  result.framework_version = "LabTool 2.0";
  result.measurement = good_measurement();
  return to_json(result);
}

void expect_problem(const std::string& problem, const std::string& part) {
  EXPECT_NE(problem.find(part), std::string::npos) << "problem: '" << problem << "', expected '" << part << "'";
}

TEST(CommandResultCheck, AConsistentMeasurementPasses) {
  EXPECT_EQ(measurement_problem(good_measurement(), sync_test()), "");
}

TEST(CommandResultCheck, BoundsTheDecoderLeavesAreChecked) {
  const std::vector<std::pair<std::function<void(RawMeasurement&)>, std::string>> cases = {
      {[](RawMeasurement& m) { m.warmup_iterations = -1; }, "measurement.warmup_iterations is -1, below 0"},
      {[](RawMeasurement& m) { m.wall_seconds = 0; }, "measurement.wall_s is 0, not above 0"},
      {[](RawMeasurement& m) { m.peak_rss_kb = -5; }, "measurement.peak_rss_kb is -5, below 0"},
  };
  for (const auto& [spoil, part] : cases) {
    SCOPED_TRACE(part);
    RawMeasurement m = good_measurement();
    spoil(m);
    expect_problem(measurement_problem(m, sync_test()), part);
  }
}

TEST(CommandResultCheck, TheStopRuleHoldsWhenTheMinimaStoppedIt) {
  Expected longer = sync_test();
  longer.min_iterations = 11;
  expect_problem(measurement_problem(good_measurement(), longer),
                 "measurement.request_times holds 10 requests, fewer than the test's measure.iterations 11");
  longer = sync_test();
  longer.min_seconds = 0.246;
  EXPECT_EQ(measurement_problem(good_measurement(), longer), "") << "a millisecond of slack";
  longer.min_seconds = 0.3;
  expect_problem(measurement_problem(good_measurement(), longer), "shorter than the test's measure.min_s 0.3");
  // A run a maximum stopped says so; its verdict (computed by the agent) reports the minima it missed.
  RawMeasurement stopped = good_measurement();
  stopped.stop_reason = StopReason::kMaxSeconds;
  EXPECT_EQ(measurement_problem(stopped, longer), "");
}

TEST(CommandResultCheck, AccuracyWithinBoundsAndAgainstTheDataset) {
  Expected accuracy_test;
  accuracy_test.mode = Mode::kAccuracy;
  accuracy_test.samples = 5;
  EXPECT_EQ(accuracy_problem({5, 0.8, 1.0}, accuracy_test), "");
  expect_problem(accuracy_problem({4, 0.8, 1.0}, accuracy_test), "accuracy.samples is 4 but the dataset has 5");
  expect_problem(accuracy_problem({5, 0.9, 0.8}, accuracy_test), "accuracy.top1 (0.9) is above accuracy.top5 (0.8)");
  expect_problem(accuracy_problem({5, 0.8, 1.5}, accuracy_test), "must be within [0, 1]");
  expect_problem(accuracy_problem({0, 0.8, 1.0}, accuracy_test), "accuracy.samples is 0, below 1");
  expect_problem(accuracy_problem({5, -0.1, 1.0}, accuracy_test), "accuracy.top1 is -0.1, below 0");
  accuracy_test.samples = -1;
  EXPECT_EQ(accuracy_problem({7, 0.8, 1.0}, accuracy_test), "") << "a dataset of unknown size";
}

TEST(CommandResultCheck, TheWholeResultIsDecodedByTheProtocolThenChecked) {
  RunnerResult decoded;
  EXPECT_EQ(result_problem(good_result(), sync_test(), decoded), "");
  ASSERT_TRUE(decoded.measurement.has_value());
  EXPECT_EQ(decoded.measurement->request_seconds.size(), 10u);

  Json spoiled = good_result();
  spoiled["measurement"].erase("stop_reason");
  expect_problem(result_problem(spoiled, sync_test(), decoded), "missing field 'measurement.stop_reason'");
  spoiled = good_result();
  spoiled["measurement"]["request_times"]["seconds"][3] = -0.01;
  expect_problem(result_problem(spoiled, sync_test(), decoded), "measurement.request_times.seconds");
  spoiled = good_result();
  spoiled["measurement"]["request_times"]["counts"] = {11};
  expect_problem(result_problem(spoiled, sync_test(), decoded), "11 times (the sum of counts)");
  for (const char* key : {"measurement", "accuracy"}) {
    spoiled = good_result();
    spoiled["status"] = "failed";
    spoiled["reason"] = "no engine";
    spoiled["measurement"] = nullptr;
    spoiled.erase(key);
    expect_problem(result_problem(spoiled, sync_test(), decoded),
                   std::string(key) + " is missing (null when there is none)");
  }
  spoiled = good_result();
  spoiled["status"] = "unsupported";
  spoiled["reason"] = "no GPU";
  spoiled["measurement"]["wall_s"] = 0;
  EXPECT_EQ(result_problem(spoiled, sync_test(), decoded), "") << "the figures of a result that is not ok are not";
  EXPECT_EQ(decoded.status, RunnerStatus::kUnsupported);
  EXPECT_EQ(decoded.reason, "no GPU");
}

TEST(CommandResultCheck, PeakMemoryIsFilledInOnlyWhenMissing) {
  nlohmann::ordered_json result = nlohmann::ordered_json::parse(good_result().dump());
  EXPECT_FALSE(fill_peak_rss(result, 42));
  EXPECT_EQ(result["measurement"]["peak_rss_kb"], 1000);
  result["measurement"].erase("peak_rss_kb");
  EXPECT_TRUE(fill_peak_rss(result, 42));
  EXPECT_EQ(result["measurement"]["peak_rss_kb"], 42);
  result["measurement"] = nullptr;
  EXPECT_FALSE(fill_peak_rss(result, 42));
  EXPECT_TRUE(result["measurement"].is_null());
}

nlohmann::json command_request(const std::string& mode, int threads, int requests) {
  const nlohmann::json spec = {
      {"id", "0000000000000000"},
      {"host", "local"},
      {"model",
       {{"name", "m"}, {"format", "onnx"}, {"precision", "fp32"}, {"input_shape", {1, 8, 8}}, {"file_name", ""},
        {"sha256", ""}, {"config_name", ""}, {"config_sha256", ""}}},
      {"framework", "command"},
      {"params", {{"command", "tool --threads {threads_per_request}"}}},
      {"batch", 1},
      {"mode", mode},
      {"threads", threads},
      {"requests", requests},
      {"device", "cpu"},
      {"dataset", {{"name", ""}, {"sha256", ""}}},
      {"measure",
       {{"iterations", 10}, {"min_s", 0.0}, {"warmup_iterations", 1}, {"warmup_s", 0.0}, {"timeout_s", 60.0}}},
  };
  return {{"runner_protocol", kRunnerProtocolVersion}, {"spec", spec}, {"model_path", "/m.onnx"}, {"config_path", ""},
          {"dataset_path", ""}};
}

TEST(CommandRequest, TheCommandGetsEachRequestsShareOfTheThreads) {
  EXPECT_EQ(read_request(command_request("async", 8, 2), "/r.json", "/o.json").values.at("threads_per_request"), "4");
  EXPECT_EQ(read_request(command_request("sync", 8, 2), "/r.json", "/o.json").values.at("threads_per_request"), "8");
  try {
    read_request(command_request("async", 3, 2), "/r.json", "/o.json");
    ADD_FAILURE() << "a remainder was accepted";
  } catch (const NotOffered& refusal) {
    EXPECT_EQ(std::string(refusal.what()),
              "command: threads 3 do not divide among 2 requests in flight (each request gets threads / requests; "
              "choose threads a multiple of requests)");
  }
}

TEST(CommandRequest, DevicesFollowDescribesRule) {
  EXPECT_TRUE(device_offered({"*"}, "cuda:1"));
  EXPECT_TRUE(device_offered({"cpu"}, "cpu"));
  EXPECT_FALSE(device_offered({"cpu"}, "cuda"));
  EXPECT_TRUE(device_offered({"cuda:0"}, "cuda"));
  EXPECT_TRUE(device_offered({"cuda"}, "cuda:3"));
  EXPECT_FALSE(device_offered({"cuda:0"}, "cuda:1"));
  EXPECT_EQ(split_list("a, b,,c \t"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(CommandRequest, SecondsArePassedAsTheShortestDecimal) {
  EXPECT_EQ(decimal(0.2), "0.2");
  EXPECT_EQ(decimal(0), "0");
  EXPECT_EQ(decimal(1.5), "1.5");
  EXPECT_EQ(decimal(1), "1");
  EXPECT_EQ(decimal(0.1 + 0.2), "0.30000000000000004");
}

}  // namespace
}  // namespace dli::command_runner
