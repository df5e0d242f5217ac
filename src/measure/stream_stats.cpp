#include "dli/measure/stream_stats.hpp"

#include <algorithm>
#include <stdexcept>

#include "dli/measure/stats.hpp"

namespace dli {

std::vector<StreamStats> stream_stats(const std::vector<double>& seconds, const std::vector<std::int64_t>& counts) {
  std::vector<StreamStats> streams;
  std::size_t at = 0;
  for (const std::int64_t count : counts) {
    if (count < 0 || static_cast<std::size_t>(count) > seconds.size() - at) {
      throw std::invalid_argument("stream counts do not fit the request times");
    }
    StreamStats stream;
    stream.count = count;
    if (count > 0) {
      const auto begin = seconds.begin() + static_cast<std::ptrdiff_t>(at);
      const Summary summary = summarize(std::vector<double>(begin, begin + static_cast<std::ptrdiff_t>(count)));
      stream.median_s = summary.median;
      stream.p90_s = summary.p90;
      stream.mean_s = summary.mean;
    }
    streams.push_back(stream);
    at += static_cast<std::size_t>(count);
  }
  if (at != seconds.size()) throw std::invalid_argument("stream counts do not add up to the request times");
  return streams;
}

double stream_imbalance(const std::vector<StreamStats>& streams) {
  double lowest = 0, highest = 0;
  int with_requests = 0;
  for (const auto& stream : streams) {
    if (stream.count == 0) continue;
    lowest = with_requests == 0 ? stream.median_s : std::min(lowest, stream.median_s);
    highest = with_requests == 0 ? stream.median_s : std::max(highest, stream.median_s);
    ++with_requests;
  }
  if (with_requests < 2 || !(lowest > 0)) return 0;
  return (highest - lowest) / lowest;
}

}  // namespace dli
