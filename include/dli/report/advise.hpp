#pragma once
// The capacity question (docs/methodology.md, "The capacity question"): N streams at F frames/s each, with p99
// latency at most L, for model M: which hosts and configurations measured in a run can do it, with what headroom.
// Pure: from measured results only.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dli/report/report.hpp"

namespace dli {

struct CapacityQuestion {
  std::string model;
  int streams = 1;
  double fps_per_stream = 1;
  std::optional<double> p99_s;  // absent: any latency
};

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

// The answer for people: the question, then a table, or why the run cannot answer it.
void write_advice(std::ostream& out, const CapacityQuestion& question, const std::vector<CapacityAnswer>& answers,
                  const std::vector<ReportRow>& rows);

}  // namespace dli
