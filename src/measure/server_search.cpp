#include "dli/measure/server_search.hpp"

#include <algorithm>

namespace dli {

std::optional<double> next_search_rate(const std::vector<SearchTrial>& trials, double start_rate, int max_trials) {
  if (trials.empty()) return max_trials > 0 ? std::optional<double>(start_rate) : std::nullopt;
  if (static_cast<int>(trials.size()) >= max_trials) return std::nullopt;
  const SearchTrial* highest_valid = nullptr;
  const SearchTrial* lowest_invalid = nullptr;
  for (const auto& trial : trials) {
    if (trial.valid && (!highest_valid || trial.rate > highest_valid->rate)) highest_valid = &trial;
    if (!trial.valid && (!lowest_invalid || trial.rate < lowest_invalid->rate)) lowest_invalid = &trial;
  }
  if (!lowest_invalid) return highest_valid->rate * 2;   // all VALID so far: go up
  if (!highest_valid) return lowest_invalid->rate / 2;   // all INVALID so far: go down
  if (lowest_invalid->rate <= highest_valid->rate) return std::nullopt;  // noise at the edge: nothing to bisect
  if (lowest_invalid->rate - highest_valid->rate <= kSearchPrecision * highest_valid->rate) return std::nullopt;
  return (highest_valid->rate + lowest_invalid->rate) / 2;
}

const SearchTrial* best_trial(const std::vector<SearchTrial>& trials) {
  const SearchTrial* best = nullptr;
  for (const auto& trial : trials) {
    if (trial.valid && (!best || trial.rate > best->rate)) best = &trial;
  }
  return best ? best : (trials.empty() ? nullptr : &trials.back());
}

}  // namespace dli
