// The SQLite backend of the history: one file, the embedded default (docs/history.md).
#include <sqlite3.h>

#include <filesystem>

#include <fmt/format.h>

#include "dli/history/history.hpp"
#include "dli/util/clock.hpp"
#include "schema.hpp"
#include "sqlite_db.hpp"

namespace dli {

namespace {

using sqlite::Connection;
using sqlite::SqliteError;
using sqlite::Transaction;

Error error_of(const SqliteError& error, const std::string& doing) {
  Error out{doing + ": " + error.what()};
  if (error.code() == SQLITE_FULL) out.kind = ErrorKind::kNoSpace;
  if (error.code() == SQLITE_READONLY || error.code() == SQLITE_PERM || error.code() == SQLITE_CANTOPEN) {
    out.kind = ErrorKind::kDenied;
  }
  out.transient = error.code() == SQLITE_BUSY || error.code() == SQLITE_LOCKED;
  return out;
}

int schema_version(Connection& db) {
  db.execute("CREATE TABLE IF NOT EXISTS dli_schema (version INTEGER NOT NULL)");
  auto query = db.prepare("SELECT version FROM dli_schema");
  return query.step() ? static_cast<int>(query.integer(0)) : 0;
}

// Brings the database to this build's schema, one migration per transaction; refuses a newer one.
void migrate(Connection& db, const std::string& path) {
  Transaction transaction(db);
  const int version = schema_version(db);
  if (version > history_schema::latest_version()) {
    throw SqliteError(fmt::format("{}: history schema version {} is newer than this build's {}; use a newer dli",
                                  path, version, history_schema::latest_version()),
                      SQLITE_ERROR);
  }
  for (const auto& migration : history_schema::migrations()) {
    if (migration.version <= version) continue;
    for (const auto& statement : migration.statements) db.execute(statement);
  }
  if (version < history_schema::latest_version()) {
    db.execute("DELETE FROM dli_schema");
    db.prepare("INSERT INTO dli_schema (version) VALUES (?)").bind(1, history_schema::latest_version()).run();
  }
  transaction.commit();
}

class SqliteHistory : public HistoryDb {
 public:
  explicit SqliteHistory(std::string path) : path_(std::move(path)), db_(path_) { migrate(db_, path_); }

  Status record(const HistoryRun& run) override {
    try {
      Transaction transaction(db_);
      // A run recorded before keeps its first recorded_at; its hosts and rows are replaced.
      db_.prepare(
             "INSERT INTO runs (run_id, sweep_name, created_at, recorded_at) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (run_id) DO UPDATE SET sweep_name = excluded.sweep_name, created_at = excluded.created_at")
          .bind(1, run.run_id)
          .bind(2, run.sweep_name)
          .bind(3, run.created_at)
          .bind(4, utc_now_iso8601())
          .run();
      db_.prepare("DELETE FROM results WHERE run_id = ?").bind(1, run.run_id).run();
      db_.prepare("DELETE FROM hosts WHERE run_id = ?").bind(1, run.run_id).run();
      auto host = db_.prepare("INSERT INTO hosts (run_id, host, state, description) VALUES (?, ?, ?, ?)");
      for (const auto& each : run.hosts) {
        host.bind(1, run.run_id).bind(2, each.host).bind(3, each.state).bind(4, each.description).run();
        host.reset();
      }
      auto row = db_.prepare(
          "INSERT INTO results (run_id, host, test_id, position, model, format, precision, framework, parameters, "
          "mode, device, batch, threads, requests, samples_per_query, target_qps, status, reason, figure, "
          "latency_s, fps, p99_s, cv, iterations, verdict, verdict_reasons, verdict_notes, warnings, repeats, "
          "repeat_cv, started_at, finished_at, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      for (const auto& r : run.rows) {
        row.bind(1, run.run_id).bind(2, r.host).bind(3, r.test_id).bind(4, r.position).bind(5, r.model);
        row.bind(6, r.format).bind(7, r.precision).bind(8, r.framework).bind(9, r.parameters).bind(10, r.mode);
        row.bind(11, r.device).bind(12, r.batch).bind(13, r.threads).bind(14, r.requests);
        row.bind(15, r.samples_per_query).bind(16, r.target_qps).bind(17, r.status).bind(18, r.reason);
        row.bind(19, r.figure).bind(20, r.latency_s).bind(21, r.fps).bind(22, r.p99_s).bind(23, r.cv);
        row.bind(24, r.iterations).bind(25, r.verdict).bind(26, r.verdict_reasons).bind(27, r.verdict_notes);
        row.bind(28, r.warnings).bind(29, r.repeats).bind(30, r.repeat_cv).bind(31, r.started_at);
        row.bind(32, r.finished_at).bind(33, r.result_json);
        row.run();
        row.reset();
      }
      transaction.commit();
      return {};
    } catch (const SqliteError& error) {
      return error_of(error, fmt::format("cannot record run {} in {}", run.run_id, path_));
    }
  }

  Result<std::vector<HistoryRunSummary>> runs() override {
    try {
      auto query = db_.prepare(
          "SELECT r.run_id, r.sweep_name, r.created_at, r.recorded_at, "
          "(SELECT COUNT(*) FROM results s WHERE s.run_id = r.run_id AND s.status <> 'not_run'), "
          "(SELECT COUNT(*) FROM results s WHERE s.run_id = r.run_id AND s.status = 'ok') "
          "FROM runs r ORDER BY r.created_at, r.run_id");
      std::vector<HistoryRunSummary> all;
      while (query.step()) {
        all.push_back({query.text(0), query.text(1), query.text(2), query.text(3), static_cast<int>(query.integer(4)),
                       static_cast<int>(query.integer(5))});
      }
      return all;
    } catch (const SqliteError& error) {
      return error_of(error, "cannot list the runs of " + path_);
    }
  }

  Result<std::vector<HistoryPoint>> series(const std::string& host, const std::string& test_id) override {
    try {
      auto query = db_.prepare(
          "SELECT s.run_id, r.created_at, s.status, s.figure, s.verdict FROM results s JOIN runs r "
          "ON r.run_id = s.run_id WHERE s.host = ? AND s.test_id = ? ORDER BY r.created_at, s.run_id");
      query.bind(1, host).bind(2, test_id);
      std::vector<HistoryPoint> points;
      while (query.step()) {
        points.push_back({query.text(0), query.text(1), query.text(2), query.optional_number(3), query.text(4)});
      }
      return points;
    } catch (const SqliteError& error) {
      return error_of(error, "cannot read a series of " + path_);
    }
  }

  std::string describe() const override { return path_; }

 private:
  std::string path_;
  Connection db_;
};

}  // namespace

Result<std::unique_ptr<HistoryDb>> open_history(const std::string& location) {
  const std::string scheme = "sqlite://";
  std::string path = location.rfind(scheme, 0) == 0 ? location.substr(scheme.size()) : location;
  if (path.empty()) return Error{"history: no database file given"};
  if (location.find("://") != std::string::npos && location.rfind(scheme, 0) != 0) {
    return Error{"history: unknown kind of database " + location + " (expected a file path or sqlite:///path)"};
  }
  std::error_code ignored;
  const auto folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
  try {
    return std::unique_ptr<HistoryDb>(std::make_unique<SqliteHistory>(path));
  } catch (const SqliteError& error) {
    return error_of(error, "cannot open the history " + path);
  }
}

}  // namespace dli
