#pragma once
// The Server scenario's arrival schedule (docs/methodology.md, "Server"), generated before the clock starts.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "dli/measure/measure_config.hpp"

namespace dli {

// Seed of every Server schedule: the same test gets the same arrivals on every host and every run.
inline constexpr std::uint64_t kScheduleSeed = 0x646c692d73727672ULL;  // "dli-srvr"

// SplitMix64 (Steele, Lea, Flood 2014): fully specified, so a schedule is the same with every standard library.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // in [0, 1)

 private:
  std::uint64_t state_;
};

// Poisson arrivals at `rate_per_second`: `count` send times in seconds from the start, ascending; the gaps are
// exponential, -ln(1 - u) / rate with u uniform in [0, 1). Throws std::invalid_argument for a rate <= 0.
std::vector<double> poisson_schedule(double rate_per_second, std::size_t count, std::uint64_t seed = kScheduleSeed);

// Queries of a Server run at `rate_per_second`: enough for measure.iterations and for measure.min_seconds at that
// rate, max(iterations, ceil(rate x min_seconds)), and no more than measure.max_iterations when set.
std::size_t server_query_count(const MeasureConfig& measure, double rate_per_second);

}  // namespace dli
