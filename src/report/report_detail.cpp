#include "report_detail.hpp"

#include <string_view>

#include <fmt/format.h>

#include "dli/report/distribution_plot.hpp"
#include "dli/report/repeats.hpp"
#include "report_data.hpp"
#include "report_efficiency.hpp"
#include "report_format.hpp"
#include "report_streams.hpp"

namespace dli::report {

namespace {

constexpr double kMs = 1000.0;

// Rows of a two-column table: name, then its value as text (escaped here).
class Fields {
 public:
  explicit Fields(std::string& out, const char* caption) : out_(out) {
    out_.append("<table class=\"fields\"><caption>").append(caption).append("</caption>\n");
  }
  ~Fields() { out_ += "</table>\n"; }
  Fields(const Fields&) = delete;
  Fields& operator=(const Fields&) = delete;
  void add(std::string_view name, std::string_view value) {
    out_ += "<tr><th>";
    append_html_escaped(out_, name);
    out_ += "</th><td>";
    append_html_escaped(out_, value);
    out_ += "</td></tr>\n";
  }

 private:
  std::string& out_;
};

std::string ms(double seconds) { return fixed(seconds * kMs, 3) + " ms"; }

void write_parameters(std::string& out, const TestSpec& spec) {
  Fields fields(out, "Parameters");
  fields.add("Test id", spec.id);
  fields.add("Model", spec.model.name + " (" + spec.model.format + ", " + upper(spec.model.precision) + ", " +
                          spec.model.file_name + ")");
  fields.add("Input shape", format_shape(spec.model.input_shape));
  fields.add("Framework", spec.framework);
  fields.add("Parameters", format_params(spec.params));
  fields.add("Device", device_precision(spec));
  fields.add("Mode", to_string(spec.mode));
  fields.add("Batch", std::to_string(spec.batch));
  fields.add("Threads", std::to_string(spec.threads));
  if (uses_streams(spec.mode)) fields.add("Requests in flight", std::to_string(spec.requests));
  if (spec.mode == Mode::kMultiStream) fields.add("Samples per query", std::to_string(spec.samples_per_query));
  if (spec.mode == Mode::kServer) fields.add("Target rate", fixed(spec.target_qps, 2) + " queries/s");
  if (!spec.dataset.name.empty()) fields.add("Dataset", spec.dataset.name);
}

void write_statistics(std::string& out, const ReportRow& row, const Measurement& m) {
  {
    Fields fields(out, "Statistics");
    fields.add("Headline", headline(row.spec, m) + " " + column_unit(row.spec.mode) +
                               (higher_is_better(row.spec.mode) ? " (higher is better)" : " (lower is better)"));
    fields.add("FPS", fixed(m.throughput.fps, 2));
    fields.add("Latency (p" + fmt::format("{:g}", m.latency_percentile) + ")", ms(m.throughput.latency_s));
    fields.add("Average pass", ms(m.throughput.avg_pass_s));
    fields.add("Requests", std::to_string(m.request.count) + " timed, " + std::to_string(m.warmup_iterations) +
                               " warm-up; " + std::to_string(m.iterations) + " iterations");
    fields.add("Request times", "min " + ms(m.request.min) + ", median " + ms(m.request.median) + ", p90 " +
                                    ms(m.request.p90) + ", p95 " + ms(m.request.p95) + ", p99 " + ms(m.request.p99) +
                                    ", max " + ms(m.request.max) + ", mean " + ms(m.request.mean));
    fields.add("CV", percent(m.request.cv, 1) + " %");
    fields.add("Wall time", fixed(m.wall_seconds, 3) + " s, stopped by " + to_string(m.stop_reason));
    fields.add("Load, first inference", fixed(m.load_seconds, 3) + " s, " + ms(m.first_inference_seconds));
    fields.add("Peak RSS", std::to_string(m.peak_rss_kb) + " KiB");
    if (m.target_qps > 0) fields.add("Rate run", fixed(m.target_qps, 2) + " queries/s");
    if (const auto achieved = achieved_gflops(row)) {
      std::string text = fixed(*achieved, 2) + " GFLOP/s";
      if (const auto share = peak_share(row)) text += ", " + percent(*share, 2) + " % of the host's GEMM peak";
      if (!cpu_peak_applies(row.spec)) text += " (the host's GEMM peak is its CPU's: it does not apply to " + row.spec.device + ")";
      fields.add("Efficiency", text);
    }
    if (const std::string streams = streams_tooltip(m); !streams.empty()) fields.add("Streams", streams.substr(1));
    fields.add("Verdict", verdict_text(m));
  }
  if (!m.histogram.buckets.empty()) {
    const auto plot = latency_distribution(m.histogram, "Distribution of " + std::to_string(m.histogram.total()) +
                                                            " request times", 20);
    out += distribution_figure(*plot);
  }
}

void write_history(std::string& out, const ReportRow& row) {
  if (!row.repeats && !row.change) return;
  Fields fields(out, "Repeats and history");
  if (row.repeats) {
    const RepeatSummary& r = *row.repeats;
    std::string figures;
    for (const double figure : r.figures) figures += (figures.empty() ? "" : ", ") + table_figure(row.spec, figure);
    fields.add("Repeats", std::to_string(r.repeats.size()) + " of " + std::to_string(r.planned) + " (repeat " +
                              std::to_string(r.median_repeat) + " shown): " + figures + "; CV " + percent(r.cv, 1) +
                              " %");
  }
  if (row.change) {
    const Change& c = *row.change;
    fields.add("Change", c.kind == ChangeKind::kNew
                             ? "new: no earlier VALID figure of this test on this host"
                             : std::string(to_string(c.kind)) + ": " + (c.relative >= 0 ? "+" : "") +
                                   fixed(100 * c.relative, 1) + " % against " + table_figure(row.spec, c.baseline) +
                                   ", the median of " + std::to_string(c.window) + " earlier runs (beyond " +
                                   fixed(100 * c.threshold, 1) + " %)");
  }
}

void write_environment(std::string& out, const TestEnvironment& e) {
  Fields fields(out, "Environment");
  fields.add("Machine", e.cpu_model + ", " + std::to_string(e.sockets) + " sockets, " + std::to_string(e.cores) +
                            " cores, " + std::to_string(e.logical_cpus) + " logical CPUs");
  fields.add("System", e.os + ", " + e.kernel + ", build " + e.build_type);
  fields.add("Governor, boost", (e.governor.empty() ? "unknown" : e.governor) + ", " +
                                    (e.boost.empty() ? "unknown" : e.boost));
  fields.add("Load (1 min)", e.load_1m < 0 ? "unknown" : fixed(e.load_1m, 2));
  fields.add("Other processes' CPU share", e.other_cpu_share < 0 ? "unknown" : percent(e.other_cpu_share, 1) + " %");
  fields.add("Swap", (e.swap_used_kb < 0 ? "unknown" : std::to_string(e.swap_used_kb) + " KiB used") + ", " +
                         std::to_string(e.swapped_pages) + " pages swapped during the test");
  if (!e.runner_cpus.empty()) fields.add("Pinned", "runner on CPUs " + e.runner_cpus);
  for (const auto& warning : e.warnings) fields.add("Warning", warning);
}

}  // namespace

void write_test_section(std::ostream& stream, const std::string& run_id, const ReportRow& row,
                        const std::string& series_link) {
  // The section is put together in one buffer and handed to the stream at once: a host page of a thousand tests
  // is some 60,000 small pieces, and each through the stream cost more than the piece itself.
  thread_local std::string out;
  out.clear();
  const TestSpec& spec = row.spec;
  const std::string status = status_text(row);
  out += "<section class=\"test\" id=\"";
  append_html_escaped(out, spec.id);
  out += "\">\n<h2>";
  append_html_escaped(out, test_label(spec));
  out += " <span class=\"status ";
  append_html_escaped(out, status);
  out += "\">";
  append_html_escaped(out, status);
  out += "</span></h2>\n";
  if (!series_link.empty()) {
    out += "<p><a class=\"series\" href=\"";
    append_html_escaped(out, series_link);
    out += "\">Its trend over the runs</a></p>\n";
  }
  write_parameters(out, spec);
  if (!row.result) {
    out += "<p>Not run: ";
    append_html_escaped(out, row.not_run_reason.empty() ? "no result" : row.not_run_reason);
    out += "</p>\n";
  } else if (row.result->status != TestStatus::kOk) {
    out += "<p class=\"reason\">";
    append_html_escaped(out, row.result->reason);
    out += "</p>\n";
  }
  if (const Measurement* m = measured(row)) write_statistics(out, row, *m);
  if (const Accuracy* a = accuracy_of(row)) {
    Fields fields(out, "Accuracy");
    fields.add("Top-1, top-5", percent(a->top1, 2) + " %, " + percent(a->top5, 2) + " % of " +
                                   std::to_string(a->samples) + " samples");
  }
  write_history(out, row);
  if (row.result && row.result->environment) write_environment(out, *row.result->environment);
  if (row.result) {
    Fields fields(out, "Run");
    fields.add("Framework version", row.result->framework_version);
    fields.add("Started, finished", row.result->started_at + ", " + row.result->finished_at + " (" +
                                        fixed(row.result->elapsed_seconds, 3) + " s)");
    if (row.result->status != TestStatus::kOk) {
      fields.add("Exit", "code " + std::to_string(row.result->exit_code) +
                             (row.result->signal != 0 ? ", signal " + std::to_string(row.result->signal) : ""));
    }
    for (const auto& [key, value] : row.result->details) fields.add("Runner: " + key, value);
  }
  // The log comes with the result (docs/protocol.md 4.5), whole up to 16 KiB; results of agents older than that
  // carry only a failed test's output tail. A log the result could not carry whole is in the store under this key.
  const bool whole_here = row.result && !row.result->log.empty() && result_carries_whole_log(row.result->log.size());
  if (whole_here) {
    out += "<p class=\"log\">Log</p>\n";
  } else {
    out += "<p class=\"log\">Log: <code>runs/";
    append_html_escaped(out, run_id);
    out += "/hosts/";
    append_html_escaped(out, spec.host);
    out += "/logs/";
    append_html_escaped(out, task_key(spec));
    out += ".log</code></p>\n";
  }
  if (row.result) {
    const std::string& log = row.result->log.empty() ? row.result->stderr_tail : row.result->log;
    if (!log.empty()) {
      out += "<pre class=\"log\">";
      append_html_escaped(out, log);
      out += "</pre>\n";
    }
  }
  out += "</section>\n";
  stream.write(out.data(), static_cast<std::streamsize>(out.size()));
}

}  // namespace dli::report
