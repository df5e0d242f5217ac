#pragma once
// The history database (docs/history.md): every collected run, so that one night can be compared with the next.
// One interface, two backends behind it: SQLite (a file, the embedded default) and, later, PostgreSQL.
#include <map>
#include <memory>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include "dli/history/history_row.hpp"
#include "dli/util/result.hpp"

namespace dli {

// What one run adds to the history: the run itself, its hosts and one row per planned test.
struct HistoryRun {
  std::string run_id;
  std::string sweep_name;
  std::string created_at;  // UTC ISO 8601, the run's manifest
  std::vector<HistoryHost> hosts;
  std::vector<HistoryRow> rows;
  std::vector<CapacityQuestion> capacity = {};  // the sweep's capacity questions
};

// One recorded run, as listed.
struct HistoryRunSummary {
  std::string run_id;
  std::string sweep_name;
  std::string created_at;
  std::string recorded_at;  // when it was first recorded
  int results = 0;          // rows with a result (ok or not)
  int ok = 0;
};

// One value of a series (a test on a host, across runs), oldest first.
struct HistoryPoint {
  std::string run_id;
  std::string created_at;
  std::string status;
  std::optional<double> figure;  // the table's figure (FPS, latency in seconds or a rate: history_row.hpp)
  std::string verdict;
};

class HistoryDb {
 public:
  virtual ~HistoryDb() = default;
  // Records the run in one transaction: all of it or, if anything fails (or the process is killed), none of it.
  // Recording a run again replaces its hosts and rows and keeps its first recorded_at, so that importing the same
  // run twice changes nothing.
  virtual Status record(const HistoryRun& run) = 0;
  virtual Result<std::vector<HistoryRunSummary>> runs() = 0;  // oldest first
  virtual Result<std::vector<HistoryPoint>> series(const std::string& host, const std::string& test_id) = 0;
  // A recorded run read back for its pages; kNotFound when it is not recorded.
  virtual Result<RecordedRun> run(const std::string& run_id) = 0;
  // For each series (host, test id) of `run_id`: its VALID figures in the runs created before it, oldest first.
  virtual Result<std::map<std::pair<std::string, std::string>, std::vector<double>>> earlier_figures(
      const std::string& run_id) = 0;
  // Notifications told (docs/notifications.md): an event's key, once told, is remembered so that collecting the run
  // again does not tell it again.
  virtual Result<bool> notification_sent(const std::string& key) = 0;
  virtual Status record_notification(const std::string& key) = 0;
  virtual std::string describe() const = 0;  // for messages: the file or server, never a password
};

// `location`: a file path (absolute or relative), or `sqlite:///abs/path`. The file and its folder are created;
// the schema is created or migrated to this build's version. A database of a newer schema is refused.
Result<std::unique_ptr<HistoryDb>> open_history(const std::string& location);

}  // namespace dli
