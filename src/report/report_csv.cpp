// results.csv: one line per planned test, columns documented in docs/results-csv.md.
#include <charconv>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "dli/report/report.hpp"
#include "report_efficiency.hpp"
#include "report_format.hpp"
#include "report_streams.hpp"

namespace dli {

namespace {

using report::fixed;

constexpr double kMs = 1000.0;

struct Column {
  const char* name;
  std::function<std::string(const ReportRow&)> value;
};

// "index:count index:count ..." (docs/results-csv.md, "histogram"): compact enough for a cell, exact.
std::string format_histogram(const Histogram& histogram) {
  std::string text;
  text.reserve(histogram.buckets.size() * 12);
  char number[24];
  const auto append = [&](long long value) {
    text.append(number, static_cast<std::size_t>(std::to_chars(number, number + sizeof number, value).ptr - number));
  };
  for (const auto& bucket : histogram.buckets) {  // appended in place: a run's CSV has millions of buckets
    if (!text.empty()) text += ' ';
    append(bucket.index);
    text += ':';
    append(bucket.count);
  }
  return text;
}

// Fields that only exist for a measured (ok) test: empty otherwise, so a spreadsheet never averages a zero.
std::function<std::string(const ReportRow&)> measured(std::function<std::string(const Measurement&)> field) {
  return [field = std::move(field)](const ReportRow& row) {
    const Measurement* measurement = report::measured(row);
    return measurement ? field(*measurement) : std::string();
  };
}

// Fields of an accuracy test that ended ok: empty otherwise (other modes, no result, not ok).
std::function<std::string(const ReportRow&)> scored(std::function<std::string(const Accuracy&)> field) {
  return [field = std::move(field)](const ReportRow& row) {
    const Accuracy* accuracy = report::accuracy_of(row);
    return accuracy ? field(*accuracy) : std::string();
  };
}

// What the agent read of the host around the test: empty when it did not (older agents, tests that never started).
std::function<std::string(const ReportRow&)> environmental(
    std::function<std::string(const TestEnvironment&)> field) {
  return [field = std::move(field)](const ReportRow& row) {
    return row.result && row.result->environment ? field(*row.result->environment) : std::string();
  };
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string joined;
  for (const auto& item : items) joined += (joined.empty() ? "" : separator) + item;
  return joined;
}

// Empty when absent, so that an unknown is never read as a zero.
std::string optional_fixed(const std::optional<double>& value, int decimals, double scale = 1) {
  return value ? fixed(*value * scale, decimals) : std::string();
}

std::function<std::string(const ReportRow&)> recorded(std::function<std::string(const TestResult&)> field) {
  return [field = std::move(field)](const ReportRow& row) { return row.result ? field(*row.result) : std::string(); };
}

std::function<std::string(const ReportRow&)> repeated(std::function<std::string(const RepeatSummary&)> field) {
  return [field = std::move(field)](const ReportRow& row) { return row.repeats ? field(*row.repeats) : std::string(); };
}

using report::table_figure;

// Each measured repeat's headline as the table shows it (FPS, latency in ms, queries/s), in repeat order.
std::string repeat_figures(const ReportRow& row) {
  std::vector<std::string> texts;
  for (const double figure : row.repeats->figures) texts.push_back(table_figure(row.spec, figure));
  return join(texts, ";");
}

std::function<std::string(const ReportRow&)> compared(std::function<std::string(const ReportRow&, const Change&)> field) {
  return [field = std::move(field)](const ReportRow& row) { return row.change ? field(row, *row.change) : std::string(); };
}

// The single source of the column order; docs/results-csv.md follows it. Append, never reorder.
const std::vector<Column>& columns() {
  static const std::vector<Column> table = {
      {"status", report::status_text},
      {"task", [](const ReportRow& row) { return row.spec.id; }},
      {"model", [](const ReportRow& row) { return row.spec.model.name; }},
      {"format", [](const ReportRow& row) { return row.spec.model.format; }},
      {"framework", [](const ReportRow& row) { return row.spec.framework; }},
      {"framework_version",
       [](const ReportRow& row) { return row.result ? row.result->framework_version : std::string(); }},
      {"input_shape", [](const ReportRow& row) { return report::format_shape(row.spec.model.input_shape); }},
      {"precision", [](const ReportRow& row) { return row.spec.model.precision; }},
      {"batch", [](const ReportRow& row) { return std::to_string(row.spec.batch); }},
      {"mode", [](const ReportRow& row) { return to_string(row.spec.mode); }},
      {"threads", [](const ReportRow& row) { return std::to_string(row.spec.threads); }},
      {"requests", [](const ReportRow& row) { return std::to_string(row.spec.requests); }},
      {"parameters", [](const ReportRow& row) { return report::format_params(row.spec.params); }},
      {"host", [](const ReportRow& row) { return row.spec.host; }},
      {"avg_pass_ms", measured([](const Measurement& m) { return fixed(m.throughput.avg_pass_s * kMs, 3); })},
      {"latency_ms", measured([](const Measurement& m) { return fixed(m.throughput.latency_s * kMs, 3); })},
      {"fps", measured([](const Measurement& m) { return fixed(m.throughput.fps, 2); })},
      {"p90_ms", measured([](const Measurement& m) { return fixed(m.request.p90 * kMs, 3); })},
      {"p95_ms", measured([](const Measurement& m) { return fixed(m.request.p95 * kMs, 3); })},
      {"p99_ms", measured([](const Measurement& m) { return fixed(m.request.p99 * kMs, 3); })},
      {"min_ms", measured([](const Measurement& m) { return fixed(m.request.min * kMs, 3); })},
      {"max_ms", measured([](const Measurement& m) { return fixed(m.request.max * kMs, 3); })},
      {"mean_ms", measured([](const Measurement& m) { return fixed(m.request.mean * kMs, 3); })},
      {"stddev_ms", measured([](const Measurement& m) { return fixed(m.request.stddev * kMs, 3); })},
      {"iterations", measured([](const Measurement& m) { return std::to_string(m.iterations); })},
      {"warmup_iterations", measured([](const Measurement& m) { return std::to_string(m.warmup_iterations); })},
      {"wall_s", measured([](const Measurement& m) { return fixed(m.wall_seconds, 3); })},
      {"load_s", measured([](const Measurement& m) { return fixed(m.load_seconds, 3); })},
      {"first_inference_ms", measured([](const Measurement& m) { return fixed(m.first_inference_seconds * kMs, 3); })},
      {"peak_rss_kb", measured([](const Measurement& m) { return std::to_string(m.peak_rss_kb); })},
      {"started_at", recorded([](const TestResult& r) { return r.started_at; })},
      {"finished_at", recorded([](const TestResult& r) { return r.finished_at; })},
      // The reason of every status but ok (failed, crashed, timeout, unsupported), and why a test has no result.
      {"error",
       [](const ReportRow& row) {
         if (!row.result) return row.not_run_reason;
         return row.result->status == TestStatus::kOk ? std::string() : row.result->reason;
       }},
      {"device", [](const ReportRow& row) { return row.spec.device; }},
      {"dataset", [](const ReportRow& row) { return row.spec.mode == Mode::kAccuracy ? row.spec.dataset.name : ""; }},
      {"top1", scored([](const Accuracy& a) { return report::percent(a.top1, 3); })},
      {"top5", scored([](const Accuracy& a) { return report::percent(a.top5, 3); })},
      {"accuracy_samples", scored([](const Accuracy& a) { return std::to_string(a.samples); })},
      {"details", recorded([](const TestResult& r) { return report::format_params(r.details); })},
      // Since results-csv version 2 (protocol 4): statistics, verdict, stop rule, scenarios.
      {"p999_ms", measured([](const Measurement& m) { return fixed(m.request.p999 * kMs, 3); })},
      {"cv", measured([](const Measurement& m) { return fixed(m.request.cv, 4); })},
      {"verdict", measured([](const Measurement& m) { return std::string(m.verdict.valid ? "VALID" : "INVALID"); })},
      {"verdict_reasons", measured([](const Measurement& m) { return join(m.verdict.reasons, ";"); })},
      {"stop_reason", measured([](const Measurement& m) { return to_string(m.stop_reason); })},
      {"latency_percentile", measured([](const Measurement& m) { return fmt::format("{:g}", m.latency_percentile); })},
      {"samples_per_query",
       [](const ReportRow& row) {
         return row.spec.mode == Mode::kMultiStream ? std::to_string(row.spec.samples_per_query) : std::string();
       }},
      {"target_qps",
       [](const ReportRow& row) { return row.spec.mode == Mode::kServer ? fixed(row.spec.target_qps, 3) : ""; }},
      {"achieved_qps", measured([](const Measurement& m) { return m.target_qps > 0 ? fixed(m.target_qps, 3) : ""; })},
      {"latency_bound_ms",
       [](const ReportRow& row) {
         return row.spec.measure.latency_bound_s > 0 ? fixed(row.spec.measure.latency_bound_s * kMs, 3) : "";
       }},
      {"histogram", measured([](const Measurement& m) { return format_histogram(m.histogram); })},
      {"warnings", environmental([](const TestEnvironment& e) { return join(e.warnings, "; "); })},
      {"other_cpu_pct", environmental([](const TestEnvironment& e) {
         return e.other_cpu_share < 0 ? std::string() : fixed(100 * e.other_cpu_share, 1);
       })},
      {"load_1m", environmental([](const TestEnvironment& e) { return e.load_1m < 0 ? "" : fixed(e.load_1m, 2); })},
      {"governor", environmental([](const TestEnvironment& e) { return e.governor; })},
      {"build_type", environmental([](const TestEnvironment& e) { return e.build_type; })},
      // Efficiency (docs/methodology.md): the model's count, what the test achieved, the host's CPU GEMM peak.
      {"macs", [](const ReportRow& row) { return row.spec.model.macs ? std::to_string(*row.spec.model.macs) : ""; }},
      {"gflops", [](const ReportRow& row) { return optional_fixed(report::achieved_gflops(row), 2); }},
      {"peak_gflops",
       [](const ReportRow& row) {
         return report::cpu_peak_applies(row.spec) ? optional_fixed(row.host_peak_gflops, 1) : std::string();
       }},
      {"peak_percent", [](const ReportRow& row) { return optional_fixed(report::peak_share(row), 2, 100); }},
      // Requests in flight (docs/methodology.md, "Threads and requests in flight").
      {"stream_threads", measured([](const Measurement& m) { return report::stream_threads_text(m); })},
      {"stream_medians_ms", measured([](const Measurement& m) { return report::stream_medians_text(m); })},
      {"stream_imbalance_pct", measured([](const Measurement& m) { return report::stream_imbalance_text(m); })},
      {"verdict_notes", measured([](const Measurement& m) { return join(m.verdict.notes, ";"); })},
      // Repeats (docs/methodology.md, "Repeats"): the row's figures are its median repeat's.
      {"repeats", [](const ReportRow& row) { return std::to_string(row.spec.measure.repeats); }},
      {"repeats_measured", repeated([](const RepeatSummary& r) { return std::to_string(r.repeats.size()); })},
      {"median_repeat",
       repeated([](const RepeatSummary& r) { return r.median_repeat > 0 ? std::to_string(r.median_repeat) : ""; })},
      {"repeat_cv", repeated([](const RepeatSummary& r) { return r.repeats.size() < 2 ? "" : fixed(r.cv, 4); })},
      {"repeat_figures", [](const ReportRow& row) { return row.repeats ? repeat_figures(row) : std::string(); }},
      // Against the same test's earlier runs on the host (docs/history.md, "Regressions").
      {"change", compared([](const ReportRow&, const Change& c) { return std::string(to_string(c.kind)); })},
      {"change_pct", compared([](const ReportRow&, const Change& c) {
         return c.kind == ChangeKind::kNew ? std::string() : fixed(100 * c.relative, 1);
       })},
      {"baseline", compared([](const ReportRow& row, const Change& c) {
         return c.kind == ChangeKind::kNew ? std::string() : table_figure(row.spec, c.baseline);
       })},
      {"baseline_runs", compared([](const ReportRow&, const Change& c) { return std::to_string(c.window); })},
  };
  return table;
}

// One line assembled, then written: a stream insertion per field costs more than the field.
// Whether a field needs quotes: one pass, a compare per character (a histogram cell holds thousands of them).
bool needs_quotes(const std::string& field) {
  for (const char c : field) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

void write_record(std::ostream& out, const std::vector<std::string>& fields, std::string& line) {
  line.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    if (!needs_quotes(fields[i])) {
      line += fields[i];  // csv_escape would return it unchanged; no copy
    } else {
      line += csv_escape(fields[i]);
    }
  }
  line += '\n';
  out.write(line.data(), static_cast<std::streamsize>(line.size()));
}

}  // namespace

std::string csv_escape(const std::string& field) {
  if (!needs_quotes(field)) return field;
  std::string quoted = "\"";
  for (char c : field) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

std::vector<std::string> csv_columns() {
  std::vector<std::string> names;
  for (const auto& column : columns()) names.emplace_back(column.name);
  return names;
}

void write_csv(std::ostream& out, const std::vector<ReportRow>& rows) {
  std::string line;
  write_record(out, csv_columns(), line);
  std::vector<std::string> fields;
  for (const auto& row : rows) {
    fields.clear();
    for (const auto& column : columns()) fields.push_back(column.value(row));
    write_record(out, fields, line);
  }
}

}  // namespace dli
