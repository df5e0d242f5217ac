// The timed loops (docs/methodology.md). Sample buffers are sized from the warm-up and written once before the
// clock starts; inside the loops there are only requests, clock reads and stores into those buffers.
#include "dli/measure/measurement.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "dli/util/clock.hpp"
#include "loop_parts.hpp"

namespace dli {

using loop_parts::check_measure;
using loop_parts::to_duration;
using loop_parts::to_seconds;
using loop_parts::pace_probe_seconds;
using loop_parts::warm_up;
using loop_parts::Warmup;

namespace {

// Hard bound on the samples of one run (32 MB of doubles), whatever the warm-up suggests: a harness-only request
// takes tens of nanoseconds, and a minute of those must not eat the machine's memory. More only if `iterations`
// itself asks for more.
constexpr std::size_t kMaxSamples = std::size_t{1} << 22;
// The buffer holds this many times the requests min_seconds needs at the warm-up's fastest pace, plus kSpare.
constexpr double kTimeHeadroom = 2.0;
constexpr std::size_t kSpare = 1024;

// Samples one stream may need: enough for `iterations`, and for min_seconds at the fastest pace seen in warm-up
// with headroom, up to `cap`.
std::size_t sample_capacity(const MeasureConfig& measure, double fastest_seconds, std::size_t cap) {
  const auto iterations = std::max<std::size_t>(static_cast<std::size_t>(measure.iterations), 1);
  if (measure.max_iterations > 0 && static_cast<std::size_t>(measure.max_iterations) <= iterations) {
    return static_cast<std::size_t>(measure.max_iterations);  // the loop stops there whatever the minima say
  }
  if (measure.min_seconds <= 0) return iterations;  // the loop stops at exactly `iterations`
  const double for_time = fastest_seconds > 0 ? kTimeHeadroom * measure.min_seconds / fastest_seconds
                                              : std::numeric_limits<double>::infinity();
  const double wanted = std::min(for_time + static_cast<double>(kSpare), static_cast<double>(cap));
  return std::max(iterations, static_cast<std::size_t>(wanted));
}

// ---- async ----

// Streams report ready after their warm-up; the coordinator then opens the gate for all of them at once.
class StartGate {
 public:
  void arrive() {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++arrived_;
    changed_.notify_all();
  }
  void wait_for_arrivals(std::size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return arrived_ >= count; });
  }
  void open() {
    const std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  void wait_open() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t arrived_ = 0;
  bool open_ = false;
};

struct Shared {
  Shared(const std::vector<float>& input_values, const MeasureConfig& settings)
      : input(input_values), measure(settings) {}
  const std::vector<float>& input;
  const MeasureConfig& measure;
  std::int64_t warmup_share = 0;  // warm-up requests per stream
  std::size_t cap_per_stream = 0;
  StartGate gate;
  std::atomic<std::int64_t> next_index{0};  // requests handed out, all streams together
  std::atomic<bool> stop{false};            // a stream failed or filled its buffer: everyone stops
};

struct Stream {
  TimedRequest* session = nullptr;
  std::vector<double> samples;
  std::size_t completed = 0;
  std::int64_t warmup_requests = 0;
  int threads = 0;  // as the framework reports them in this stream's thread
  SteadyClock::time_point first_start, last_end;
  StopReason stop_reason = StopReason::kMinReached;
  std::exception_ptr error;
};

void timed_stream(Stream& stream, Shared& shared) {
  TimedRequest& session = *stream.session;
  const float* const data = shared.input.data();
  const std::size_t count = shared.input.size();
  const StopRule rule(shared.measure);
  double* const samples = stream.samples.data();
  const std::size_t capacity = stream.samples.size();

  std::size_t done = 0;
  // The stream's first request starts right away (a claim and a comparison later), so this is its first start.
  const SteadyClock::time_point start = SteadyClock::now();
  SteadyClock::time_point last_end = start;
  for (;;) {
    if (shared.stop.load(std::memory_order_relaxed)) break;
    const std::int64_t index = shared.next_index.fetch_add(1, std::memory_order_relaxed);
    // Each stream works at least min_seconds itself, so none idles while the others finish, and the wall time
    // is at least min_seconds however late a thread woke up. The count is of all streams' requests.
    const StopReason reason = rule.check(index, last_end - start);
    if (reason != StopReason::kRunning) {
      stream.stop_reason = reason;
      break;
    }
    if (done == capacity) {
      stream.stop_reason = StopReason::kCapped;
      shared.stop.store(true, std::memory_order_relaxed);
      break;
    }
    const SteadyClock::time_point begin = SteadyClock::now();
    session.infer(data, count);
    const SteadyClock::time_point end = SteadyClock::now();
    samples[done++] = to_seconds(end - begin);
    last_end = end;
  }
  stream.completed = done;
  stream.first_start = start;
  stream.last_end = last_end;
}

void run_stream(Stream& stream, Shared& shared) {
  try {
    const Warmup warmup = warm_up(*stream.session, shared.input, shared.warmup_share,
                                  std::max(shared.measure.warmup_seconds, pace_probe_seconds(shared.measure)));
    stream.warmup_requests = warmup.requests;
    stream.threads = stream.session->threads_in_this_thread();
    stream.samples.resize(sample_capacity(shared.measure, warmup.fastest_seconds, shared.cap_per_stream));
  } catch (...) {
    stream.error = std::current_exception();
    shared.stop.store(true);
  }
  shared.gate.arrive();
  shared.gate.wait_open();
  if (stream.error) return;
  try {
    timed_stream(stream, shared);
  } catch (...) {
    stream.error = std::current_exception();
    shared.stop.store(true);
  }
}

}  // namespace

TimedRun run_sync(TimedRequest& session, const std::vector<float>& input, const MeasureConfig& measure) {
  check_measure(measure);
  TimedRun run;
  const Warmup warmup = warm_up(session, input, measure.warmup_iterations,
                                std::max(measure.warmup_seconds, pace_probe_seconds(measure)));
  run.warmup_iterations = warmup.requests;
  run.stream_threads = {session.threads_in_this_thread()};
  // Written now (resize, not reserve) so that its pages are mapped before the clock starts.
  run.request_seconds.resize(sample_capacity(measure, warmup.fastest_seconds, kMaxSamples));

  const float* const data = input.data();
  const std::size_t count = input.size();
  const StopRule rule(measure);
  double* const samples = run.request_seconds.data();
  const std::size_t capacity = run.request_seconds.size();

  // Back-to-back: one clock read per request, whose end is the next one's start. The few instructions of loop
  // bookkeeping in between are charged to the next request, and the times add up exactly to the wall time.
  std::size_t done = 0;
  const SteadyClock::time_point start = SteadyClock::now();
  SteadyClock::time_point previous = start;
  for (;;) {
    session.infer(data, count);
    const SteadyClock::time_point now = SteadyClock::now();
    samples[done++] = to_seconds(now - previous);
    previous = now;
    const StopReason reason = rule.check(static_cast<std::int64_t>(done), now - start);
    if (reason != StopReason::kRunning) {
      run.stop_reason = reason;
      break;
    }
    if (done == capacity) {
      run.stop_reason = StopReason::kCapped;
      break;
    }
  }
  run.wall_seconds = seconds_between(start, previous);
  run.request_seconds.resize(done);  // shrinking keeps the buffer
  run.stream_counts = {static_cast<std::int64_t>(done)};
  return run;
}

TimedRun run_async(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input,
                   const MeasureConfig& measure) {
  check_measure(measure);
  if (sessions.empty()) throw std::invalid_argument("run_async needs at least one session");
  if (std::find(sessions.begin(), sessions.end(), nullptr) != sessions.end()) {
    throw std::invalid_argument("run_async: null session");
  }
  const auto streams_count = static_cast<std::int64_t>(sessions.size());

  Shared shared(input, measure);
  shared.warmup_share = (measure.warmup_iterations + streams_count - 1) / streams_count;  // rounded up
  shared.cap_per_stream = std::max<std::size_t>(kMaxSamples / sessions.size(), 1);
  std::vector<Stream> streams(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) streams[i].session = sessions[i];

  std::vector<std::thread> threads;
  threads.reserve(streams.size());
  try {
    for (auto& stream : streams) threads.emplace_back(run_stream, std::ref(stream), std::ref(shared));
  } catch (...) {  // could not start every thread: release those that started, then report
    shared.stop.store(true);
    shared.gate.open();
    for (auto& thread : threads) thread.join();
    throw;
  }
  shared.gate.wait_for_arrivals(streams.size());
  shared.gate.open();
  for (auto& thread : threads) thread.join();

  for (const auto& stream : streams) {
    if (stream.error) std::rethrow_exception(stream.error);
  }
  TimedRun run;
  std::size_t total = 0;
  for (const auto& stream : streams) total += stream.completed;
  run.request_seconds.reserve(total);
  bool any = false;
  SteadyClock::time_point first_start{}, last_end{};
  // The strongest reason of any stream: a capped stream cut everyone short; a maximum beats the minima.
  run.stop_reason = StopReason::kMinReached;
  auto strength = [](StopReason reason) {
    switch (reason) {
      case StopReason::kCapped: return 3;
      case StopReason::kMaxSeconds: return 2;
      case StopReason::kMaxCount: return 1;
      default: return 0;
    }
  };
  for (const auto& stream : streams) {
    run.warmup_iterations += stream.warmup_requests;
    run.stream_counts.push_back(static_cast<std::int64_t>(stream.completed));
    run.stream_threads.push_back(stream.threads);
    if (strength(stream.stop_reason) > strength(run.stop_reason)) run.stop_reason = stream.stop_reason;
    run.request_seconds.insert(run.request_seconds.end(), stream.samples.begin(),
                               stream.samples.begin() + static_cast<std::ptrdiff_t>(stream.completed));
    if (stream.completed == 0) continue;
    first_start = any ? std::min(first_start, stream.first_start) : stream.first_start;
    last_end = any ? std::max(last_end, stream.last_end) : stream.last_end;
    any = true;
  }
  run.wall_seconds = any ? seconds_between(first_start, last_end) : 0;
  return run;
}

namespace {

// One MultiStream query: its samples served one after another by the same session.
class Query : public TimedRequest {
 public:
  Query(TimedRequest& session, int samples) : session_(session), samples_(samples) {}
  void infer(const float* input, std::size_t count) override {
    for (int i = 0; i < samples_; ++i) session_.infer(input, count);
  }
  int threads_in_this_thread() override { return session_.threads_in_this_thread(); }

 private:
  TimedRequest& session_;
  int samples_;
};

}  // namespace

TimedRun run_multi_stream(TimedRequest& session, const std::vector<float>& input, int samples_per_query,
                          const MeasureConfig& measure) {
  if (samples_per_query < 1) throw std::invalid_argument("a MultiStream query needs at least one sample");
  Query query(session, samples_per_query);
  // Warm-up counts queries too: measure.warmup_iterations queries of samples_per_query requests each.
  return run_sync(query, input, measure);
}

std::vector<float> make_input(int batch, const std::vector<std::int64_t>& shape, std::uint32_t seed) {
  if (batch < 1) throw std::invalid_argument("make_input: batch must be at least 1");
  std::size_t count = static_cast<std::size_t>(batch);
  for (const auto dim : shape) {
    if (dim < 1) throw std::invalid_argument("make_input: dimensions must be at least 1");
    if (count > std::numeric_limits<std::size_t>::max() / sizeof(float) / static_cast<std::size_t>(dim)) {
      throw std::invalid_argument("make_input: shape too large");
    }
    count *= static_cast<std::size_t>(dim);
  }
  std::vector<float> values(count);
  // A 32-bit LCG (Numerical Recipes' constants); its top 24 bits are exact in a float, scaled into [0, 1).
  std::uint32_t state = seed;
  for (auto& value : values) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<float>(state >> 8) * (1.0f / 16777216.0f);
  }
  return values;
}

}  // namespace dli
