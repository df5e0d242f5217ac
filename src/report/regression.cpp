#include "dli/report/regression.hpp"

#include <algorithm>
#include <cmath>

namespace dli {

namespace {

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

const char* to_string(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kUnchanged: return "unchanged";
    case ChangeKind::kImproved: return "improved";
    case ChangeKind::kRegressed: return "regressed";
    case ChangeKind::kNew: break;
  }
  return "new";
}

Change judge_change(const std::vector<double>& earlier, double value, bool higher_is_better,
                    std::optional<double> repeat_cv) {
  Change change;
  const std::size_t first = earlier.size() > static_cast<std::size_t>(kChangeWindow) ? earlier.size() - kChangeWindow : 0;
  const std::vector<double> window(earlier.begin() + static_cast<std::ptrdiff_t>(first), earlier.end());
  change.window = static_cast<int>(window.size());
  if (window.empty()) return change;
  change.baseline = median_of(window);
  // The series' own noise: the median absolute deviation, scaled to a standard deviation (1.4826 for normal
  // noise), relative to the baseline; it needs three points to mean anything.
  double noise = 0;
  if (window.size() >= 3 && change.baseline > 0) {
    std::vector<double> deviations;
    for (const double x : window) deviations.push_back(std::fabs(x - change.baseline));
    noise = 1.4826 * median_of(deviations) / change.baseline;
  }
  noise = std::max({noise, repeat_cv.value_or(0.0), kMinNoise});
  change.threshold = std::max(kNoiseMultiple * noise, window.size() >= 3 ? kMinChange : kMinChangeUnknownNoise);
  if (!(change.baseline > 0)) {
    change.kind = ChangeKind::kUnchanged;
    return change;
  }
  const double moved = (value - change.baseline) / change.baseline;
  change.relative = higher_is_better ? moved : -moved;
  change.kind = std::fabs(change.relative) <= change.threshold ? ChangeKind::kUnchanged
                : change.relative > 0                         ? ChangeKind::kImproved
                                                              : ChangeKind::kRegressed;
  return change;
}

}  // namespace dli
