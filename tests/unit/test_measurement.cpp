#include "dli/measure/measurement.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

using std::chrono::milliseconds;

// A hand-written session: counts its calls, checks it is given the caller's buffer, and does whatever `work`
// says for call number n (0-based, counted over the session's whole life).
class FakeSession : public TimedRequest {
 public:
  explicit FakeSession(std::function<void(std::int64_t)> work = {}) : work_(std::move(work)) {}

  void infer(const float* input, std::size_t count) override {
    const std::int64_t call = calls_.fetch_add(1);
    last_input_ = input;
    last_count_ = count;
    if (work_) work_(call);
  }

  std::int64_t calls() const { return calls_.load(); }
  const float* last_input() const { return last_input_; }
  std::size_t last_count() const { return last_count_; }

 private:
  std::function<void(std::int64_t)> work_;
  std::atomic<std::int64_t> calls_{0};
  const float* last_input_ = nullptr;
  std::size_t last_count_ = 0;
};

// Tracks how many requests are inside infer() at once, over a group of sessions.
struct InFlight {
  std::atomic<int> now{0};
  std::atomic<int> max{0};
  void request(milliseconds duration) {
    const int current = now.fetch_add(1) + 1;
    int seen = max.load();
    while (current > seen && !max.compare_exchange_weak(seen, current)) {
    }
    std::this_thread::sleep_for(duration);
    now.fetch_sub(1);
  }
};

MeasureConfig measure(int iterations, double min_seconds, int warmup_iterations, double warmup_seconds = 0) {
  MeasureConfig config;
  config.iterations = iterations;
  config.min_seconds = min_seconds;
  config.warmup_iterations = warmup_iterations;
  config.warmup_seconds = warmup_seconds;
  return config;
}

double sum(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

TEST(MeasurementSync, RunsExactlyTheIterationsWhenNoMinimumTime) {
  FakeSession session;
  const auto input = make_input(2, {3, 4});
  const TimedRun run = run_sync(session, input, measure(50, 0, 3));
  EXPECT_EQ(run.request_seconds.size(), 50u);
  EXPECT_EQ(run.warmup_iterations, 3);
  EXPECT_EQ(session.calls(), 53);
  EXPECT_EQ(run.stop_reason, StopReason::kMinReached);
  EXPECT_EQ(session.last_input(), input.data()) << "the caller's buffer is handed over, not a copy";
  EXPECT_EQ(session.last_count(), 24u);
}

TEST(MeasurementSync, KeepsGoingUntilMinSecondsAfterTheIterations) {
  FakeSession session([](std::int64_t) { std::this_thread::sleep_for(milliseconds(2)); });
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(3, 0.1, 1));
  EXPECT_GE(run.wall_seconds, 0.1);
  EXPECT_GT(run.request_seconds.size(), 3u);
  EXPECT_LT(run.request_seconds.size(), 60u);  // 2 ms each: about 50 at most in 0.1 s
  for (const double seconds : run.request_seconds) EXPECT_GE(seconds, 0.002);
}

TEST(MeasurementSync, KeepsGoingUntilTheIterationsAfterMinSeconds) {
  FakeSession session([](std::int64_t) { std::this_thread::sleep_for(milliseconds(1)); });
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(40, 0.005, 1));
  EXPECT_EQ(run.request_seconds.size(), 40u);
  EXPECT_GE(run.wall_seconds, 0.04);
}

TEST(MeasurementSync, RequestTimesAddUpToTheWallTime) {
  FakeSession session([](std::int64_t) { std::this_thread::sleep_for(std::chrono::microseconds(200)); });
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(30, 0, 1));
  EXPECT_NEAR(sum(run.request_seconds), run.wall_seconds, 1e-9);
}

TEST(MeasurementSync, WarmupRequestsAreExcludedFromTheSamples) {
  // Slow first requests, as frameworks' first passes are: none of them may show up in the statistics.
  constexpr int kWarmup = 4;
  FakeSession session([](std::int64_t call) {
    if (call < kWarmup) std::this_thread::sleep_for(milliseconds(40));
  });
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(25, 0, kWarmup));
  EXPECT_EQ(run.warmup_iterations, kWarmup);
  ASSERT_EQ(run.request_seconds.size(), 25u);
  EXPECT_EQ(session.calls(), kWarmup + 25);
  EXPECT_LT(*std::max_element(run.request_seconds.begin(), run.request_seconds.end()), 0.030);
}

TEST(MeasurementSync, WarmupLastsAtLeastWarmupSeconds) {
  FakeSession session([](std::int64_t) { std::this_thread::sleep_for(milliseconds(2)); });
  const auto started = std::chrono::steady_clock::now();
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(1, 0, 1, 0.05));
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_GE(total, 0.05);
  EXPECT_GE(run.warmup_iterations, 2) << "more than the one request asked for";
  EXPECT_LE(run.warmup_iterations, 26);  // 50 ms of requests of 2 ms or more
  EXPECT_EQ(run.request_seconds.size(), 1u);
}

// A fast model's first requests are far slower than its steady pace; a buffer sized from them alone would fill up
// long before min_seconds (`capped`). Warm-up therefore probes the pace for 5 % of the minimum time (here the floor,
// 10 ms, well past the slow requests even on a loaded machine) when a minimum time sizes the buffer.
TEST(MeasurementSync, ABufferSizedFromSlowFirstRequestsDoesNotCapAFastModel) {
  FakeSession session([](std::int64_t call) {
    if (call < 3) std::this_thread::sleep_for(std::chrono::microseconds(500));
  });
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(20, 0.05, 3));
  EXPECT_EQ(run.stop_reason, StopReason::kMinReached);
  EXPECT_GE(run.wall_seconds, 0.05);
  EXPECT_GT(run.warmup_iterations, 3) << "the probe went on past the slow first requests";
}

TEST(MeasurementSync, ZeroWarmupStillMakesOneUntimedRequestToSizeTheBuffer) {
  FakeSession session;
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(5, 0, 0));
  EXPECT_EQ(run.warmup_iterations, 1);
  EXPECT_EQ(run.request_seconds.size(), 5u);
  EXPECT_EQ(session.calls(), 6);
}

TEST(MeasurementSync, StopsAndSaysSoWhenRequestsOutrunTheBufferSizedFromWarmup) {
  // Warm-up at 10 ms per request sizes the buffer for ~2 x 0.2 s / 10 ms plus spare; then requests take no time,
  // so the buffer fills long before 0.2 s. The loop must stop there rather than grow it.
  FakeSession session([](std::int64_t call) {
    if (call < 2) std::this_thread::sleep_for(milliseconds(10));
  });
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(10, 0.2, 2));
  EXPECT_EQ(run.stop_reason, StopReason::kCapped);
  EXPECT_LT(run.wall_seconds, 0.2);
  EXPECT_GE(run.request_seconds.size(), 10u);
  EXPECT_LE(run.request_seconds.size(), 2000u);
}

TEST(MeasurementSync, PropagatesTheSessionsError) {
  FakeSession session([](std::int64_t call) {
    if (call == 5) throw std::runtime_error("framework fell over");
  });
  EXPECT_THROW(run_sync(session, make_input(1, {4}), measure(10, 0, 1)), std::runtime_error);
}

TEST(MeasurementSync, RejectsNegativeSettings) {
  FakeSession session;
  EXPECT_THROW(run_sync(session, make_input(1, {4}), measure(10, -1, 1)), std::invalid_argument);
  EXPECT_THROW(run_sync(session, make_input(1, {4}), measure(-1, 0, 1)), std::invalid_argument);
  EXPECT_EQ(session.calls(), 0);
}

TEST(MeasurementAsync, KeepsEverySessionBusyAtOnce) {
  InFlight in_flight;
  std::vector<std::unique_ptr<FakeSession>> owned;
  std::vector<TimedRequest*> sessions;
  for (int i = 0; i < 3; ++i) {
    owned.push_back(std::make_unique<FakeSession>([&](std::int64_t) { in_flight.request(milliseconds(5)); }));
    sessions.push_back(owned.back().get());
  }
  const TimedRun run = run_async(sessions, make_input(1, {4}), measure(30, 0, 3));
  EXPECT_EQ(in_flight.max.load(), 3);
  EXPECT_EQ(run.request_seconds.size(), 30u) << "no minimum time: each claim past the 30th is refused, not run";
  std::int64_t calls = 0;
  for (const auto& session : owned) {
    EXPECT_GE(session->calls(), 2) << "every stream warms up and serves requests";
    calls += session->calls();
  }
  EXPECT_EQ(calls, static_cast<std::int64_t>(run.request_seconds.size()) + run.warmup_iterations);
  // Three requests in flight: the wall time is about a third of the summed request times.
  EXPECT_LT(run.wall_seconds, 0.6 * sum(run.request_seconds));
}

TEST(MeasurementAsync, SplitsTheWarmupAcrossStreams) {
  FakeSession first, second;
  const TimedRun run = run_async({&first, &second}, make_input(1, {4}), measure(4, 0, 4));
  EXPECT_EQ(run.warmup_iterations, 4);  // two each
  EXPECT_EQ(first.calls() + second.calls(), 4 + static_cast<std::int64_t>(run.request_seconds.size()));
  EXPECT_GE(first.calls(), 2);
  EXPECT_GE(second.calls(), 2);
}

TEST(MeasurementAsync, StopsOnlyWhenBothIterationsAndMinSecondsAreReached) {
  FakeSession first([](std::int64_t) { std::this_thread::sleep_for(milliseconds(2)); });
  FakeSession second([](std::int64_t) { std::this_thread::sleep_for(milliseconds(2)); });
  const TimedRun run = run_async({&first, &second}, make_input(1, {4}), measure(4, 0.1, 1));
  EXPECT_GE(run.wall_seconds, 0.1);
  EXPECT_GT(run.request_seconds.size(), 20u);
  EXPECT_EQ(run.stop_reason, StopReason::kMinReached);
}

TEST(MeasurementAsync, OneSessionRunsTheIterations) {
  FakeSession session;
  const auto input = make_input(1, {8});
  const TimedRun run = run_async({&session}, input, measure(20, 0, 2));
  EXPECT_EQ(run.request_seconds.size(), 20u);
  EXPECT_EQ(run.warmup_iterations, 2);
  EXPECT_EQ(session.last_input(), input.data());
  EXPECT_GE(run.wall_seconds, 0.0);
}

TEST(MeasurementAsync, AFailingStreamFailsTheRunWithoutBlockingTheOthers) {
  FakeSession good([](std::int64_t) { std::this_thread::sleep_for(milliseconds(1)); });
  FakeSession bad([](std::int64_t call) {
    if (call == 3) throw std::runtime_error("stream broke");
  });
  try {
    run_async({&good, &bad}, make_input(1, {4}), measure(1000000, 60, 1));
    FAIL() << "expected the stream's error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "stream broke");
  }
}

TEST(MeasurementAsync, AFailingWarmupFailsTheRunToo) {
  FakeSession good;
  FakeSession bad([](std::int64_t) { throw std::runtime_error("cannot even warm up"); });
  EXPECT_THROW(run_async({&good, &bad}, make_input(1, {4}), measure(10, 0, 1)), std::runtime_error);
}

TEST(MeasurementAsync, RejectsAnEmptySessionList) {
  EXPECT_THROW(run_async({}, make_input(1, {4}), measure(10, 0, 1)), std::invalid_argument);
}

// Reports a different count in every thread that asks, so the test can tell whose thread asked.
class ThreadReportingSession : public TimedRequest {
 public:
  void infer(const float* /*input*/, std::size_t /*count*/) override {
    if (std::this_thread::get_id() != caller_) first_infer_thread_ = std::this_thread::get_id();
  }
  int threads_in_this_thread() override {
    asked_in_ = std::this_thread::get_id();
    return std::this_thread::get_id() == caller_ ? 100 : reported_;
  }
  std::thread::id caller_ = std::this_thread::get_id();
  std::thread::id first_infer_thread_, asked_in_;
  int reported_ = 0;
};

TEST(MeasurementAsync, AsksEachStreamsThreadsInThatStreamsThread) {
  ThreadReportingSession first, second;
  first.reported_ = 3;
  second.reported_ = 5;
  const TimedRun run = run_async({&first, &second}, make_input(1, {4}), measure(4, 0, 2));
  EXPECT_EQ(run.stream_threads, (std::vector<int>{3, 5}));
  EXPECT_EQ(first.asked_in_, first.first_infer_thread_) << "asked in the thread that serves the stream";
  EXPECT_NE(first.asked_in_, first.caller_);
}

TEST(MeasurementSync, AsksTheSessionsThreadsOnce) {
  ThreadReportingSession session;
  const TimedRun run = run_sync(session, make_input(1, {4}), measure(4, 0, 1));
  EXPECT_EQ(run.stream_threads, std::vector<int>{100}) << "sync runs in the caller's thread";
}

TEST(MeasurementInput, IsDeterministicAndInTheUnitInterval) {
  const auto a = make_input(2, {3, 5, 7});
  const auto b = make_input(2, {3, 5, 7});
  ASSERT_EQ(a.size(), 210u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, make_input(2, {3, 5, 7}, 7)) << "another seed, other values";
  const auto [low, high] = std::minmax_element(a.begin(), a.end());
  EXPECT_GE(*low, 0.0f);
  EXPECT_LT(*high, 1.0f);
  EXPECT_GT(*high - *low, 0.5f) << "spread over the interval, not a constant";
}

TEST(MeasurementInput, RejectsEmptyDimensions) {
  EXPECT_THROW(make_input(0, {3}), std::invalid_argument);
  EXPECT_THROW(make_input(1, {3, 0}), std::invalid_argument);
  EXPECT_THROW(make_input(1, {-2}), std::invalid_argument);
}

}  // namespace
}  // namespace dli
