#include "dli/measure/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dli {

std::vector<double> poisson_schedule(double rate_per_second, std::size_t count, std::uint64_t seed) {
  if (!(rate_per_second > 0 && std::isfinite(rate_per_second))) {
    throw std::invalid_argument("a Server schedule needs a positive rate");
  }
  SplitMix64 random(seed);
  std::vector<double> times(count);
  double now = 0;
  for (auto& time : times) {
    now += -std::log1p(-random.uniform()) / rate_per_second;
    time = now;
  }
  return times;
}

std::size_t server_query_count(const MeasureConfig& measure, double rate_per_second) {
  const double for_time = std::ceil(rate_per_second * measure.min_seconds);
  auto count = std::max<std::size_t>(static_cast<std::size_t>(std::max(measure.iterations, 1)),
                                     static_cast<std::size_t>(std::max(for_time, 0.0)));
  if (measure.max_iterations > 0) count = std::min(count, static_cast<std::size_t>(measure.max_iterations));
  return count;
}

}  // namespace dli
