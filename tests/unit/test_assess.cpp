// From a runner's raw times to a result's figures and verdict (assess.hpp), mode by mode.
#include "dli/protocol/assess.hpp"

#include <stdexcept>
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/protocol/runner_protocol.hpp"

namespace dli {
namespace {

TestSpec spec_of(Mode mode, int batch = 2) {
  TestSpec spec;
  spec.mode = mode;
  spec.batch = batch;
  spec.measure.iterations = 4;
  spec.measure.min_seconds = 0.01;
  spec.measure.max_cv = 0;
  return spec;
}

// Request times 4, 1, 3, 2 ms five times over (20: enough for a median) in a wall time of 50 ms.
RawMeasurement raw_of() {
  RawMeasurement raw;
  raw.wall_seconds = 0.050;
  raw.stream_counts = {20};
  for (int i = 0; i < 5; ++i) {
    for (const double ms : {4, 1, 3, 2}) raw.request_seconds.push_back(ms / 1000);
  }
  return raw;
}

TEST(Assess, SyncKeepsTheSeedsFormulas) {
  const Measurement m = assess(raw_of(), spec_of(Mode::kSync));
  EXPECT_EQ(m.iterations, 20);
  EXPECT_DOUBLE_EQ(m.latency_percentile, 50);
  EXPECT_DOUBLE_EQ(m.throughput.latency_s, 0.0025);
  EXPECT_DOUBLE_EQ(m.throughput.avg_pass_s, 0.0025);
  EXPECT_DOUBLE_EQ(m.throughput.fps, 2 / 0.0025);
  EXPECT_EQ(m.histogram.total(), 20);
  EXPECT_EQ(m.histogram.buckets.size(), 4u);
  EXPECT_NEAR(m.request.cv, 0.45883146774112354, 1e-12);  // sqrt(25/19) ms / 2.5 ms
  EXPECT_TRUE(m.verdict.valid) << m.verdict.reasons.size();
}

// The agent's host-load check enters the verdict after the measurement's own reasons (verdict.hpp's order).
TEST(Assess, AHostBusyDuringTheTestIsItsLastReason) {
  const Measurement sync = assess(raw_of(), spec_of(Mode::kSync), true);
  EXPECT_FALSE(sync.verdict.valid);
  EXPECT_EQ(sync.verdict.reasons, std::vector<std::string>{"host_busy"});
  const Measurement single = assess(raw_of(), spec_of(Mode::kSingleStream), true);
  EXPECT_EQ(single.verdict.reasons, (std::vector<std::string>{"too_few_requests", "host_busy"}));
  EXPECT_TRUE(assess(raw_of(), spec_of(Mode::kSync), false).verdict.valid);
}

TEST(Assess, ScenariosReportTheirPercentileAndServedThroughput) {
  Measurement m = assess(raw_of(), spec_of(Mode::kSingleStream));
  EXPECT_DOUBLE_EQ(m.latency_percentile, 90);
  EXPECT_DOUBLE_EQ(m.throughput.latency_s, 0.004);
  EXPECT_DOUBLE_EQ(m.throughput.fps, 2 * 20 / 0.050);
  EXPECT_DOUBLE_EQ(m.throughput.avg_pass_s, 0.050 / 20);
  // too few requests for p90 (100 needed)
  EXPECT_EQ(m.verdict.reasons, std::vector<std::string>{"too_few_requests"});

  TestSpec multi = spec_of(Mode::kMultiStream);
  multi.samples_per_query = 8;
  m = assess(raw_of(), multi);
  EXPECT_DOUBLE_EQ(m.latency_percentile, 99);
  EXPECT_DOUBLE_EQ(m.throughput.latency_s, 0.004);
  EXPECT_DOUBLE_EQ(m.throughput.fps, 2 * 8 * 20 / 0.050) << "samples per query count as frames";

  TestSpec server = spec_of(Mode::kServer);
  server.measure.latency_percentile = 50;
  server.measure.latency_bound_s = 0.002;
  m = assess(raw_of(), server);
  EXPECT_DOUBLE_EQ(m.throughput.latency_s, 0.0025);
  EXPECT_FALSE(m.verdict.valid);
  EXPECT_EQ(m.verdict.reasons, std::vector<std::string>{"latency_bound_broken"});
  server.measure.latency_bound_s = 0.003;
  EXPECT_TRUE(assess(raw_of(), server).verdict.valid);

  m = assess(raw_of(), spec_of(Mode::kOffline));
  EXPECT_DOUBLE_EQ(m.latency_percentile, 50);
  EXPECT_DOUBLE_EQ(m.throughput.fps, 2 * 20 / 0.050);
}

TEST(Assess, TheCvRuleJudgesLatencyFiguresOnly) {
  TestSpec sync = spec_of(Mode::kSync);
  sync.measure.max_cv = 0.45;
  EXPECT_EQ(assess(raw_of(), sync).verdict.reasons, std::vector<std::string>{"cv_above_threshold"});
  TestSpec server = spec_of(Mode::kServer);
  server.measure.max_cv = 0.45;
  server.measure.latency_percentile = 50;
  EXPECT_TRUE(assess(raw_of(), server).verdict.valid);
  for (const Mode throughput : {Mode::kAsync, Mode::kOffline}) {
    TestSpec spec = spec_of(throughput);
    spec.measure.max_cv = 0.45;
    const auto reasons = assess(raw_of(), spec).verdict.reasons;
    EXPECT_EQ(std::count(reasons.begin(), reasons.end(), "cv_above_threshold"), 0) << to_string(throughput);
  }
}

TEST(Assess, TheHostBusyHookMakesItInvalid) {
  EXPECT_EQ(assess(raw_of(), spec_of(Mode::kSync), true).verdict.reasons, std::vector<std::string>{"host_busy"});
}

TEST(Assess, RefusesCountsThatDoNotAddUp) {
  RawMeasurement raw = raw_of();
  raw.stream_counts = {3};
  EXPECT_THROW(assess(raw, spec_of(Mode::kSync)), std::invalid_argument);
  raw.request_seconds.clear();
  EXPECT_THROW(assess(raw, spec_of(Mode::kSync)), std::invalid_argument);
}

TEST(RequestTimesFile, RoundTripsLittleEndianAndRefusesBadSizesOrTimes) {
  const std::vector<double> times = {0.5, 1e-9, 0.0};
  const std::string bytes = encode_request_times(times);
  ASSERT_EQ(bytes.size(), 24u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[7]), 0x3F) << "0.5 is 0x3FE0000000000000, its high byte last";
  EXPECT_EQ(static_cast<unsigned char>(bytes[6]), 0xE0);
  EXPECT_EQ(decode_request_times(bytes, 3), times);
  EXPECT_THROW(decode_request_times(bytes, 2), std::runtime_error);
  EXPECT_THROW(decode_request_times(encode_request_times({-1.0}), 1), std::runtime_error);
}

}  // namespace
}  // namespace dli
