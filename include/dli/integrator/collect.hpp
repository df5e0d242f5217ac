#pragma once
// Merges a run's task lists and results from the store into report rows, and writes CSV, JSON and HTML.
#include <map>
#include <optional>
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
  // Per host, its tasks without a result (a repeated test's missing repeats included, though its row has one).
  std::map<std::string, int> unfinished;
};

// What a run is apart from its results: its manifest, each host's task list and each host's last status. collect
// reads it from the store; an integrator that drove the run holds it already and reads only the results.
struct RunRecord {
  Manifest manifest;
  std::map<std::string, TaskList> tasks;       // by host
  std::map<std::string, HostStatus> statuses;  // by host; a host that never reported is absent
};
// `problems`: unreadable heartbeats (their hosts are then absent from `statuses`).
Result<RunRecord> read_run_record(Store& store, const std::string& run_id, std::vector<std::string>& problems);

// One host's share of a collect: a row per test of its task list, and what reading them found.
struct HostPart {
  std::optional<Error> error;  // the collect fails with the first host's error
  std::optional<HostInfo> info;
  std::vector<std::string> problems;
  std::vector<ReportRow> rows;
  int ok = 0, failed = 0, unsupported = 0, not_run = 0, unfinished = 0;
};

// Whether nothing more can come from a host whose last status is `last`: its agent is done and the store has every
// result it measured.
bool host_complete(const HostStatus& last);

// Reads a complete host's results and description while the rest of its run goes on, so that the collect at the
// run's end is left only the hosts still running (an integrator that follows a run calls it as each host completes).
HostPart collect_complete_host(Store& store, const TaskList& tasks, const HostStatus& last);

// Reads the results and the machines' descriptions of a run whose record is known. `ready`: hosts read already by
// collect_complete_host (by name), taken as they are; a part with an error is read again.
Result<Collected> collect_known(Store& store, const RunRecord& record, std::map<std::string, HostPart> ready = {});
// read_run_record, then collect_known.
Result<Collected> collect_run(Store& store, const std::string& run_id);

// Why a planned test of a host has no result, from the host's last status (nullptr: none was ever written).
std::string not_run_reason(const HostStatus* host);

struct ReportPaths {
  std::string csv;
  std::string html;
  std::string json;  // results.json: every row's spec and result (rows_json.hpp)
};
// Writes results.csv, results.json, results.html, hosts/<host>.html (each host's test details, docs/site.md) and
// changes.atom (what moved against earlier runs) into `out_dir` (created), each streamed into its file and renamed
// into place. Throws std::runtime_error.
ReportPaths write_reports(const Collected& collected, const std::string& out_dir);

}  // namespace dli
