#include "dli/protocol/assess.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace dli {

namespace {

double per_second(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }

}  // namespace

Throughput mode_metrics(const TestSpec& spec, const Summary& summary, const std::vector<double>& seconds,
                        double wall_seconds, double latency) {
  // The seed's two modes keep their formulas exactly (stats.hpp).
  if (spec.mode == Mode::kSync) return sync_metrics(seconds, spec.batch);
  if (spec.mode == Mode::kAsync) return async_metrics(seconds, wall_seconds, spec.batch);
  // Scenarios: the latency figure is the scenario's percentile; throughput is what was served over the wall time.
  const auto n = static_cast<double>(summary.count);
  const double samples_per_request =
      static_cast<double>(spec.batch) * (spec.mode == Mode::kMultiStream ? spec.samples_per_query : 1);
  Throughput throughput;
  throughput.latency_s = latency;
  throughput.avg_pass_s = n > 0 ? wall_seconds / n : 0;
  throughput.fps = per_second(samples_per_request * n, wall_seconds);
  return throughput;
}

VerdictInputs verdict_inputs(const TestSpec& spec, const Measurement& m, bool host_busy) {
  VerdictInputs in;
  in.count = m.iterations;
  in.wall_seconds = m.wall_seconds;
  in.stop_reason = m.stop_reason;
  // A Server run's length is its schedule's, sized from both minima; its count is the schedule's.
  in.min_count = spec.measure.iterations;
  in.min_seconds = spec.measure.min_seconds;
  in.reported_percentile = m.latency_percentile;
  in.reported_latency_s = m.throughput.latency_s;
  in.latency_bound_s = spec.measure.latency_bound_s;
  in.cv = m.request.cv;
  in.max_cv = spec.measure.max_cv;
  // The CV of request times judges a figure that is a latency statistic (sync, single_stream, multi_stream). Not
  // Server (its latency includes queueing by design), nor the throughput modes (async, offline), whose figure is
  // requests over wall time: requests in flight on shared cores vary by design, and the figure does not.
  in.cv_applies = spec.mode == Mode::kSync || spec.mode == Mode::kSingleStream || spec.mode == Mode::kMultiStream;
  in.host_busy = host_busy;
  in.stream_imbalance = stream_imbalance(m.streams);
  return in;
}

Measurement assess(const RawMeasurement& raw, const TestSpec& spec, bool host_busy) {
  const std::int64_t counted = std::accumulate(raw.stream_counts.begin(), raw.stream_counts.end(), std::int64_t{0});
  if (raw.request_seconds.empty()) throw std::invalid_argument("no timed requests");
  if (counted != static_cast<std::int64_t>(raw.request_seconds.size())) {
    throw std::invalid_argument("the stream counts add up to " + std::to_string(counted) + ", not the " +
                                std::to_string(raw.request_seconds.size()) + " request times");
  }
  Measurement m;
  m.framework_version = raw.framework_version;
  m.load_seconds = raw.load_seconds;
  m.first_inference_seconds = raw.first_inference_seconds;
  m.warmup_iterations = raw.warmup_iterations;
  m.iterations = counted;
  m.wall_seconds = raw.wall_seconds;
  m.peak_rss_kb = raw.peak_rss_kb;
  m.stop_reason = raw.stop_reason;
  m.stream_counts = raw.stream_counts;
  m.stream_threads = raw.stream_threads;
  m.streams = stream_stats(raw.request_seconds, raw.stream_counts);
  m.target_qps = raw.target_qps;
  m.search = raw.search;
  std::vector<double> sorted = raw.request_seconds;
  std::sort(sorted.begin(), sorted.end());
  m.request = summarize(sorted);
  m.histogram = make_histogram(sorted);
  m.latency_percentile = reported_percentile(spec.mode, spec.measure.latency_percentile);
  const double latency = m.latency_percentile == 50 ? m.request.median : sorted_percentile(sorted, m.latency_percentile);
  m.throughput = mode_metrics(spec, m.request, raw.request_seconds, raw.wall_seconds, latency);
  m.verdict = judge(verdict_inputs(spec, m, host_busy));
  return m;
}

}  // namespace dli
