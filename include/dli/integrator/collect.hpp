#pragma once
// Merges a run's task lists and results from the store into report rows, and writes CSV and HTML.
#include <string>
#include <vector>

#include "dli/protocol/host_info.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/report/report.hpp"
#include "dli/store/store.hpp"

namespace dli {

struct Collected {
  Manifest manifest;
  std::vector<ReportRow> rows;  // every planned test, in plan order, host by host
  std::vector<std::string> problems;  // unreadable results, with their keys (each row then shows N/A)
  std::vector<std::pair<std::string, HostInfo>> hosts;  // machine descriptions the agents published, in run order
  std::vector<HostStatus> host_states;  // each host's last heartbeat, in run order; absent for hosts never heard of
  int ok = 0, failed = 0, unsupported = 0, not_run = 0;  // unsupported is not a failure
};

Result<Collected> collect_run(Store& store, const std::string& run_id);

// Why a planned test of a host has no result, from the host's last status (nullptr: none was ever written).
std::string not_run_reason(const HostStatus* host);

struct ReportPaths {
  std::string csv;
  std::string html;
};
// Writes results.csv and results.html into `out_dir` (created), each atomically. Throws std::runtime_error.
ReportPaths write_reports(const Collected& collected, const std::string& out_dir);

}  // namespace dli
