// Each stream's own statistics, the imbalance between streams and the verdict note it brings (stream_stats.hpp).
#include "dli/measure/stream_stats.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/measure/verdict.hpp"
#include "dli/protocol/assess.hpp"
#include "dli/protocol/runner_protocol.hpp"

namespace dli {
namespace {

TEST(StreamStats, EachStreamFromItsOwnTimes) {
  // Stream 0: 1, 2, 3, 4 ms; stream 1: 10, 30 ms; stream 2: none.
  const std::vector<double> seconds = {0.001, 0.002, 0.003, 0.004, 0.010, 0.030};
  const auto streams = stream_stats(seconds, {4, 2, 0});
  ASSERT_EQ(streams.size(), 3u);
  EXPECT_EQ(streams[0].count, 4);
  EXPECT_DOUBLE_EQ(streams[0].median_s, 0.0025);
  EXPECT_DOUBLE_EQ(streams[0].p90_s, 0.0037);  // rank 2.7
  EXPECT_DOUBLE_EQ(streams[0].mean_s, 0.0025);
  EXPECT_EQ(streams[1].count, 2);
  EXPECT_DOUBLE_EQ(streams[1].median_s, 0.020);
  EXPECT_DOUBLE_EQ(streams[1].p90_s, 0.028);  // rank 0.9
  EXPECT_DOUBLE_EQ(streams[1].mean_s, 0.020);
  EXPECT_EQ(streams[2].count, 0);
  EXPECT_DOUBLE_EQ(streams[2].median_s, 0);
}

TEST(StreamStats, RefusesCountsThatDoNotFit) {
  EXPECT_THROW(stream_stats({0.001, 0.002}, {1}), std::invalid_argument);
  EXPECT_THROW(stream_stats({0.001, 0.002}, {3}), std::invalid_argument);
  EXPECT_THROW(stream_stats({0.001, 0.002}, {-1, 3}), std::invalid_argument);
}

TEST(StreamImbalance, HighestOverLowestMedianLessOne) {
  EXPECT_DOUBLE_EQ(stream_imbalance({{10, 0.004, 0, 0}, {10, 0.005, 0, 0}}), 0.25);
  EXPECT_DOUBLE_EQ(stream_imbalance({{10, 0.002, 0, 0}, {10, 0.0067, 0, 0}, {10, 0.004, 0, 0}}), 2.35);
  EXPECT_DOUBLE_EQ(stream_imbalance({{10, 0.002, 0, 0}}), 0) << "one stream has nothing to differ from";
  EXPECT_DOUBLE_EQ(stream_imbalance({{10, 0.002, 0, 0}, {0, 0, 0, 0}}), 0) << "a stream without requests is left out";
  EXPECT_DOUBLE_EQ(stream_imbalance({{10, 0, 0, 0}, {10, 0.001, 0, 0}}), 0) << "a zero median is no yardstick";
}

TEST(StreamImbalance, AboveTheBoundIsANoteNotAnInvalidity) {
  VerdictInputs in;
  in.count = 100;
  in.stream_imbalance = 0.25;  // exactly the bound: no note
  EXPECT_TRUE(judge(in).notes.empty());
  in.stream_imbalance = 0.26;
  const Verdict verdict = judge(in);
  EXPECT_TRUE(verdict.valid);
  EXPECT_EQ(verdict.notes, std::vector<std::string>{"streams_imbalanced"});
}

TEST(StreamImbalance, AssessRecordsStreamsThreadsAndTheNote) {
  TestSpec spec;
  spec.mode = Mode::kAsync;
  spec.measure.iterations = 40;
  spec.measure.max_cv = 0;
  RawMeasurement raw;
  raw.wall_seconds = 1;
  raw.stream_counts = {20, 20};
  raw.stream_threads = {8, 8};
  // The bimodal case of issue 7: one stream at 2 ms, the other at 6 ms.
  for (int i = 0; i < 20; ++i) raw.request_seconds.push_back(0.002);
  for (int i = 0; i < 20; ++i) raw.request_seconds.push_back(0.006);
  const Measurement m = assess(raw, spec);
  EXPECT_EQ(m.stream_threads, (std::vector<int>{8, 8}));
  ASSERT_EQ(m.streams.size(), 2u);
  EXPECT_DOUBLE_EQ(m.streams[0].median_s, 0.002);
  EXPECT_DOUBLE_EQ(m.streams[1].median_s, 0.006);
  EXPECT_TRUE(m.verdict.valid);
  EXPECT_EQ(m.verdict.notes, std::vector<std::string>{"streams_imbalanced"});
  // Balanced streams: no note.
  for (int i = 20; i < 40; ++i) raw.request_seconds[static_cast<std::size_t>(i)] = 0.0022;
  EXPECT_TRUE(assess(raw, spec).verdict.notes.empty());
}

}  // namespace
}  // namespace dli
