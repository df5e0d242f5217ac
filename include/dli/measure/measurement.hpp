#pragma once
// The timed loops. Everything is allocated before the clock starts; nothing is logged inside.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dli/measure/measure_config.hpp"

namespace dli {

// What the timed loops time: one request of a loaded model (a runner's session).
class TimedRequest {
 public:
  virtual ~TimedRequest() = default;
  // Copies `input` into the framework and runs one request to completion. Must not log; should not allocate.
  virtual void infer(const float* input, std::size_t count) = 0;
};

struct TimedRun {
  std::vector<double> request_seconds;  // one per timed request, in completion order per stream
  double wall_seconds = 0;              // first start to last end
  std::int64_t warmup_iterations = 0;
  // The preallocated sample buffer filled up before the stop rule was met (a request far faster than its
  // warm-up suggested, or beyond the sample cap): the run stopped early rather than allocate in the timed loop.
  bool capped = false;
};

// Sync: one request after another until both measure.iterations and measure.min_seconds are reached.
TimedRun run_sync(TimedRequest& session, const std::vector<float>& input, const MeasureConfig& measure);

// Async: sessions.size() requests in flight, one stream per session (its own thread); same stop rule,
// counted over all streams. Each stream copies its own input into the framework per request.
TimedRun run_async(const std::vector<TimedRequest*>& sessions, const std::vector<float>& input,
                   const MeasureConfig& measure);

// Deterministic pseudo-random input, batch x shape floats in [0, 1).
std::vector<float> make_input(int batch, const std::vector<std::int64_t>& shape, std::uint32_t seed = 42);

}  // namespace dli
