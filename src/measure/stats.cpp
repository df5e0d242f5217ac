#include "dli/measure/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace dli {

namespace {

void require_values(const std::vector<double>& values, const char* what) {
  if (values.empty()) throw std::invalid_argument(std::string(what) + ": no values");
}

void require_batch(int batch) {
  if (batch < 1) throw std::invalid_argument("batch must be at least 1");
}

// Linear interpolation between closest ranks on sorted data (numpy's default "linear" method):
// rank = p/100 * (n-1), so p0 is the minimum and p100 the maximum.
double interpolate(const std::vector<double>& sorted, double p) {
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

// The true median: for an even count the mean of the two middle values (the seed took the upper one).
double sorted_median(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n % 2 == 1) return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

// Frames per second from a duration; a duration too short to measure gives 0 rather than infinity,
// which JSON and CSV readers cannot represent.
double frames_per_second(double frames, double seconds) { return seconds > 0 ? frames / seconds : 0.0; }

}  // namespace

double sorted_percentile(const std::vector<double>& sorted, double p) {
  require_values(sorted, "percentile");
  if (!(p >= 0.0 && p <= 100.0)) throw std::invalid_argument("percentile must be within [0, 100]");
  return interpolate(sorted, p);
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return sorted_percentile(values, p);
}

Summary summarize(std::vector<double> values) {
  require_values(values, "summarize");
  std::sort(values.begin(), values.end());
  Summary summary;
  const auto n = values.size();
  summary.count = static_cast<std::int64_t>(n);
  summary.min = values.front();
  summary.max = values.back();
  summary.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  if (n >= 2) {
    // Two passes (deviations from the mean) rather than sum of squares: no cancellation on tight timings.
    double squares = 0;
    for (double value : values) squares += (value - summary.mean) * (value - summary.mean);
    summary.stddev = std::sqrt(squares / static_cast<double>(n - 1));
  }
  summary.median = sorted_median(values);
  summary.p90 = interpolate(values, 90);
  summary.p95 = interpolate(values, 95);
  summary.p99 = interpolate(values, 99);
  summary.p999 = interpolate(values, 99.9);
  summary.cv = summary.mean > 0 ? summary.stddev / summary.mean : 0.0;
  return summary;
}

Throughput sync_metrics(const std::vector<double>& request_seconds, int batch) {
  require_values(request_seconds, "sync_metrics");
  require_batch(batch);
  std::vector<double> sorted = request_seconds;
  std::sort(sorted.begin(), sorted.end());
  Throughput result;
  result.latency_s = sorted_median(sorted);
  result.avg_pass_s = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size());
  result.fps = frames_per_second(batch, result.latency_s);
  return result;
}

Throughput async_metrics(const std::vector<double>& request_seconds, double wall_seconds, int batch) {
  require_values(request_seconds, "async_metrics");
  require_batch(batch);
  if (wall_seconds < 0) throw std::invalid_argument("async_metrics: negative wall time");
  std::vector<double> sorted = request_seconds;
  std::sort(sorted.begin(), sorted.end());
  const auto iterations = static_cast<double>(sorted.size());
  Throughput result;
  result.latency_s = sorted_median(sorted);
  result.avg_pass_s = wall_seconds / iterations;
  result.fps = frames_per_second(static_cast<double>(batch) * iterations, wall_seconds);
  return result;
}

}  // namespace dli
