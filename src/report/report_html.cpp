// results.html: one self-contained page (no external resources) laid out like the DLI website's table.
#include <cstddef>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "dli/report/advise.hpp"
#include "dli/report/report.hpp"
#include "report_efficiency.hpp"
#include "report_format.hpp"
#include "report_plots.hpp"
#include "report_streams.hpp"
#include "report_table.hpp"

namespace dli {

namespace {

using report::fixed;

constexpr double kMs = 1000.0;

constexpr const char* kStyle = R"(
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .5em}
h2{font-size:1.15em;margin:1.5em 0 .5em}
dl.context{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;margin:0 0 1em}
dl.context dt{font-weight:600}
dl.context dd{margin:0}
.legend{font-size:.9em;color:#444;margin:0 0 1em;padding-left:1.2em}
#filter{margin:0 0 .8em;padding:.3em;width:24em}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em}
th{background:#eef2f7}
th[data-col]{cursor:pointer}
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
.plots{display:flex;flex-wrap:wrap;gap:1em}
svg.plot{border:1px solid #ddd;background:#fff}
.regressed{color:#b00020;font-weight:600}
.improved{color:#1b7a2f;font-weight:600}
tbody tr:nth-child(even){background:#fafafa}
)";

// Sorting by a clicked header (numbers before '-' and 'N/A' either way) and filtering rows by text.
constexpr const char* kScript = R"(
(function(){
function num(s){s=s.trim();return /^-?[0-9]+(\.[0-9]+)?$/.test(s)?parseFloat(s):null;}
document.querySelectorAll('th[data-col]').forEach(function(th){
 th.addEventListener('click',function(){
  var body=th.closest('table').tBodies[0],col=+th.getAttribute('data-col');
  var dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';th.setAttribute('data-dir',dir);
  var rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){
   var x=a.cells[col].getAttribute('data-v')||a.cells[col].textContent,
       y=b.cells[col].getAttribute('data-v')||b.cells[col].textContent,nx=num(x),ny=num(y),c;
   if(nx!==null&&ny!==null)c=nx-ny;else if(nx!==null)return -1;else if(ny!==null)return 1;else c=x.localeCompare(y);
   return dir==='asc'?c:-c;});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
var f=document.getElementById('filter');
f.addEventListener('input',function(){
 var q=f.value.toLowerCase();
 document.querySelectorAll('table.results tbody tr').forEach(function(r){
  r.style.display=r.textContent.toLowerCase().indexOf(q)===-1?'none':'';});
});
})();
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
      << "<li>Cells show FPS (frames per second; higher is better).</li>\n"
      << "<li><b>Latency mode</b> (sync): one request at a time; FPS = batch size / latency, "
         "latency = median request time.</li>\n"
      << "<li><b>Throughput mode</b> (async): several requests in flight; FPS = batch size &times; iterations / "
         "total wall time.</li>\n"
      << "<li><b>GFLOP/s</b> = 2 &times; the model's multiply-accumulates per sample (counted from its ONNX graph) "
         "&times; FPS; <b>% of peak</b> divides it by the host's single-precision GEMM rate (OpenBLAS, all "
         "cores), for CPU tests only (shown as <b>-</b> on a GPU). Empty where the count is unknown. In the "
         "cells' tooltips and the \"All tests\" table.</li>\n"
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

// ", 12.34 GFLOP/s, 5.67% of the host's GEMM peak" for a tooltip; empty without an operation count.
std::string efficiency_text(const ReportRow& row) {
  const auto achieved = report::achieved_gflops(row);
  if (!achieved) return "";
  std::string text = ", " + fixed(*achieved, 2) + " GFLOP/s";
  if (const auto share = report::peak_share(row)) text += ", " + report::percent(*share, 2) + "% of the host's GEMM peak";
  return text;
}

using report::table_figure;

// " ▼ -13.0 %" (regressed) or " ▲ +8.2 %" (improved) under the figure; empty otherwise.
std::string change_mark(const ReportRow& row) {
  if (!row.change || (row.change->kind != ChangeKind::kRegressed && row.change->kind != ChangeKind::kImproved)) {
    return "";
  }
  const bool worse = row.change->kind == ChangeKind::kRegressed;
  return std::string(" <span class=\"") + (worse ? "regressed\">\u25bc " : "improved\">\u25b2 +") +
         fixed(100 * row.change->relative, 1) + " %</span>";
}

// "\nregressed: -13.0 % against 200.00, the median of 4 earlier runs (a change beyond 6.0 %)" for a tooltip.
std::string change_text(const ReportRow& row) {
  if (!row.change) return "";
  const Change& c = *row.change;
  if (c.kind == ChangeKind::kNew) return "\nnew: no earlier VALID figure of this test on this host";
  return "\n" + std::string(to_string(c.kind)) + ": " + (c.relative >= 0 ? "+" : "") + fixed(100 * c.relative, 1) +
         " % against " + table_figure(row.spec, c.baseline) + ", the median of " + std::to_string(c.window) +
         " earlier run" + (c.window == 1 ? "" : "s") + " (a change beyond " + fixed(100 * c.threshold, 1) + " %)";
}

// "\nmedian of 3 repeats (repeat 2 shown): 101.00, 99.50, 102.30; CV 1.4 %" for a tooltip; empty for a test run once.
std::string repeats_text(const ReportRow& row) {
  if (!row.repeats) return "";
  const RepeatSummary& r = *row.repeats;
  std::string figures;
  for (const double figure : r.figures) {
    figures += (figures.empty() ? "" : ", ") + table_figure(row.spec, figure);
  }
  return "\nmedian of " + std::to_string(r.repeats.size()) + " of " + std::to_string(r.planned) +
         " repeats (repeat " + std::to_string(r.median_repeat) + " shown): " + figures + "; repeats' CV " +
         report::percent(r.cv, 1) + " %";
}

std::string matrix_cell(const ReportRow* row, bool best) {
  if (std::string cell = cell_without_figures(row); !cell.empty()) return cell;
  if (const Measurement* m = report::measured(*row)) {
    std::string title = report::verdict_text(*m) + "; p" + fmt::format("{:g}", m->latency_percentile) + " latency " +
                        fixed(m->throughput.latency_s * kMs, 3) + " ms, average pass " +
                        fixed(m->throughput.avg_pass_s * kMs, 3) + " ms, FPS " + fixed(m->throughput.fps, 2) +
                        ", CV " + report::percent(m->request.cv, 1) + " %, " + std::to_string(m->iterations) +
                        " iterations, stopped by " + to_string(m->stop_reason);
    if (m->target_qps > 0) title += ", " + fixed(m->target_qps, 2) + " queries/s scheduled";
    title += efficiency_text(*row);
    title += report::streams_tooltip(*m);
    title += repeats_text(*row);
    title += change_text(*row);
    // Measured under a warning (governor, build, busy host, swap): the figure stands, marked, the warnings on hover.
    const TestEnvironment* environment = row->result->environment ? &*row->result->environment : nullptr;
    const bool warned = environment != nullptr && !environment->warnings.empty();
    if (warned) {
      for (const auto& warning : environment->warnings) title += "\nwarning: " + warning;
    }
    const std::string value = report::headline(row->spec, *m);
    const std::string repeats =
        row->repeats ? " \u00b7 \u00d7" + std::to_string(row->repeats->repeats.size()) : std::string();
    const std::string text = (best ? "\u2605" : "") + value + (warned ? "\u26a0" : "") + "<span class=\"cv\">CV " +
                             report::percent(m->request.cv, 1) + " %" + repeats +
                             (m->verdict.valid ? "" : " INVALID") + change_mark(*row) + "</span>";
    if (best) title += "\nthe best of this row's " + report::column_label(row->spec.mode, row->spec.samples_per_query,
                                                                        row->spec.target_qps) + " columns";
    const std::string css =
        std::string(m->verdict.valid ? "ok" : "invalid") + (warned ? " warned" : "") + (best ? " best" : "");
    return std::string("<td class=\"") + css + "\"" + attr("title", title) + attr("data-v", value) + ">" + text +
           "</td>";
  }
  return attr_cell("fail", "ok without a measurement", "-");
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

// "AMD EPYC 7B13, 2 logical CPUs, 23.5 GiB, RTX 4090" for a host's column header; empty when it did not describe itself.
std::string hardware_summary(const std::string& host, const std::vector<std::pair<std::string, HostInfo>>& hosts) {
  for (const auto& [name, info] : hosts) {
    if (name != host) continue;
    std::string text = info.cpu_model + ", " + std::to_string(info.logical_cpus) + " logical CPUs, " +
                       fixed(static_cast<double>(info.memory_kb) / (1024.0 * 1024.0), 1) + " GiB";
    for (const auto& accelerator : info.accelerators) text += ", " + accelerator.name;
    return text;
  }
  return "";
}

// Per row, the cells holding the best VALID figure among the columns of the same mode (across hosts and devices):
// what a reader choosing hardware looks for first. A group of one cell has no best.
std::vector<bool> best_cells(const report::Matrix& matrix, const report::MatrixRow& row) {
  std::vector<bool> best(row.cells.size(), false);
  std::vector<bool> seen(row.cells.size(), false);
  for (std::size_t c = 0; c < row.cells.size(); ++c) {
    if (seen[c]) continue;
    std::optional<std::size_t> leader;
    int candidates = 0;
    for (std::size_t d = c; d < row.cells.size(); ++d) {
      if (matrix.columns[d].label != matrix.columns[c].label) continue;
      seen[d] = true;
      const ReportRow* cell = row.cells[d];
      const Measurement* m = cell != nullptr ? report::measured(*cell) : nullptr;
      if (m == nullptr || !m->verdict.valid) continue;
      ++candidates;
      const double value = headline_value(cell->spec, *m);
      if (!leader) {
        leader = d;
        continue;
      }
      const double lead = headline_value(row.cells[*leader]->spec, *report::measured(*row.cells[*leader]));
      if (higher_is_better(cell->spec.mode) ? value > lead : value < lead) leader = d;
    }
    if (leader && candidates >= 2) best[*leader] = true;
  }
  return best;
}

void write_matrix(std::ostream& out, const report::Matrix& matrix, bool any_test,
                  const std::vector<std::pair<std::string, HostInfo>>& hosts) {
  if (matrix.rows.empty()) {
    out << (any_test ? "<p>No latency or throughput tests were planned.</p>\n" : "<p>No tests were planned.</p>\n");
    return;
  }
  static const char* const kKeyHeaders[] = {"Model", "Framework", "Input shape", "Batch", "Threads", "Parameters"};
  constexpr std::size_t kKeys = sizeof kKeyHeaders / sizeof kKeyHeaders[0];
  out << "<table class=\"results matrix\">\n<thead>\n<tr>";
  for (std::size_t i = 0; i < kKeys; ++i) {
    out << "<th rowspan=\"3\" data-col=\"" << i << "\">" << kKeyHeaders[i] << "</th>";
  }
  const auto same_host = [](const report::MatrixColumn& a, const report::MatrixColumn& b) { return a.host == b.host; };
  const auto same_device = [](const report::MatrixColumn& a, const report::MatrixColumn& b) {
    return a.host == b.host && a.device == b.device;
  };
  // The host's header says what the machine is: a reader compares hardware here.
  for (std::size_t first = 0; first < matrix.columns.size();) {
    std::size_t end = first + 1;
    while (end < matrix.columns.size() && same_host(matrix.columns[first], matrix.columns[end])) ++end;
    const std::string summary = hardware_summary(matrix.columns[first].host, hosts);
    out << "<th colspan=\"" << end - first << "\">" << html_escape(matrix.columns[first].host)
        << (summary.empty() ? "" : "<span class=\"hw\">" + html_escape(summary) + "</span>") << "</th>";
    first = end;
  }
  out << "</tr>\n<tr>";
  write_spanning_headers(out, matrix.columns, same_device, [](const report::MatrixColumn& c) { return c.device; });
  out << "<tr>";
  for (std::size_t c = 0; c < matrix.columns.size(); ++c) {
    const auto& column = matrix.columns[c];
    const std::string title = report::column_title(column.mode, column.requests, column.samples_per_query,
                                                   column.target_qps);
    const bool fps = column.mode == Mode::kSync || column.mode == Mode::kAsync;  // the others name their unit
    out << "<th data-col=\"" << kKeys + c << "\"" << attr("title", title) << ">" << html_escape(column.label)
        << (fps ? "<span class=\"unit\">FPS \u2191</span>" : "") << "</th>";
  }
  out << "</tr>\n</thead>\n<tbody>\n";
  for (const auto& row : matrix.rows) {
    out << "<tr><td>" << html_escape(row.model) << " <span class=\"fmt\">" << html_escape(row.format)
        << "</span></td><td>" << html_escape(row.framework) << "</td><td>" << html_escape(row.input_shape)
        << "</td><td class=\"num\">" << row.batch << "</td><td class=\"num\">" << row.threads << "</td><td>"
        << html_escape(row.parameters) << "</td>";
    const std::vector<bool> best = best_cells(matrix, row);
    for (std::size_t c = 0; c < row.cells.size(); ++c) out << matrix_cell(row.cells[c], best[c]);
    out << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";
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

// Achieved GFLOP/s and its share of the host's GEMM peak; "-" for the share where no CPU peak applies (GPU).
std::string efficiency_cells(const ReportRow& row) {
  const auto achieved = report::achieved_gflops(row);
  const auto share = report::peak_share(row);
  std::string cells = "<td class=\"num\">" + (achieved ? fixed(*achieved, 2) : std::string()) + "</td>";
  if (achieved && !report::cpu_peak_applies(row.spec)) {
    return cells + attr_cell("num", "the host's GEMM peak is its CPU's; it does not apply to " + row.spec.device, "-");
  }
  return cells + "<td class=\"num\">" + (share ? report::percent(*share, 2) : std::string()) + "</td>";
}

// "3 of 3, CV 1.4 %", the figures on hover; empty for a test run once.
std::string repeats_cell(const ReportRow& row) {
  if (!row.repeats) return "<td></td>";
  const RepeatSummary& r = *row.repeats;
  std::string text = std::to_string(r.repeats.size()) + " of " + std::to_string(r.planned);
  if (r.repeats.size() >= 2) text += ", CV " + report::percent(r.cv, 1) + " %";
  return attr_cell("num", repeats_text(row).substr(1), text);
}

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
  out << "<h2>Changes since earlier runs</h2>\n<table class=\"results changes\">\n<thead>\n<tr><th>Change</th>"
      << "<th>Host</th><th>Test</th><th>Baseline</th><th>Now</th><th>Change, %</th><th>Earlier runs</th></tr>\n"
      << "</thead>\n<tbody>\n";
  for (const ReportRow* row : moved) {
    const Change& c = *row->change;
    const bool worse = c.kind == ChangeKind::kRegressed;
    out << "<tr><td class=\"" << (worse ? "regressed" : "improved") << "\">" << to_string(c.kind) << "</td><td>"
        << html_escape(row->spec.host) << "</td><td" << attr("title", row->spec.id) << ">"
        << html_escape(test_label(row->spec)) << "</td><td class=\"num\">" << table_figure(row->spec, c.baseline)
        << "</td><td class=\"num\">" << table_figure(row->spec, headline_value(row->spec, *report::measured(*row)))
        << "</td><td class=\"num\">" << (c.relative >= 0 ? "+" : "") << fixed(100 * c.relative, 1)
        << "</td><td class=\"num\">" << c.window << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
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

// The details table's test cell: a link to its series page on a published site.
std::string test_cell(const ReportRow& row, const std::string& series_links) {
  const std::string label = html_escape(test_label(row.spec));
  if (series_links.empty()) return "<td" + attr("title", row.spec.id) + ">" + label + "</td>";
  return "<td" + attr("title", row.spec.id) + "><a" + attr("href", series_links + row.spec.host + "/" + row.spec.id + ".html") +
         ">" + label + "</a></td>";
}

void write_details(std::ostream& out, const std::vector<ReportRow>& rows, const std::string& series_links) {
  static const char* const kHeaders[] = {"Status",   "Host",     "Test",     "Device / precision", "Latency, ms",
                                         "Avg pass, ms", "FPS",  "p99, ms",  "Iterations",  "Top-1, %",
                                         "Top-5, %",     "GFLOP/s",      "% of peak", "Reason", "Verdict", "CV, %",
                                         "Stopped by", "Repeats"};
  out << "<h2>All tests</h2>\n<table class=\"results details\">\n<thead>\n<tr>";
  std::size_t index = 0;
  for (const char* header : kHeaders) out << "<th data-col=\"" << index++ << "\">" << header << "</th>";
  out << "</tr>\n</thead>\n<tbody>\n";
  for (const auto& row : rows) {
    const Measurement* m = report::measured(row);
    const Accuracy* a = report::accuracy_of(row);
    const auto number = [&](double value, int decimals) {
      return "<td class=\"num\">" + (m ? fixed(value, decimals) : std::string()) + "</td>";
    };
    const auto share = [&](double value) {
      return a ? attr_cell("num", std::to_string(a->samples) + " samples", report::percent(value, 2))
               : std::string("<td class=\"num\"></td>");
    };
    const bool has_reason = row.result && row.result->status != TestStatus::kOk;
    out << "<tr><td>" << html_escape(report::status_text(row)) << "</td><td>" << html_escape(row.spec.host)
        << "</td>" << test_cell(row, series_links) << "<td>" << html_escape(report::device_precision(row.spec))
        << "</td>"
        << number(m ? m->throughput.latency_s * kMs : 0, 3) << number(m ? m->throughput.avg_pass_s * kMs : 0, 3)
        << number(m ? m->throughput.fps : 0, 2) << number(m ? m->request.p99 * kMs : 0, 3) << "<td class=\"num\">"
        << (m ? std::to_string(m->iterations) : std::string()) << "</td>" << share(a ? a->top1 : 0)
        << share(a ? a->top5 : 0) << efficiency_cells(row) << "<td>"
        << (has_reason ? html_escape(row.result->reason) : std::string())
        << "</td><td" << (m && !m->verdict.valid ? " class=\"invalid\"" : "") << ">"
        << (m ? html_escape(report::verdict_text(*m)) : std::string()) << "</td>"
        << "<td class=\"num\">" << (m ? report::percent(m->request.cv, 1) : std::string()) << "</td><td>"
        << (m ? to_string(m->stop_reason) : std::string()) << "</td>" << repeats_cell(row) << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

// The machines behind the columns: a reader choosing hardware needs to know what each host is.
void write_hosts(std::ostream& out, const std::vector<std::pair<std::string, HostInfo>>& hosts) {
  if (hosts.empty()) return;
  out << "<h2>Hosts</h2>\n<table class=\"results hosts\">\n<thead>\n<tr><th>Host</th><th>CPU</th><th>Cores</th>"
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
  out << "</tbody>\n</table>\n";
}

// How each host's part of the run ended, and why: a reader must see a lost host or unpublished results before
// reading the table's gaps as anything else.
void write_host_states(std::ostream& out, const std::vector<HostStatus>& states,
                       const std::vector<std::pair<std::string, std::string>>& maintenance) {
  if (states.empty() && maintenance.empty()) return;
  out << "<h2>Host states</h2>\n<table class=\"states\">\n<thead>\n<tr><th>Host</th><th>State</th><th>Tests</th>"
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
  out << "</tbody>\n</table>\n";
}

}  // namespace

const char* report::page_style() { return kStyle; }

std::string html_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

void write_html(std::ostream& out, const ReportContext& context, const std::vector<ReportRow>& rows) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>DLI results: " << html_escape(context.sweep_name) << " (" << html_escape(context.run_id)
      << ")</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n"
      << "<h1>Deep-learning inference benchmark: " << html_escape(context.sweep_name) << "</h1>\n";
  if (!context.index_link.empty()) {
    out << "<p><a" << attr("href", context.index_link) << ">All runs</a> \u00b7 <a href=\"results.csv\">CSV</a> "
        << "\u00b7 <a href=\"results.json\">JSON</a> \u00b7 <a href=\"changes.atom\">changes (Atom)</a></p>\n";
  }
  write_context(out, context, rows);
  write_host_states(out, context.host_states, context.maintenance);
  write_changes(out, rows);
  write_capacity_section(out, context.capacity, rows);
  out << "<input id=\"filter\" type=\"search\" placeholder=\"Filter rows (model, framework, host, ...)\">\n";
  write_matrix(out, report::build_matrix(rows), !rows.empty(), context.hosts);
  write_plots(out, rows);
  write_accuracy(out, report::build_accuracy_table(rows));
  write_details(out, rows, context.series_links);
  write_hosts(out, context.hosts);
  out << "<script>" << kScript << "</script>\n</body>\n</html>\n";
}

}  // namespace dli
