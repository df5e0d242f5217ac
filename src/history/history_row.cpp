#include "dli/history/history_row.hpp"

#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"
#include "report/report_format.hpp"  // the CSV's spelling of parameters

namespace dli {

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ";") + item;
  return text;
}

}  // namespace

std::string row_to_json(const ReportRow& row) {
  nlohmann::json json = {{"spec", to_json(row.spec)}, {"not_run_reason", row.not_run_reason}};
  if (row.host_peak_gflops) json["host_peak_gflops"] = *row.host_peak_gflops;
  if (row.repeats) {
    const RepeatSummary& r = *row.repeats;
    json["repeats"] = {{"planned", r.planned}, {"repeats", r.repeats}, {"figures", r.figures},
                       {"median_repeat", r.median_repeat}, {"cv", r.cv}};
  }
  return json.dump();
}

ReportRow row_from_json(const std::string& row_json, const std::string& result_json) {
  const auto json = nlohmann::json::parse(row_json);
  ReportRow row;
  row.spec = test_spec_from_json(json.at("spec"));
  row.not_run_reason = json.at("not_run_reason").get<std::string>();
  if (json.contains("host_peak_gflops")) row.host_peak_gflops = json.at("host_peak_gflops").get<double>();
  if (json.contains("repeats")) {
    const auto& r = json.at("repeats");
    row.repeats = RepeatSummary{r.at("planned").get<int>(), r.at("repeats").get<std::vector<int>>(),
                                r.at("figures").get<std::vector<double>>(), r.at("median_repeat").get<int>(),
                                r.at("cv").get<double>()};
  }
  if (!result_json.empty()) row.result = test_result_from_json(nlohmann::json::parse(result_json));
  return row;
}

std::vector<HistoryRow> history_rows(const std::vector<ReportRow>& rows) {
  std::vector<HistoryRow> flat;
  flat.reserve(rows.size());
  for (const auto& row : rows) {
    HistoryRow out;
    const TestSpec& spec = row.spec;
    out.host = spec.host;
    out.test_id = spec.id;
    out.position = static_cast<int>(flat.size());
    out.model = spec.model.name;
    out.format = spec.model.format;
    out.precision = spec.model.precision;
    out.framework = spec.framework;
    out.parameters = report::format_params(spec.params);
    out.mode = to_string(spec.mode);
    out.device = spec.device;
    out.batch = spec.batch;
    out.threads = spec.threads;
    out.requests = spec.requests;
    out.samples_per_query = spec.samples_per_query;
    out.target_qps = spec.target_qps;
    out.repeats = spec.measure.repeats;
    if (row.repeats && row.repeats->repeats.size() >= 2) out.repeat_cv = row.repeats->cv;
    out.row_json = row_to_json(row);
    if (!row.result) {
      out.status = "not_run";
      out.reason = row.not_run_reason;
      flat.push_back(std::move(out));
      continue;
    }
    const TestResult& result = *row.result;
    out.status = to_string(result.status);
    out.reason = result.reason;
    out.started_at = result.started_at;
    out.finished_at = result.finished_at;
    out.result_json = to_json(result).dump();
    if (result.environment) out.warnings = joined(result.environment->warnings);
    if (result.status == TestStatus::kOk && result.measurement) {
      const Measurement& m = *result.measurement;
      out.figure = headline_value(spec, m);
      out.latency_s = m.throughput.latency_s;
      out.fps = m.throughput.fps;
      out.p99_s = m.request.p99;
      out.cv = m.request.cv;
      out.iterations = m.iterations;
      out.verdict = m.verdict.valid ? "VALID" : "INVALID";
      out.verdict_reasons = joined(m.verdict.reasons);
      out.verdict_notes = joined(m.verdict.notes);
    }
    flat.push_back(std::move(out));
  }
  return flat;
}

HistoryHost history_host(const std::string& name, const HostStatus* last, const HostInfo* description) {
  HistoryHost host;
  host.host = name;
  if (last != nullptr) host.state = to_string(last->state);
  if (description != nullptr) host.description = to_json(*description).dump();
  return host;
}

}  // namespace dli
