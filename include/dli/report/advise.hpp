#pragma once
// The capacity question (docs/methodology.md, "The capacity question"): N streams at F frames/s each, with p99
// latency at most L, for model M: which hosts and configurations measured in a run can do it, with what headroom.
// Pure: from measured results only.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dli/protocol/capacity_question.hpp"
#include "dli/report/report.hpp"

namespace dli {

struct CapacityAnswer {
  const ReportRow* row = nullptr;
  double demand = 0;          // streams x fps_per_stream, frames/s
  double capacity = 0;        // frames/s the configuration measured
  double headroom = 0;        // capacity / demand - 1
  double p99_s = 0;           // its p99 request time, plus waiting for a batch to fill at the demand's rate
  bool under_load = false;    // a Server test measured at a rate at least the demand: its p99 includes queueing
  bool fits = false;
  std::string why_not;        // when it does not fit: "capacity 120.5 < 200 frames/s", "p99 250.1 ms > 200 ms"
};

// Every VALID speed result of the model, those that fit first (most headroom first), then the others (closest
// first). An empty list means the run has no VALID speed result of the model.
std::vector<CapacityAnswer> advise(const std::vector<ReportRow>& rows, const CapacityQuestion& question);

// "8 streams at 10 frames/s each of mobilenet_v2 (80 frames/s), p99 latency at most 200 ms".
std::string question_text(const CapacityQuestion& question);

// The answer for people: the question, then a table, or why the run cannot answer it.
void write_advice(std::ostream& out, const CapacityQuestion& question, const std::vector<CapacityAnswer>& answers,
                  const std::vector<ReportRow>& rows);

// The run page's "Capacity" section: each question the sweep asked (`capacity:`) answered from the run's VALID
// results, those that fit first (at most kMaxCapacityAnswers), or the closest few when none fits, or why the run
// cannot answer. Nothing when the sweep asked no question.
inline constexpr std::size_t kMaxCapacityAnswers = 10;
inline constexpr std::size_t kMaxClosestAnswers = 3;
void write_capacity_section(std::ostream& out, const std::vector<CapacityQuestion>& questions,
                            const std::vector<ReportRow>& rows);

}  // namespace dli
