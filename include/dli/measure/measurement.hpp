#pragma once
// The timed loops. Everything is allocated before the clock starts; nothing is logged inside.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dli/measure/measure_config.hpp"
#include "dli/measure/stop_rule.hpp"

namespace dli {

// What the timed loops time: one request of a loaded model (a runner's session).
class TimedRequest {
 public:
  virtual ~TimedRequest() = default;
  // Copies `input` into the framework and runs one request to completion. Must not log; should not allocate.
  virtual void infer(const float* input, std::size_t count) = 0;
  // The intra-op threads the framework says a request of this session has, asked in the calling thread (each
  // stream's own, after its warm-up, outside the timed loop), since a framework's setting may be per thread. 0 when
  // the framework cannot tell.
  virtual int threads_in_this_thread() { return 0; }
};

struct TimedRun {
  // One time per timed request (MultiStream: per query), stream after stream, each in completion order (Server:
  // in schedule order); stream_counts says how many belong to each stream.
  std::vector<double> request_seconds;
  std::vector<std::int64_t> stream_counts;
  // Per session (stream), in order: what threads_in_this_thread() answered in that stream's thread.
  std::vector<int> stream_threads;
  double wall_seconds = 0;              // first start to last end (Server: the schedule's origin to the last end)
  std::int64_t warmup_iterations = 0;
  // Which rule stopped it. kCapped: the preallocated sample buffer filled up before the stop rule was met (a
  // request far faster than its warm-up suggested, or beyond the sample cap): it stopped rather than allocate.
  StopReason stop_reason = StopReason::kMinReached;
  // Server only: how late each query started after its scheduled time, seconds (0 when the harness was behind is
  // not distinguished: a query whose predecessor ran late starts late). Not part of any result; for the bench.
  std::vector<double> start_delays;
};

// Sync and SingleStream: one request after another until both measure.iterations and measure.min_seconds are
// reached, or a maximum.
TimedRun run_sync(TimedRequest& session, const std::vector<float>& input, const MeasureConfig& measure);

// MultiStream: each query is `samples_per_query` requests issued together and served one after another by the
// session; a query's time runs from its first request's start to its last request's end. The stop rule counts
// queries.
TimedRun run_multi_stream(TimedRequest& session, const std::vector<float>& input, int samples_per_query,
                          const MeasureConfig& measure);

// Server: query i is due at `schedule[i]` seconds after the origin (poisson_schedule); each session (its own
// thread) takes the next due query, waits for its time and serves it. A query's time runs from its *scheduled*
// send time to its end, so a harness or framework that falls behind shows it. Stops when the schedule is done
// (stop reason min_reached) or at measure.max_seconds.
TimedRun run_server(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input,
                    const std::vector<double>& schedule, const MeasureConfig& measure);

// Async and Offline: sessions.size() requests in flight, one stream per session (its own thread); same stop rule,
// counted over all streams. Each stream copies its own input into the framework per request.
TimedRun run_async(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input,
                   const MeasureConfig& measure);

// Deterministic pseudo-random input, batch x shape floats in [0, 1).
std::vector<float> make_input(int batch, const std::vector<std::int64_t>& shape, std::uint32_t seed = 42);

}  // namespace dli
