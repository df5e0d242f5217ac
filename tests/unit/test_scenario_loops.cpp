// The scenarios' timed loops (docs/methodology.md, "Scenarios"), on hand-written sessions.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dli/measure/measurement.hpp"
#include "dli/measure/schedule.hpp"

namespace dli {
namespace {

using std::chrono::microseconds;

class SleepySession : public TimedRequest {
 public:
  explicit SleepySession(microseconds duration) : duration_(duration) {}
  void infer(const float* /*input*/, std::size_t /*count*/) override {
    calls.fetch_add(1);
    std::this_thread::sleep_for(duration_);
  }
  std::atomic<int> calls{0};

 private:
  microseconds duration_;
};

MeasureConfig counts(int iterations, int warmup) {
  MeasureConfig measure;
  measure.iterations = iterations;
  measure.min_seconds = 0;
  measure.warmup_iterations = warmup;
  return measure;
}

TEST(MultiStream, AQueryIsItsSamplesOneAfterAnother) {
  SleepySession session(microseconds(1000));
  const TimedRun run = run_multi_stream(session, {0.5f}, 4, counts(5, 1));
  ASSERT_EQ(run.request_seconds.size(), 5u) << "the stop rule counts queries";
  EXPECT_EQ(session.calls.load(), (1 + 5) * 4) << "warm-up counts queries too";
  for (const double seconds : run.request_seconds) EXPECT_GE(seconds, 0.004);
  EXPECT_EQ(run.stream_counts, std::vector<std::int64_t>{5});
  EXPECT_THROW(run_multi_stream(session, {0.5f}, 0, counts(5, 1)), std::invalid_argument);
}

TEST(Server, ServesEveryScheduledQueryAndCountsLatencyFromTheSchedule) {
  SleepySession session(microseconds(200));
  // Gaps of 0.1 s: a latency counted from the schedule's origin would reach 0.1, 0.2, 0.3 s; counted from each
  // query's own scheduled time it stays near the 0.2 ms service time, with room for a busy machine's delays.
  const std::vector<double> schedule = {0.000, 0.100, 0.200, 0.300};
  const TimedRun run = run_server({&session}, {0.5f}, schedule, counts(4, 2));
  ASSERT_EQ(run.request_seconds.size(), 4u);
  EXPECT_EQ(run.stop_reason, StopReason::kMinReached);
  EXPECT_EQ(session.calls.load(), 2 + 4);
  for (const double latency : run.request_seconds) {
    EXPECT_GE(latency, 0.0002);
    EXPECT_LT(latency, 0.09) << "an idle stream starts on time";
  }
  EXPECT_GE(run.wall_seconds, 0.3002) << "from the schedule's origin to the last end";
}

TEST(Server, AHarnessThatFallsBehindShowsItInTheLatency) {
  // Queries due every millisecond take 5 ms each: the fourth waits for three before it and is late by ~15 ms.
  SleepySession session(microseconds(5000));
  const TimedRun run = run_server({&session}, {0.5f}, {0.000, 0.001, 0.002, 0.003}, counts(4, 1));
  ASSERT_EQ(run.request_seconds.size(), 4u);
  EXPECT_GE(run.request_seconds[3], 0.017) << "end minus scheduled time, not minus actual start";
  EXPECT_GE(run.start_delays[3], 0.012);
}

TEST(Server, StopsAtMaxSecondsAndSaysSo) {
  SleepySession session(microseconds(100));
  MeasureConfig measure = counts(3, 1);
  measure.max_seconds = 0.015;
  const TimedRun run = run_server({&session}, {0.5f}, {0.0, 0.010, 0.020, 0.030}, measure);
  EXPECT_EQ(run.request_seconds.size(), 2u) << "queries due from 15 ms on are not sent";
  EXPECT_EQ(run.stop_reason, StopReason::kMaxSeconds);
}

TEST(Server, SeveralStreamsServeOverlappingQueries) {
  SleepySession a(microseconds(20000)), b(microseconds(20000));
  const TimedRun run = run_server({&a, &b}, {0.5f}, {0.0, 0.001}, counts(2, 0));
  ASSERT_EQ(run.request_seconds.size(), 2u);
  EXPECT_LT(run.request_seconds[1], 0.035) << "the second query did not wait for the first";
}

TEST(StopRuleInLoops, SyncStopsAtMaxCountBeforeTheMinimumTime) {
  SleepySession session(microseconds(100));
  MeasureConfig measure = counts(5, 0);
  measure.min_seconds = 60;
  measure.max_iterations = 7;
  const TimedRun run = run_sync(session, {0.5f}, measure);
  EXPECT_EQ(run.request_seconds.size(), 7u);
  EXPECT_EQ(run.stop_reason, StopReason::kMaxCount);
}

TEST(StopRuleInLoops, AsyncStopsAtMaxSeconds) {
  SleepySession a(microseconds(1000)), b(microseconds(1000));
  MeasureConfig measure = counts(1000000, 0);
  measure.max_seconds = 0.05;
  const TimedRun run = run_async({&a, &b}, {0.5f}, measure);
  EXPECT_EQ(run.stop_reason, StopReason::kMaxSeconds);
  EXPECT_LT(run.wall_seconds, 1.0);
  EXPECT_EQ(run.stream_counts.size(), 2u);
}

}  // namespace
}  // namespace dli
