#pragma once
// The Server search (docs/methodology.md, "Server search"): the highest target rate whose run is VALID, in a
// bounded number of Server runs. Pure: which rate to try next, given the trials so far.
#include <optional>
#include <vector>

namespace dli {

struct SearchTrial {
  double rate = 0;       // target queries per second
  double latency_s = 0;  // the run's reported percentile of latency
  bool valid = false;    // the run's verdict
};

// Stop when the highest VALID rate and the lowest INVALID rate above it are within this relative distance.
inline constexpr double kSearchPrecision = 0.05;

// The first trial runs at `start_rate`. While every trial is VALID the rate doubles; while every trial is INVALID it
// halves; once there is a VALID rate below an INVALID one, the next rate is their middle. Nothing (done) after
// `max_trials` trials, or when the bracket is within kSearchPrecision.
std::optional<double> next_search_rate(const std::vector<SearchTrial>& trials, double start_rate, int max_trials);

// The trial to report: the VALID one of highest rate; when none is VALID, the last one.
const SearchTrial* best_trial(const std::vector<SearchTrial>& trials);

}  // namespace dli
