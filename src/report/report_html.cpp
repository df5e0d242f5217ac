// results.html: one self-contained page (no external resources) laid out like the DLI website's table.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dli/report/advise.hpp"
#include "dli/report/report.hpp"
#include "report_data.hpp"
#include "report_format.hpp"
#include "report_plots.hpp"
#include "report_script.hpp"
#include "report_table.hpp"

namespace dli {

namespace {

using report::fixed;
using report::table_figure;


constexpr const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .5em}
h2{font-size:1.15em;margin:1.5em 0 .5em}
dl.context{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;margin:0 0 1em}
dl.context dt{font-weight:600}
dl.context dd{margin:0}
.legend{font-size:.9em;color:#444;margin:0 0 1em;padding-left:1.2em}
#controls{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;margin:0 0 .8em}
#filter{padding:.3em;width:20em}
#page-info{color:#444;font-size:.9em}
table.fields{margin:.5em 0}
table.fields caption{text-align:left;font-weight:600;padding:.2em 0}
table.fields th{text-align:left;font-weight:normal;width:14em}
section.test{border-top:2px solid #ccd;margin:1.5em 0;padding-top:.3em;content-visibility:auto;contain-intrinsic-size:auto 1100px}
.status.ok{color:#1b7a2f}
.status.failed,.status.crashed,.status.timeout{color:#b00020}
pre.log{background:#f6f6f6;border:1px solid #ddd;padding:.5em;overflow:auto;max-height:20em}
th.host a{color:inherit}
details summary{cursor:pointer;color:#444;margin:0 0 .5em}
td a{color:inherit;text-decoration:none;display:block}
td a:hover{text-decoration:underline}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em}
th{background:#eef2f7}
th[data-col],th[data-key]{cursor:pointer}
th[data-dir=asc]::after{content:" \25b2"}
th[data-dir=desc]::after{content:" \25bc"}
td.num,td.ok,td.invalid,td.fail,td.na,td.unsupported{text-align:right;font-variant-numeric:tabular-nums}
td.warned{background:#fff6dd}
td.fail{color:#b00020;background:#fdecee;cursor:help}
td.na{color:#888}
td.unsupported{color:#3d5a80;background:#e8eef8;font-style:italic;cursor:help}
.legend .fail{color:#b00020;background:#fdecee;padding:0 .3em}
.legend .na{color:#888;padding:0 .3em}
.legend .warned{background:#fff6dd;padding:0 .3em}
.legend .unsupported{color:#3d5a80;background:#e8eef8;font-style:italic;padding:0 .3em}
.fmt{color:#888;font-size:.85em}
td.invalid{color:#8a5300;background:#fff4e0;cursor:help}
.legend .invalid{color:#8a5300;background:#fff4e0;padding:0 .3em}
.cv{display:block;color:#666;font-size:.8em}
.unit,.hw{display:block;font-weight:normal;color:#555;font-size:.8em}
td.best{font-weight:700}
.plots{display:flex;flex-wrap:wrap;gap:1em;content-visibility:auto;contain-intrinsic-size:auto 1600px}
#matrix{contain:layout paint}
svg.plot{border:1px solid #ddd;background:#fff}
.regressed{color:#b00020;font-weight:600}
.improved{color:#1b7a2f;font-weight:600}
tbody tr:nth-child(even){background:#fafafa}
)";


std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + html_escape(value) + "\"";
}

void write_context(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows) {
  int ok = 0, failed = 0, unsupported = 0, not_run = 0;
  for (const auto& row : rows) {
    if (!row.result) {
      ++not_run;
    } else if (row.result->status == TestStatus::kOk) {
      ++ok;
    } else if (is_failure(row.result->status)) {
      ++failed;
    } else {
      ++unsupported;  // recorded with its reason; not a failure
    }
  }
  out << "<dl class=\"context\">\n"
      << "<dt>Run</dt><dd>" << html_escape(context.run_id) << "</dd>\n"
      << "<dt>Sweep</dt><dd>" << html_escape(context.sweep_name) << "</dd>\n"
      << "<dt>Created</dt><dd>" << html_escape(context.created_at) << "</dd>\n"
      << "<dt>Generated</dt><dd>" << html_escape(context.generated_at) << "</dd>\n"
      << "<dt>Tests</dt><dd>" << rows.size() << " planned: " << ok << " ok, " << failed << " failed, " << unsupported
      << " unsupported, " << not_run << " not run</dd>\n"
      << "</dl>\n";
  out << "<ul class=\"legend\">\n"
      << "<li>Each column's header states its unit and which way is better: <b>FPS</b> (frames per second) and "
         "queries or samples per second, higher is better; latencies in ms, lower is better. Click a header to "
         "sort by it (again: the other way); a cell opens its test's details (parameters, statistics, verdict, "
         "environment, log) on its host's page.</li>\n"
      << "<li><b>Latency mode</b> (sync): one request at a time; FPS = batch size / latency, "
         "latency = median request time.</li>\n"
      << "<li><b>Throughput mode</b> (async): several requests in flight; FPS = batch size &times; iterations / "
         "total wall time.</li>\n"
      << "<li><b>GFLOP/s</b> = 2 &times; the model's multiply-accumulates per sample (counted from its ONNX graph) "
         "&times; FPS; <b>% of peak</b> divides it by the host's single-precision GEMM rate (OpenBLAS, all "
         "cores), for CPU tests only. On each test's details page.</li>\n"
      << "<li>Devices: <b>CPU</b>; <b>GPU</b>: the CUDA device the framework picks (<code>cuda</code>); "
         "<b>GPU N</b>: CUDA device N (<code>cuda:N</code>). Each is followed by the model's precision.</li>\n"
      << "<li><b>\u260512.34</b>: the best VALID figure of its row among the columns of the same mode (across hosts "
         "and devices).</li>\n"
      << "<li><span class=\"warned\">12.34\u26a0</span>: measured under a warning (CPU governor not "
         "<code>performance</code>, build not Release, host busy, swap used); hover for which.</li>\n"
      << "<li><span class=\"fail\"><b>-</b></span>: the test ran but failed, crashed or timed out (hover for the "
         "reason).</li>\n"
      << "<li><span class=\"unsupported\"><b>N/A</b></span> (shaded): unsupported, the host, its runner or the "
         "framework cannot run this test (device, format, parameter or runner missing); hover for the reason. "
         "Not a failure.</li>\n"
      << "<li><span class=\"invalid\"><b>INVALID</b></span>: measured, but its verdict says the figure is not to be "
         "trusted (too few requests for its percentile, minimum count or time not met, capped, CV above the "
         "threshold, latency bound broken, host busy, repeats that disagree); hover for the reasons. Under each "
         "figure: the coefficient of variation of the request times, and for a repeated test "
         "<b>\u00d7N</b>: the figure is the median of N repeats (hover for each).</li>\n"
      << "<li><span class=\"regressed\">\u25bc</span> / <span class=\"improved\">\u25b2</span>: the figure moved "
         "beyond its noise against the median of the same test's earlier runs on the same host (the history); "
         "the percentage is signed so that + is better. Hover for the baseline.</li>\n"
      << "<li><span class=\"na\"><b>N/A</b></span> (grey): the test was planned but has no result (not run), or "
         "the combination was not planned.</li>\n"
      << "</ul>\n";
}

std::string attr_cell(const char* css_class, const std::string& title, const std::string& text) {
  return std::string("<td class=\"") + css_class + "\"" + attr("title", title) + ">" + text + "</td>";
}

// The cell of a test without figures to show: not planned or not run (grey N/A), unsupported (shaded N/A),
// failed, crashed or timed out (-); the reason in the title. Empty when the test ended ok.
std::string cell_without_figures(const ReportRow* row) {
  if (row == nullptr) return attr_cell("na", "not planned", "N/A");
  if (!row->result) return attr_cell("na", row->not_run_reason.empty() ? "not run" : row->not_run_reason, "N/A");
  if (row->result->status == TestStatus::kOk) return "";
  std::string title = report::status_text(*row);
  if (!row->result->reason.empty()) title += ": " + row->result->reason;
  if (row->result->status == TestStatus::kUnsupported) return attr_cell("unsupported", title, "N/A");
  return attr_cell("fail", title, "-");
}
// Two cells, top-1 then top-5, in percent; the sample count on hover.
std::string accuracy_cells(const ReportRow* row) {
  if (std::string cell = cell_without_figures(row); !cell.empty()) return cell + cell;
  if (const Accuracy* a = report::accuracy_of(*row)) {
    const std::string title = std::to_string(a->samples) + " samples";
    return attr_cell("ok", title, report::percent(a->top1, 2)) + attr_cell("ok", title, report::percent(a->top5, 2));
  }
  const std::string cell = attr_cell("fail", "ok without top-1/top-5", "-");
  return cell + cell;
}

// Consecutive columns of one group become one header cell spanning them.
// `width` is the number of table columns under each entry of `columns`.
template <class Column, class SameGroup, class Text>
void write_spanning_headers(std::ostream& out, const std::vector<Column>& columns, SameGroup same, Text text,
                            std::size_t width = 1) {
  for (std::size_t first = 0; first < columns.size();) {
    std::size_t end = first + 1;
    while (end < columns.size() && same(columns[first], columns[end])) ++end;
    out << "<th colspan=\"" << (end - first) * width << "\">" << html_escape(text(columns[first])) << "</th>";
    first = end;
  }
  out << "</tr>\n";
}

// Quality beside speed: one row per model x framework (its frameworks next to each other), top-1 and top-5 per
// host and device, so a reader sees whether a conversion or a lower precision changed the answers.
void write_accuracy(std::ostream& out, const report::AccuracyTable& table) {
  if (table.rows.empty()) return;
  static const char* const kKeyHeaders[] = {"Model", "Framework", "Parameters", "Dataset"};
  constexpr std::size_t kKeys = sizeof kKeyHeaders / sizeof kKeyHeaders[0];
  out << "<h2>Accuracy</h2>\n<p class=\"legend\">Top-1 / top-5: the share of the dataset's samples whose label is "
         "the model's first choice / among its five highest outputs, in percent (higher is better; hover for the "
         "number of samples). Each framework ran the same packed dataset.</p>\n"
      << "<table class=\"results accuracy\">\n<thead>\n<tr>";
  for (std::size_t i = 0; i < kKeys; ++i) {
    out << "<th rowspan=\"3\" data-col=\"" << i << "\">" << kKeyHeaders[i] << "</th>";
  }
  using Column = report::AccuracyColumn;
  write_spanning_headers(
      out, table.columns, [](const Column& a, const Column& b) { return a.host == b.host; },
      [](const Column& c) { return c.host; }, 2);
  out << "<tr>";
  write_spanning_headers(
      out, table.columns, [](const Column&, const Column&) { return false; }, [](const Column& c) { return c.device; },
      2);
  out << "<tr>";
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    out << "<th data-col=\"" << kKeys + 2 * c << "\">Top-1, %</th><th data-col=\"" << kKeys + 2 * c + 1
        << "\">Top-5, %</th>";
  }
  out << "</tr>\n</thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out << "<tr><td>" << html_escape(row.model) << " <span class=\"fmt\">" << html_escape(row.format)
        << "</span></td><td>" << html_escape(row.framework) << "</td><td>" << html_escape(row.parameters)
        << "</td><td>" << html_escape(row.dataset) << "</td>";
    for (const ReportRow* cell : row.cells) out << accuracy_cells(cell);
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";
}


// Above this many hosts the Hosts and Host states tables are folded (<details>): a hundred lines each would push the
// results below the fold, and the browser lays out nothing folded.
constexpr std::size_t kUnfoldedHosts = 20;

// At most this many lines of changes on the page: a large fleet's thousand moves took the browser seconds to lay out.
constexpr std::size_t kMaxChanges = 100;
constexpr std::size_t kUnfoldedChanges = 20;

// What moved since the earlier runs, regressions first: a reader of a nightly table looks here first.
void write_changes(std::ostream& out, const std::vector<ReportRow>& rows) {
  std::vector<const ReportRow*> moved;
  for (const auto& row : rows) {
    if (row.change && row.change->kind == ChangeKind::kRegressed) moved.push_back(&row);
  }
  for (const auto& row : rows) {
    if (row.change && row.change->kind == ChangeKind::kImproved) moved.push_back(&row);
  }
  if (moved.empty()) return;
  out << "<h2>Changes since earlier runs</h2>\n";
  // Many changes are folded under their count, so the table of results stays near the top.
  const bool folded = moved.size() > kUnfoldedChanges;
  if (folded) {
    const auto regressed = std::count_if(moved.begin(), moved.end(), [](const ReportRow* row) {
      return row->change->kind == ChangeKind::kRegressed;
    });
    out << "<details><summary>" << regressed << " regressed, " << moved.size() - static_cast<std::size_t>(regressed)
        << " improved</summary>\n";
  }
  if (moved.size() > kMaxChanges) {
    out << "<p class=\"legend\">The first " << kMaxChanges << " of " << moved.size()
        << " (regressions first); every change is in results.csv (<code>change</code>, <code>change_pct</code>) "
           "and on its test's host page.</p>\n";
    moved.resize(kMaxChanges);
  }
  out << "<table class=\"results changes\">\n<thead>\n<tr><th>Change</th>"
      << "<th>Host</th><th>Test</th><th>Baseline</th><th>Now</th><th>Change, %</th><th>Earlier runs</th></tr>\n"
      << "</thead>\n<tbody>\n";
  for (const ReportRow* row : moved) {
    const Change& c = *row->change;
    const bool worse = c.kind == ChangeKind::kRegressed;
    out << "<tr><td class=\"" << (worse ? "regressed" : "improved") << "\">" << to_string(c.kind) << "</td><td>"
        << html_escape(row->spec.host) << "</td><td" << attr("title", row->spec.id) << "><a"
        << attr("href", host_page_path(row->spec.host) + "#" + row->spec.id) << ">"
        << html_escape(test_label(row->spec)) << "</a></td><td class=\"num\">" << table_figure(row->spec, c.baseline)
        << "</td><td class=\"num\">" << table_figure(row->spec, headline_value(row->spec, *report::measured(*row)))
        << "</td><td class=\"num\">" << (c.relative >= 0 ? "+" : "") << fixed(100 * c.relative, 1)
        << "</td><td class=\"num\">" << c.window << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n" << (folded ? "</details>\n" : "");
}

// FPS by batch size and latency by threads, one line per framework: the seed's "find the best batch".
void write_plots(std::ostream& out, const std::vector<ReportRow>& rows) {
  const std::vector<LinePlot> plots = report::run_plots(rows);
  const std::vector<BarPlot> across = report::model_plots(rows);
  if (plots.empty() && across.empty()) return;
  out << "<h2>Plots</h2>\n<p class=\"legend\">VALID figures only; each point's value on hover. Batch sizes and "
         "thread counts are spaced by their doubling.</p>\n<div class=\"plots\">\n";
  for (const auto& plot : across) out << svg_bar_plot(plot);
  for (const auto& plot : plots) out << svg_line_plot(plot);
  out << "</div>\n";
}


// The speed table's frame: its controls, an empty table the script fills from the data block, and what a reader
// without a script can open instead.
void write_matrix(std::ostream& out, const report::Matrix& matrix, bool any_test) {
  if (matrix.rows.empty()) {
    out << (any_test ? "<p>No latency or throughput tests were planned.</p>\n" : "<p>No tests were planned.</p>\n");
    return;
  }
  out << "<h2>Speed</h2>\n<div id=\"controls\" hidden>\n"
      << "<input id=\"filter\" type=\"search\" placeholder=\"Filter rows (model, framework, parameters) or hosts\" "
         "aria-label=\"Filter\">\n"
      << "<label>Host <select id=\"f-host\"><option value=\"\">all</option></select></label>\n"
      << "<label>Framework <select id=\"f-framework\"><option value=\"\">all</option></select></label>\n"
      << "<label>Model <select id=\"f-model\"><option value=\"\">all</option></select></label>\n"
      << "<label>Mode <select id=\"f-mode\"><option value=\"\">all</option></select></label>\n"
      << "<label>Rows per page <select id=\"page-size\"><option>25</option><option selected>50</option>"
         "<option>100</option><option>500</option></select></label>\n"
      << "<button id=\"prev\" type=\"button\">\u2190 Previous</button><button id=\"next\" type=\"button\">Next "
         "\u2192</button> <span id=\"page-info\"></span>\n"
      << "<label>Hosts per page <select id=\"hosts-per-page\"><option selected>5</option><option>10</option>"
         "<option>25</option><option value=\"0\">all</option></select></label>\n"
      << "<button id=\"prev-hosts\" type=\"button\">\u2190 Hosts</button><button id=\"next-hosts\" "
         "type=\"button\">Hosts \u2192</button> <span id=\"host-info\"></span>\n</div>\n"
      << "<noscript><p>The table is drawn by the page's script. Without it: every figure is in "
         "<a href=\"results.csv\">results.csv</a>, and every test on its host's page (above).</p></noscript>\n"
      << "<table class=\"results matrix\" id=\"matrix\"></table>\n";
}

// Each host's page of test details, linked from the top so that the page is useful without its script too.
void write_host_pages(std::ostream& out, const std::vector<ReportRow>& rows) {
  const std::vector<std::string> hosts = report_hosts(rows);
  if (hosts.empty()) return;
  out << "<p class=\"host-pages\">Every test's details, per host:";
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    out << (i == 0 ? " " : " \u00b7 ") << "<a" << attr("href", host_page_path(hosts[i])) << ">" << html_escape(hosts[i])
        << "</a>";
  }
  out << "</p>\n";
}

// The machines behind the columns: a reader choosing hardware needs to know what each host is.
void write_hosts(std::ostream& out, const std::vector<std::pair<std::string, HostInfo>>& hosts) {
  if (hosts.empty()) return;
  const bool folded = hosts.size() > kUnfoldedHosts;
  out << "<h2>Hosts</h2>\n";
  if (folded) out << "<details><summary>" << hosts.size() << " machines (each named in the table's header)</summary>\n";
  out << "<table class=\"results hosts\">\n<thead>\n<tr><th>Host</th><th>CPU</th><th>Cores</th>"
      << "<th>Memory, GiB</th><th>GPUs</th><th>OS</th><th>Kernel</th><th>Frameworks</th>"
      << "<th>GEMM peak, GFLOP/s</th></tr>\n</thead>\n<tbody>\n";
  for (const auto& [name, info] : hosts) {
    std::string frameworks, gpus;
    for (const auto& runner : info.runners) {
      if (runner.framework == "null" || runner.framework == "command" || !runner.available) continue;
      frameworks += (frameworks.empty() ? "" : ", ") + runner.version;
    }
    for (const auto& accelerator : info.accelerators) {
      gpus += (gpus.empty() ? "" : ", ") + format_accelerator(accelerator);
    }
    const std::string peak =
        info.gemm_peak ? attr_cell("num",
                                   info.gemm_peak->method + ", n " + std::to_string(info.gemm_peak->n) + ", " +
                                       std::to_string(info.gemm_peak->threads) + " threads, " +
                                       info.gemm_peak->library,
                                   fixed(info.gemm_peak->gflops, 1))
                       : std::string("<td class=\"num\"></td>");
    out << "<tr><td>" << html_escape(name) << "</td><td>" << html_escape(info.cpu_model) << "</td><td class=\"num\">"
        << info.logical_cpus << " logical, " << info.physical_cores << " physical</td><td class=\"num\">"
        << fixed(static_cast<double>(info.memory_kb) / (1024.0 * 1024.0), 1) << "</td><td>"
        << html_escape(gpus.empty() ? "none" : gpus) << "</td><td>" << html_escape(info.os)
        << "</td><td>" << html_escape(info.kernel + " " + info.arch) << "</td><td>" << html_escape(frameworks)
        << "</td>" << peak << "</tr>\n";
  }
  out << "</tbody>\n</table>\n" << (folded ? "</details>\n" : "");
}

// How each host's part of the run ended, and why: a reader must see a lost host or unpublished results before
// reading the table's gaps as anything else.
void write_host_states(std::ostream& out, const std::vector<HostStatus>& states,
                       const std::vector<std::pair<std::string, std::string>>& maintenance) {
  if (states.empty() && maintenance.empty()) return;
  // Folded only when many hosts all ended well: a lost host must be seen first.
  const bool all_done = std::all_of(states.begin(), states.end(),
                                    [](const HostStatus& host) { return host.state == HostState::kDone; });
  const bool folded = all_done && maintenance.empty() && states.size() > kUnfoldedHosts;
  out << "<h2>Host states</h2>\n";
  if (folded) out << "<details><summary>all " << states.size() << " hosts done</summary>\n";
  out << "<table class=\"states\">\n<thead>\n<tr><th>Host</th><th>State</th><th>Tests</th>"
      << "<th>Not ok</th><th>Unpublished</th><th>Reason</th></tr>\n</thead>\n<tbody>\n";
  for (const auto& host : states) {
    const bool good = host.state == HostState::kDone;
    out << "<tr><td>" << html_escape(host.host) << "</td><td class=\"" << (good ? "ok" : "fail") << "\">"
        << html_escape(to_string(host.state)) << "</td><td class=\"num\">" << host.done << "/" << host.total
        << "</td><td class=\"num\">" << host.failed << "</td><td class=\"num\">" << host.unpublished
        << "</td><td>" << html_escape(host.reason) << "</td></tr>\n";
  }
  for (const auto& [name, reason] : maintenance) {
    out << "<tr><td>" << html_escape(name) << "</td><td class=\"na\">in maintenance</td><td></td><td></td><td></td><td>"
        << html_escape(reason) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n" << (folded ? "</details>\n" : "");
}

}  // namespace

const char* report::page_style() { return kStyle; }

namespace report {

void append_html_escaped(std::string& out, std::string_view text) {
  std::size_t plain = 0;  // start of the characters not yet copied: they go in runs, not one by one
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* entity = nullptr;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&#39;"; break;
      default: continue;
    }
    out.append(text, plain, i - plain).append(entity);
    plain = i + 1;
  }
  out.append(text, plain, std::string_view::npos);
}

}  // namespace report

std::string html_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  report::append_html_escaped(escaped, text);
  return escaped;
}

void write_html(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>DLI results: " << html_escape(context.sweep_name) << " (" << html_escape(context.run_id)
      << ")</title>\n<style>" << kStyle << "</style>\n";
  // The data in the head: while the browser reads it there is nothing yet to lay out (behind the tables and plots
  // it took a second longer at 100,000 results).
  const report::Matrix matrix = report::build_matrix(rows);
  if (!matrix.rows.empty()) {
    out << "<script type=\"application/json\" id=\"data\">"
        << report::script_json(report::matrix_data(matrix, context.hosts)) << "</script>\n";
  }
  out << "</head>\n<body>\n"
      << "<h1>Deep-learning inference benchmark: " << html_escape(context.sweep_name) << "</h1>\n";
  if (!context.index_link.empty()) {
    out << "<p><a" << attr("href", context.index_link) << ">All runs</a> \u00b7 <a href=\"results.csv\">CSV</a> "
        << "\u00b7 <a href=\"results.json\">JSON</a> \u00b7 <a href=\"changes.atom\">changes (Atom)</a></p>\n";
  }
  write_context(out, context, rows);
  // The hardware first: a reader compares machines before figures.
  write_hosts(out, context.hosts);
  write_host_pages(out, rows);
  write_host_states(out, context.host_states, context.maintenance);
  write_changes(out, rows);
  write_capacity_section(out, context.capacity, rows);
  write_matrix(out, matrix, !rows.empty());
  write_plots(out, rows);
  write_accuracy(out, report::build_accuracy_table(rows));
  out << "<script>" << report::page_script() << "</script>\n</body>\n</html>\n";
}

}  // namespace dli
