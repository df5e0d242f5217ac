// changes.atom: what moved in a run, for feed readers (docs/history.md, "Regressions").
#include <string>

#include "dli/report/report.hpp"
#include "report_format.hpp"

namespace dli {

namespace {

// The table's figure with its unit, for a sentence.
std::string figure_text(const TestSpec& spec, double figure) {
  return report::table_figure(spec, figure) + (higher_is_better(spec.mode) ? "" : " ms");
}

void write_entry(std::ostream& out, const ReportContext& context, const ReportRow& row) {
  const Change& c = *row.change;
  const Measurement& m = *report::measured(row);
  const std::string percent = (c.relative >= 0 ? "+" : "") + report::fixed(100 * c.relative, 1) + " %";
  const std::string title = std::string(to_string(c.kind)) + " " + percent + ": " + test_label(row.spec) + " on " +
                            row.spec.host;
  out << "<entry>\n<id>urn:dli:" << html_escape(context.run_id) << ":" << html_escape(row.spec.host) << ":"
      << html_escape(row.spec.id) << "</id>\n<title>" << html_escape(title) << "</title>\n<updated>"
      << html_escape(context.created_at) << "</updated>\n<content type=\"text\">"
      << html_escape(figure_text(row.spec, headline_value(row.spec, m)) + " against " +
                     figure_text(row.spec, c.baseline) + ", the median of " + std::to_string(c.window) +
                     " earlier runs (a change beyond " + report::fixed(100 * c.threshold, 1) + " % counts); run " +
                     context.run_id + ", test " + row.spec.id)
      << "</content>\n</entry>\n";
}

void write_entries(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows) {
  for (const ChangeKind kind : {ChangeKind::kRegressed, ChangeKind::kImproved}) {
    for (const auto& row : rows) {
      if (row.change && row.change->kind == kind && report::measured(row) != nullptr) write_entry(out, context, row);
    }
  }
}

void write_head(std::ostream& out, const std::string& title, const std::string& id, const std::string& updated) {
  out << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<id>"
      << html_escape(id) << "</id>\n<title>" << html_escape(title) << "</title>\n<updated>" << html_escape(updated)
      << "</updated>\n<author><name>dli</name></author>\n";
}

}  // namespace

void write_atom(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows) {
  write_head(out, "dli " + context.sweep_name + ": changes in run " + context.run_id, "urn:dli:" + context.run_id,
             context.created_at);
  write_entries(out, context, rows);
  out << "</feed>\n";
}

void write_atom_feed(std::ostream& out, const std::string& title, const std::string& id,
                     const std::vector<std::pair<ReportContext, const std::vector<ReportRow>*>>& runs) {
  write_head(out, title, id, runs.empty() ? std::string("1970-01-01T00:00:00Z") : runs.front().first.created_at);
  for (const auto& [context, rows] : runs) write_entries(out, context, *rows);
  out << "</feed>\n";
}

}  // namespace dli
