// The run page's "Capacity" section (advise.hpp).
#include "dli/report/advise.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "report_format.hpp"

namespace dli {

namespace {

void write_answers(std::ostream& out, const std::vector<CapacityAnswer>& answers, std::size_t count) {
  out << "<table class=\"capacity\">\n<thead><tr><th>Fits</th><th>Host</th><th>Framework</th><th>Parameters</th>"
         "<th>Mode</th><th>Batch</th><th>Threads</th><th>Capacity, frames/s (higher is better)</th><th>Headroom</th>"
         "<th>p99, ms (lower is better)</th><th>Note</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < std::min(count, answers.size()); ++i) {
    const CapacityAnswer& answer = answers[i];
    const TestSpec& spec = answer.row->spec;
    const std::string note = answer.fits ? (answer.under_load ? "measured under this load (server)" : "")
                                         : answer.why_not;
    out << "<tr><td>" << (answer.fits ? "yes" : "no") << "</td><td>" << html_escape(spec.host) << "</td><td>"
        << html_escape(spec.framework) << "</td><td>" << html_escape(report::format_params(spec.params)) << "</td><td>"
        << html_escape(to_string(spec.mode)) << "</td><td>" << spec.batch << "</td><td>" << spec.threads
        << "</td><td>" << report::fixed(answer.capacity, 1) << "</td><td>" << fmt::format("{:.0f}%", 100 * answer.headroom)
        << "</td><td>" << report::fixed(answer.p99_s * 1e3, 2) << "</td><td>" << html_escape(note) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

std::string measured_models(const std::vector<ReportRow>& rows) {
  std::set<std::string> models;
  for (const auto& row : rows) {
    if (report::measured(row) != nullptr && row.spec.mode != Mode::kAccuracy) models.insert(row.spec.model.name);
  }
  std::string names;
  for (const auto& name : models) names += (names.empty() ? "" : ", ") + name;
  return names;
}

}  // namespace

void write_capacity_section(std::ostream& out, const std::vector<CapacityQuestion>& questions,
                            const std::vector<ReportRow>& rows) {
  if (questions.empty()) return;
  out << "<h2 id=\"capacity\">Capacity</h2>\n<p class=\"legend\">The sweep's questions, answered from this run's "
         "VALID measurements only. Latency: the test's p99 request time plus the wait for a batch to fill at the "
         "asked rate; queueing at high load is included only where a server test measured it.</p>\n";
  for (const auto& question : questions) {
    out << "<h3>" << html_escape(question_text(question)) << "</h3>\n";
    const auto answers = advise(rows, question);
    if (answers.empty()) {
      const std::string models = measured_models(rows);
      out << "<p>The measurements do not cover this question: the run has no VALID speed measurement of "
          << html_escape(question.model)
          << (models.empty() ? std::string(" (it has none of any model).") : " (measured: " + html_escape(models) + ").")
          << "</p>\n";
      continue;
    }
    const auto fitting = static_cast<std::size_t>(
        std::count_if(answers.begin(), answers.end(), [](const CapacityAnswer& a) { return a.fits; }));
    if (fitting == 0) {
      out << "<p>No measured configuration can do it; the closest:</p>\n";
      write_answers(out, answers, kMaxClosestAnswers);
      continue;
    }
    out << "<p>" << fitting << " configuration" << (fitting == 1 ? "" : "s") << " can do it, most headroom first"
        << (fitting > kMaxCapacityAnswers ? fmt::format(" (the first {})", kMaxCapacityAnswers) : std::string())
        << ":</p>\n";
    write_answers(out, answers, std::min(fitting, kMaxCapacityAnswers));
  }
}

}  // namespace dli
