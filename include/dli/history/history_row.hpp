#pragma once
// A run's report rows flattened into the history's columns (docs/history.md, "Schema"). Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dli/protocol/host_info.hpp"
#include "dli/report/report.hpp"

namespace dli {

struct HistoryHost {
  std::string host;
  std::string state;        // its last heartbeat's state; empty when it never reported; "maintenance": left out
  std::string description;  // host.json as the agent published it (empty when it did not); in maintenance: why
};

struct HistoryRow {
  std::string host, test_id;
  int position = 0;  // the row's place in the run's report
  std::string model, format, precision, framework, parameters, mode, device;
  int batch = 1, threads = 1, requests = 1, samples_per_query = 1;
  double target_qps = 0;
  std::string status;  // a TestStatus, or "not_run"
  std::string reason;  // why not ok, or why not run
  // The table's figure: FPS (sync, async, offline), the reported latency percentile in seconds (single_stream,
  // multi_stream), the rate in queries per second (server); absent without a measurement.
  std::optional<double> figure;
  std::optional<double> latency_s, fps, p99_s, cv;
  std::optional<std::int64_t> iterations;
  std::string verdict;  // VALID, INVALID or empty
  std::string verdict_reasons, verdict_notes, warnings;  // codes joined by ';'
  int repeats = 1;
  std::optional<double> repeat_cv;
  std::string started_at, finished_at;
  std::string result_json;  // the row's result as in the store (with its measurement and environment); empty if none
  std::string row_json;     // the rest of the report row (spec, why not run, host peak, repeats): row_to_json
};

// The report row apart from its result, as JSON, and back (with the result's JSON, empty when none): what a page
// of the run is drawn from without the store.
std::string row_to_json(const ReportRow& row);
ReportRow row_from_json(const std::string& row_json, const std::string& result_json);  // throws on malformed

std::vector<HistoryRow> history_rows(const std::vector<ReportRow>& rows);
HistoryHost history_host(const std::string& name, const HostStatus* last, const HostInfo* description);

// A recorded run, read back for its pages: rows in report order (with their changes unset), hosts' descriptions
// and last states.
struct RecordedRun {
  std::string run_id, sweep_name, created_at;
  std::vector<ReportRow> rows;
  std::vector<std::pair<std::string, HostInfo>> hosts;  // those that described themselves
  std::vector<HostStatus> host_states;                  // state and host only
  std::vector<std::pair<std::string, std::string>> maintenance;  // hosts left out: name and reason
  std::vector<CapacityQuestion> capacity = {};                    // the sweep's capacity questions
};

}  // namespace dli
