#include "dli/report/advise.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "report_format.hpp"

namespace dli {

namespace {

bool is_speed(Mode mode) { return mode != Mode::kAccuracy; }

}  // namespace

std::vector<CapacityAnswer> advise(const std::vector<ReportRow>& rows, const CapacityQuestion& question) {
  std::vector<CapacityAnswer> answers;
  const double demand = question.streams * question.fps_per_stream;
  for (const auto& row : rows) {
    const Measurement* m = report::measured(row);
    if (m == nullptr || row.spec.model.name != question.model || !is_speed(row.spec.mode) || !m->verdict.valid) {
      continue;
    }
    CapacityAnswer answer;
    answer.row = &row;
    answer.demand = demand;
    // Frames per second: a Server test's rate is of queries (requests) of `batch` frames each.
    answer.capacity = row.spec.mode == Mode::kServer ? m->target_qps * row.spec.batch : m->throughput.fps;
    answer.headroom = demand > 0 ? answer.capacity / demand - 1 : 0;
    // The first frame of a batch waits for the batch's other frames, arriving at the demand's rate.
    const double fill = demand > 0 ? (row.spec.batch - 1) / demand : 0;
    const double p99 = row.spec.mode == Mode::kServer || row.spec.mode == Mode::kMultiStream
                           ? m->throughput.latency_s  // the scenario's own p99 (Server: queueing included)
                           : m->request.p99;
    answer.p99_s = p99 + fill;
    answer.under_load = row.spec.mode == Mode::kServer && answer.capacity >= demand;
    std::vector<std::string> problems;
    if (answer.capacity < demand) {
      problems.push_back(fmt::format("capacity {:.1f} < {:.1f} frames/s", answer.capacity, demand));
    }
    if (question.p99_s && answer.p99_s > *question.p99_s) {
      problems.push_back(fmt::format("p99 {:.1f} ms > {:.1f} ms", answer.p99_s * 1e3, *question.p99_s * 1e3));
    }
    answer.fits = problems.empty();
    for (const auto& problem : problems) answer.why_not += (answer.why_not.empty() ? "" : "; ") + problem;
    answers.push_back(std::move(answer));
  }
  std::stable_sort(answers.begin(), answers.end(), [](const CapacityAnswer& a, const CapacityAnswer& b) {
    if (a.fits != b.fits) return a.fits;
    return a.headroom > b.headroom;
  });
  return answers;
}

std::string question_text(const CapacityQuestion& question) {
  return fmt::format("{} stream{} at {:g} frames/s each of {} ({:g} frames/s){}", question.streams,
                     question.streams == 1 ? "" : "s", question.fps_per_stream, question.model,
                     question.streams * question.fps_per_stream,
                     question.p99_s ? fmt::format(", p99 latency at most {:g} ms", *question.p99_s * 1e3) : "");
}

void write_advice(std::ostream& out, const CapacityQuestion& question, const std::vector<CapacityAnswer>& answers,
                  const std::vector<ReportRow>& rows) {
  out << question_text(question) << "\n";
  if (answers.empty()) {
    std::set<std::string> models;
    for (const auto& row : rows) {
      if (report::measured(row) != nullptr && is_speed(row.spec.mode)) models.insert(row.spec.model.name);
    }
    std::string measured;
    for (const auto& name : models) measured += (measured.empty() ? "" : ", ") + name;
    out << "The run has no VALID speed measurement of " << question.model
        << (measured.empty() ? std::string(": it has none of any model.") : ". Measured: " + measured + ".")
        << "\n";
    return;
  }
  const auto fitting = std::count_if(answers.begin(), answers.end(), [](const CapacityAnswer& a) { return a.fits; });
  out << (fitting == 0 ? std::string("No measured configuration can do it; the closest:\n")
                       : fmt::format("{} configuration{} can do it, most headroom first:\n", fitting,
                                     fitting == 1 ? "" : "s"));
  out << fmt::format("  {:<3} {:<14} {:<40} {:>10} {:>9} {:>10}  {}\n", "", "host", "test", "frames/s", "headroom",
                     "p99 ms", "");
  for (const auto& answer : answers) {
    const ReportRow& row = *answer.row;
    out << fmt::format("  {:<3} {:<14} {:<40} {:>10.1f} {:>8.0f}% {:>10.2f}  {}\n", answer.fits ? "yes" : "no",
                       row.spec.host, test_label(row.spec), answer.capacity, 100 * answer.headroom,
                       answer.p99_s * 1e3,
                       answer.fits ? (answer.under_load ? "measured under this load (server)" : "")
                                   : answer.why_not);
  }
  out << "Latency: the test's p99 request time plus the wait for a batch to fill at this rate; queueing at high "
         "load is included only where a server test measured it.\n";
}

}  // namespace dli
