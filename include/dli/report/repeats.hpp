#pragma once
// A repeated test's row: which repeat's figures it shows and how far the repeats agree (docs/methodology.md,
// "Repeats"). Pure.
#include <optional>
#include <vector>

#include "dli/protocol/test_result.hpp"

namespace dli {

struct RepeatSummary {
  int planned = 1;               // measure.repeats
  std::vector<int> repeats;      // the repeats measured ok, ascending
  std::vector<double> figures;   // their headline figures, same order
  int median_repeat = 0;         // the repeat whose figures the row shows; 0 when none was measured
  double cv = 0;                 // of `figures` (sample stddev / mean); 0 with fewer than two
};

// The number a test is compared by: FPS (sync, async, offline), the reported latency percentile in seconds
// (single_stream, multi_stream), the scheduled or found rate in queries per second (server).
double headline_value(const TestSpec& spec, const Measurement& measurement);
// Whether a larger headline is better (FPS, rates) or worse (latencies).
bool higher_is_better(Mode mode);

struct CombinedRepeats {
  std::optional<TestResult> result;  // the row's result; absent when no repeat has one
  RepeatSummary summary;
};

// `results`: the results present of one test's repeats (spec.repeat 1..planned), in any order. The row shows the
// median repeat (of an even count, the worse of the two middle ones, so that the figure never flatters), with its
// verdict extended: INVALID with repeats_disagree when the figures' CV exceeds measure.max_repeat_cv, the note
// repeats_missing when fewer than `planned` were measured. Without any repeat measured ok, the row shows the first
// repeat's result (its failure).
CombinedRepeats combine_repeats(std::vector<TestResult> results, int planned);

}  // namespace dli
