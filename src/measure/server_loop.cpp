// The Server scenario's timed loop (docs/methodology.md, "Server"). The schedule and every buffer exist before the
// clock starts; inside, the streams only claim an index, wait for its time, serve it and store two numbers.
#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

#include "dli/measure/measurement.hpp"
#include "loop_parts.hpp"

namespace dli {

namespace {

// Sleeping is cheap for the cores but wakes up late by tens of microseconds; the last stretch before a query's time
// is spun on the clock, so the send time is within the clock's resolution when the stream is idle.
constexpr std::chrono::microseconds kSpin{200};
// The origin is this far after the streams are created, so that their threads are running by the first query.
constexpr std::chrono::milliseconds kStartMargin{5};

struct ServerShared {
  const std::vector<float>* input = nullptr;
  const std::vector<double>* schedule = nullptr;
  std::vector<SteadyClock::duration> due;  // schedule as clock durations from the origin
  SteadyClock::time_point origin;
  SteadyClock::duration max_time{};
  bool has_max_time = false;
  double* latencies = nullptr;  // one per query, by index
  double* delays = nullptr;
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> served{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> hit_max_time{false};
};

struct ServerStream {
  TimedRequest* session = nullptr;
  SteadyClock::time_point last_end;
  int threads = 0;  // as the framework reports them in this stream's thread
  std::exception_ptr error;
};

void wait_until(SteadyClock::time_point when) {
  const SteadyClock::time_point wake = when - kSpin;
  if (SteadyClock::now() < wake) std::this_thread::sleep_until(wake);
  while (SteadyClock::now() < when) {
  }
}

void serve(ServerStream& stream, ServerShared& shared) {
  try {
    TimedRequest& session = *stream.session;
    stream.threads = session.threads_in_this_thread();  // before the origin: not timed
    const float* const data = shared.input->data();
    const std::size_t count = shared.input->size();
    const auto total = static_cast<std::int64_t>(shared.due.size());
    stream.last_end = shared.origin;
    for (;;) {
      if (shared.stop.load(std::memory_order_relaxed)) break;
      const std::int64_t index = shared.next.fetch_add(1, std::memory_order_relaxed);
      if (index >= total) break;
      const SteadyClock::time_point due = shared.origin + shared.due[static_cast<std::size_t>(index)];
      if (shared.has_max_time && due - shared.origin >= shared.max_time) {
        shared.hit_max_time.store(true, std::memory_order_relaxed);
        shared.stop.store(true, std::memory_order_relaxed);
        break;
      }
      wait_until(due);
      const SteadyClock::time_point begin = SteadyClock::now();
      session.infer(data, count);
      const SteadyClock::time_point end = SteadyClock::now();
      shared.latencies[index] = loop_parts::to_seconds(end - due);
      shared.delays[index] = loop_parts::to_seconds(begin - due);
      shared.served.fetch_add(1, std::memory_order_relaxed);
      stream.last_end = end;
    }
  } catch (...) {
    stream.error = std::current_exception();
    shared.stop.store(true);
  }
}

}  // namespace

TimedRun run_server(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input,
                    const std::vector<double>& schedule, const MeasureConfig& measure) {
  loop_parts::check_measure(measure);
  if (sessions.empty()) throw std::invalid_argument("run_server needs at least one session");
  if (std::find(sessions.begin(), sessions.end(), nullptr) != sessions.end()) {
    throw std::invalid_argument("run_server: null session");
  }
  if (schedule.empty()) throw std::invalid_argument("run_server needs a non-empty schedule");
  TimedRun run;
  const auto streams_count = static_cast<std::int64_t>(sessions.size());
  const std::int64_t warmup_share = (measure.warmup_iterations + streams_count - 1) / streams_count;
  for (TimedRequest* session : sessions) {
    run.warmup_iterations += loop_parts::warm_up(*session, input, warmup_share,
                                                  std::max(measure.warmup_seconds, loop_parts::pace_probe_seconds(measure))).requests;
  }
  // Written now so that their pages are mapped before the clock starts.
  run.request_seconds.assign(schedule.size(), 0.0);
  run.start_delays.assign(schedule.size(), 0.0);
  ServerShared shared;
  shared.input = &input;
  shared.schedule = &schedule;
  shared.due.reserve(schedule.size());
  for (const double at : schedule) shared.due.push_back(loop_parts::to_duration(at));
  shared.has_max_time = measure.max_seconds > 0;
  shared.max_time = loop_parts::to_duration(measure.max_seconds);
  shared.latencies = run.request_seconds.data();
  shared.delays = run.start_delays.data();

  std::vector<ServerStream> streams(sessions.size());
  for (std::size_t i = 0; i < sessions.size(); ++i) streams[i].session = sessions[i];
  std::vector<std::thread> threads;
  threads.reserve(streams.size());
  shared.origin = SteadyClock::now() + kStartMargin;
  try {
    for (auto& stream : streams) threads.emplace_back(serve, std::ref(stream), std::ref(shared));
  } catch (...) {
    shared.stop.store(true);
    for (auto& thread : threads) thread.join();
    throw;
  }
  for (auto& thread : threads) thread.join();
  for (const auto& stream : streams) {
    if (stream.error) std::rethrow_exception(stream.error);
  }
  // Queries are claimed in order and a stream serves each one it claims, so the first `served` are all done.
  const auto served = static_cast<std::size_t>(shared.served.load());
  run.request_seconds.resize(served);
  run.start_delays.resize(served);
  run.stream_counts = {static_cast<std::int64_t>(served)};
  for (const auto& stream : streams) run.stream_threads.push_back(stream.threads);
  SteadyClock::time_point last_end = shared.origin;
  for (const auto& stream : streams) last_end = std::max(last_end, stream.last_end);
  run.wall_seconds = loop_parts::to_seconds(last_end - shared.origin);
  run.stop_reason = shared.hit_max_time.load() ? StopReason::kMaxSeconds : StopReason::kMinReached;
  return run;
}

}  // namespace dli
