#include "dli/report/site.hpp"

#include "dli/protocol/protocol.hpp"
#include "dli/report/distribution_plot.hpp"
#include "dli/report/svg_plot.hpp"
#include "report_format.hpp"

namespace dli {

namespace {

std::string href(const std::string& link) { return "<a href=\"" + html_escape(link) + "\">"; }

void page_head(std::ostream& out, const std::string& title) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" << html_escape(title)
      << "</title>\n<style>" << report::page_style() << "</style>\n</head>\n<body>\n<h1>" << html_escape(title)
      << "</h1>\n";
}

}  // namespace

void write_site_index(std::ostream& out, const std::string& title, const std::vector<SiteRun>& runs) {
  page_head(out, title);
  out << "<p class=\"legend\">Every run recorded in the history, latest first. <a href=\"feed.atom\">Changes "
         "(Atom feed)</a>. A run's page has its table, plots, CSV and JSON; each test links to its trend.</p>\n";
  if (runs.empty()) {
    out << "<p>No run is recorded yet.</p>\n</body>\n</html>\n";
    return;
  }
  out << "<table class=\"results runs\">\n<thead>\n<tr><th>Run</th><th>Sweep</th><th>Created (UTC)</th>"
      << "<th>Hosts</th><th>Tests</th><th>OK</th><th>VALID</th><th>Regressed</th><th>Improved</th></tr>\n"
      << "</thead>\n<tbody>\n";
  for (const auto& run : runs) {
    std::string hosts;
    for (const auto& host : run.hosts) hosts += (hosts.empty() ? "" : ", ") + host;
    out << "<tr><td>" << href("runs/" + run.run_id + "/index.html") << html_escape(run.run_id) << "</a></td><td>"
        << html_escape(run.sweep_name) << "</td><td>" << html_escape(run.created_at) << "</td><td>"
        << html_escape(hosts) << "</td><td class=\"num\">" << run.tests << "</td><td class=\"num\">" << run.ok
        << "</td><td class=\"num\">" << run.valid << "</td><td class=\"num" << (run.regressed > 0 ? " regressed" : "")
        << "\">" << run.regressed << "</td><td class=\"num" << (run.improved > 0 ? " improved" : "") << "\">"
        << run.improved << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n</body>\n</html>\n";
}

void write_series_page(std::ostream& out, const ReportRow& latest, const std::vector<SeriesEntry>& points,
                       const std::string& index_link, const std::string& runs_link) {
  const TestSpec& spec = latest.spec;
  const bool latency = !higher_is_better(spec.mode);
  const std::string unit = latency ? "ms" : spec.mode == Mode::kServer ? "queries/s" : "FPS";
  page_head(out, test_label(spec) + " on " + spec.host);
  out << "<p>" << href(index_link) << "All runs</a> \u00b7 test " << html_escape(spec.id) << ", "
      << html_escape(report::device_precision(spec)) << ", parameters "
      << html_escape(report::format_params(spec.params).empty() ? "none" : report::format_params(spec.params))
      << "</p>\n";
  LinePlot plot;
  plot.title = "Trend: " + unit + (latency ? " (lower is better)" : " (higher is better)");
  plot.x_label = "run, oldest to newest";
  plot.y_label = unit;
  PlotSeries line{spec.framework, {}};
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].figure && points[i].verdict == "VALID") {
      line.points.emplace_back(static_cast<double>(i + 1), latency ? *points[i].figure * 1000.0 : *points[i].figure);
    }
  }
  plot.series.push_back(std::move(line));
  if (latest.change && latest.change->kind != ChangeKind::kNew) {
    const Change& c = *latest.change;
    const double scale = latency ? 1000.0 : 1.0;
    plot.band = std::make_pair(c.baseline * (1 - c.threshold) * scale, c.baseline * (1 + c.threshold) * scale);
    plot.band_label = "unchanged: within " + report::fixed(100 * c.threshold, 1) + " % of the baseline " +
                      report::table_figure(spec, c.baseline) + " (the median of " + std::to_string(c.window) +
                      " earlier runs)";
    out << "<p>Latest: <span class=\"" << (c.kind == ChangeKind::kRegressed ? "regressed" : c.kind == ChangeKind::kImproved ? "improved" : "")
        << "\">" << to_string(c.kind) << " " << (c.relative >= 0 ? "+" : "") << report::fixed(100 * c.relative, 1)
        << " %</span> against " << report::table_figure(spec, c.baseline) << " " << unit << "; the shaded band is the range "
        << "called unchanged (docs/history.md, \"Regressions\").</p>\n";
  }
  out << svg_line_plot(plot);
  if (const Measurement* m = report::measured(latest); m != nullptr && !m->histogram.buckets.empty()) {
    const auto distribution = latency_distribution(
        m->histogram, "Latest run: distribution of " + std::to_string(m->histogram.total()) + " request times");
    out << distribution_figure(*distribution);
  }
  out << "<table class=\"results series\">\n<thead>\n<tr><th>Run</th><th>Created (UTC)</th><th>Status</th>"
      << "<th>Verdict</th><th>" << unit << "</th></tr>\n</thead>\n<tbody>\n";
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    out << "<tr><td>" << href(runs_link + it->run_id + "/index.html") << html_escape(it->run_id) << "</a></td><td>"
        << html_escape(it->created_at) << "</td><td>" << html_escape(it->status) << "</td><td>"
        << html_escape(it->verdict) << "</td><td class=\"num\">"
        << (it->figure ? report::table_figure(spec, *it->figure) : std::string()) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n<script>" << distribution_script() << "</script>\n</body>\n</html>\n";
}

}  // namespace dli
