// dli-run-command's own checks of a command's result, on what the protocol's decoder leaves unchecked: bounds,
// the test's stop rule, the order of the statistics, the methodology's formulas, accuracy against the dataset.
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../../src/runners/command/command_request.hpp"
#include "../../src/runners/command/result_check.hpp"

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

// Request times of 20, 21, ... 29 ms: complete and consistent. Tests spoil one thing at a time.
Measurement good_measurement() {
  Measurement m;
  m.framework_version = "LabTool 2.0";
  m.load_seconds = 0.5;
  m.first_inference_seconds = 0.05;
  m.warmup_iterations = 2;
  m.iterations = 10;
  m.wall_seconds = 0.245;
  m.request = {10, 0.020, 0.029, 0.0245, 0.0030276503540974917, 0.0245, 0.0281, 0.02855, 0.02891};
  m.throughput = {0.0245, 0.0245, 1 / 0.0245};
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
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double infinity = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::function<void(Measurement&)>, std::string>> cases = {
      {[](Measurement& m) { m.load_seconds = -1; }, "measurement.load_s is -1, below 0"},
      {[&](Measurement& m) { m.first_inference_seconds = nan; }, "measurement.first_inference_s is null"},
      {[](Measurement& m) { m.warmup_iterations = -1; }, "measurement.warmup_iterations is -1, below 0"},
      {[](Measurement& m) { m.iterations = 0; }, "measurement.iterations is 0, below 1"},
      {[](Measurement& m) { m.wall_seconds = 0; }, "measurement.wall_s is 0, not above 0"},
      {[](Measurement& m) { m.peak_rss_kb = -5; }, "measurement.peak_rss_kb is -5, below 0"},
      {[](Measurement& m) { m.request.count = 0; }, "measurement.request.count is 0, below 1"},
      {[&](Measurement& m) { m.request.max = infinity; }, "measurement.request.max_s is not finite"},
      {[&](Measurement& m) { m.request.stddev = nan; }, "measurement.request.stddev_s is null (not a number)"},
      {[](Measurement& m) { m.throughput.avg_pass_s = -0.1; }, "measurement.throughput.avg_pass_s is -0.1, below 0"},
      {[](Measurement& m) { m.throughput.fps = 0; }, "measurement.throughput.fps is 0, not above 0"},
  };
  for (const auto& [spoil, part] : cases) {
    SCOPED_TRACE(part);
    Measurement m = good_measurement();
    spoil(m);
    expect_problem(measurement_problem(m, sync_test()), part);
  }
}

TEST(CommandResultCheck, TheStopRuleAndTheOrderOfTheStatistics) {
  Measurement m = good_measurement();
  m.request.count = 11;
  expect_problem(measurement_problem(m, sync_test()),
                 "measurement.iterations is 10 but measurement.request.count is 11");

  Expected longer = sync_test();
  longer.min_iterations = 11;
  expect_problem(measurement_problem(good_measurement(), longer), "fewer than the test's measure.iterations 11");
  longer = sync_test();
  longer.min_seconds = 0.246;
  EXPECT_EQ(measurement_problem(good_measurement(), longer), "") << "a millisecond of slack";
  longer.min_seconds = 0.3;
  expect_problem(measurement_problem(good_measurement(), longer), "shorter than the test's measure.min_s 0.3");

  m = good_measurement();
  m.request.p95 = 0.0275;
  expect_problem(measurement_problem(m, sync_test()), "measurement.request.p90_s (0.0281) is above p95_s (0.0275)");
  m = good_measurement();
  m.request.mean = 0.03;
  m.throughput.avg_pass_s = 0.03;
  expect_problem(measurement_problem(m, sync_test()), "mean_s (0.03) is outside [min_s, max_s]");

  m = good_measurement();
  m.iterations = m.request.count = 1;
  m.request = {1, 0.02, 0.02, 0.02, 0.001, 0.02, 0.02, 0.02, 0.02};
  m.throughput = {0.02, 0.02, 50};
  Expected one = sync_test();
  one.min_iterations = 1;
  expect_problem(measurement_problem(m, one), "stddev_s is not 0 for one request");
  m.request.stddev = 0;
  EXPECT_EQ(measurement_problem(m, one), "");
}

TEST(CommandResultCheck, TheFormulasOfTheMethodology) {
  Measurement m = good_measurement();
  m.throughput.avg_pass_s = 0.0246;
  expect_problem(measurement_problem(m, sync_test()), "avg_pass_s (0.0246) is not the mean request time (0.0245)");

  Expected batch8 = sync_test();
  batch8.batch = 8;
  expect_problem(measurement_problem(good_measurement(), batch8), "is not batch / latency_s (326.530612)");
  m = good_measurement();
  m.throughput.fps = 8 / 0.0245;
  EXPECT_EQ(measurement_problem(m, batch8), "");
  m.throughput.fps = 8 / 0.0245 * (1 + 1e-7);
  EXPECT_EQ(measurement_problem(m, batch8), "") << "within a relative 1e-6";
  m.throughput.latency_s = 0.0246;
  expect_problem(measurement_problem(m, batch8), "latency_s (0.0246) is not the median request time (0.0245)");
}

TEST(CommandResultCheck, AsyncFiguresFollowTheWallTime) {
  Expected async = sync_test();
  async.mode = Mode::kAsync;
  async.batch = 2;
  Measurement m = good_measurement();
  m.wall_seconds = 0.3;
  m.throughput.avg_pass_s = 0.03;
  m.throughput.fps = 2 * 10 / 0.3;
  EXPECT_EQ(measurement_problem(m, async), "");
  m.throughput.fps = 2 / 0.0245;
  expect_problem(measurement_problem(m, async), "is not batch x iterations / wall_s (66.6666667)");
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
  EXPECT_EQ(decoded.measurement->iterations, 10);

  Json spoiled = good_result();
  spoiled["measurement"]["request"].erase("p99_s");
  expect_problem(result_problem(spoiled, sync_test(), decoded), "missing field 'measurement.request.p99_s'");
  spoiled = good_result();
  spoiled["measurement"]["request"]["median_s"] = nullptr;
  expect_problem(result_problem(spoiled, sync_test(), decoded), "measurement.request.median_s is null");
  spoiled = good_result();
  spoiled["measurement"]["request"]["count"] = 11;
  expect_problem(result_problem(spoiled, sync_test(), decoded), "measurement.request.count is 11");
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
  spoiled["measurement"]["request"]["count"] = 11;
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
