#pragma once
// Did a series move? A new figure against the same test's recent runs on the same host (docs/history.md,
// "Regressions"). Pure.
#include <optional>
#include <string>
#include <vector>

namespace dli {

enum class ChangeKind { kNew, kUnchanged, kImproved, kRegressed };
const char* to_string(ChangeKind kind);  // "new", "unchanged", "improved", "regressed"

// The rule's constants (docs/history.md): the window of earlier runs, the noise floor and the smallest change
// ever called one.
inline constexpr int kChangeWindow = 10;
inline constexpr double kMinNoise = 0.02;
inline constexpr double kMinChange = 0.05;
// With fewer than three earlier figures the series' own noise is unknown: only a larger change counts.
inline constexpr double kMinChangeUnknownNoise = 0.10;
inline constexpr double kNoiseMultiple = 3;

struct Change {
  ChangeKind kind = ChangeKind::kNew;
  int window = 0;            // earlier figures the baseline is the median of
  double baseline = 0;       // their median
  double relative = 0;       // (value - baseline) / baseline, signed so that > 0 is better
  double threshold = 0;      // |relative| above this is a change
};

// `earlier`: the series' earlier VALID figures, oldest first (only the last kChangeWindow count). `repeat_cv`: the
// new figure's repeats' CV when it has repeats (their spread is noise too). No earlier figure: kNew.
Change judge_change(const std::vector<double>& earlier, double value, bool higher_is_better,
                    std::optional<double> repeat_cv = std::nullopt);

}  // namespace dli
