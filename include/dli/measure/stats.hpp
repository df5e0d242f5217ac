#pragma once
// Statistics as pure functions over request durations (seconds). Formulas follow the methodology
// (docs/methodology.md): the seeds' definitions of latency, average pass time and FPS.
#include <cstdint>
#include <vector>

namespace dli {

struct Summary {
  std::int64_t count = 0;
  double min = 0, max = 0, mean = 0, stddev = 0;  // stddev: sample (n-1); 0 for n < 2
  double median = 0;  // true median: mean of the two middle values for an even count
  double p90 = 0, p95 = 0, p99 = 0, p999 = 0;  // linear interpolation between closest ranks (numpy's default)
  double cv = 0;  // coefficient of variation, stddev / mean; 0 when the mean is 0
};

// Throws std::invalid_argument on an empty input.
Summary summarize(std::vector<double> values);
double percentile(std::vector<double> values, double p);  // p in [0, 100]
// The same on values already sorted ascending (no copy); throws like percentile().
double sorted_percentile(const std::vector<double>& sorted, double p);

// The seed's metrics for one test.
struct Throughput {
  double latency_s = 0;   // sync: median request time; async: median request time as well (informational)
  double avg_pass_s = 0;  // sync: sum(request times)/iterations; async: wall time/iterations
  double fps = 0;         // sync: batch/latency; async: batch*iterations/wall time
};
Throughput sync_metrics(const std::vector<double>& request_seconds, int batch);
Throughput async_metrics(const std::vector<double>& request_seconds, double wall_seconds, int batch);

}  // namespace dli
