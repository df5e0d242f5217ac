// The history over any SQL session (docs/history.md): SQLite, the embedded default, or PostgreSQL.
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dli/history/history.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/util/clock.hpp"
#include "schema.hpp"
#include "sql_session.hpp"

namespace dli {

namespace {

using sql::Row;
using sql::Session;
using sql::SqlError;
using sql::Transaction;
using sql::Value;

Error error_of(const SqlError& error, const std::string& doing) {
  Error out{doing + ": " + error.what()};
  out.kind = error.kind();
  out.transient = error.transient();
  return out;
}

std::string text_of(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  return "";
}
std::int64_t integer_of(const Value& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
  if (const auto* real = std::get_if<double>(&value)) return static_cast<std::int64_t>(*real);
  return 0;
}
std::optional<double> number_of(const Value& value) {
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* number = std::get_if<std::int64_t>(&value)) return static_cast<double>(*number);
  return std::nullopt;
}
Value optional_value(const std::optional<double>& number) { return number ? Value(*number) : Value(); }
Value optional_value(const std::optional<std::int64_t>& number) { return number ? Value(*number) : Value(); }

// Brings the database to this build's schema, all migrations in one transaction; refuses a newer one.
void migrate(Session& db) {
  Transaction transaction(db);
  db.execute("CREATE TABLE IF NOT EXISTS dli_schema (version INTEGER NOT NULL)");
  db.lock_schema();
  const auto rows = db.query("SELECT version FROM dli_schema", {});
  const int version = rows.empty() ? 0 : static_cast<int>(integer_of(rows.front().front()));
  if (version > history_schema::latest_version()) {
    throw SqlError(fmt::format("history schema version {} is newer than this build's {}; use a newer dli", version,
                               history_schema::latest_version()),
                   ErrorKind::kOther, false);
  }
  if (version == history_schema::latest_version()) return;  // nothing to write: the transaction rolls back
  for (const auto& migration : history_schema::migrations()) {
    if (migration.version <= version) continue;
    for (const auto& statement : migration.statements) db.execute(statement);
  }
  db.execute("DELETE FROM dli_schema");
  db.query("INSERT INTO dli_schema (version) VALUES (?)", {Value(std::int64_t{history_schema::latest_version()})});
  transaction.commit();
}

std::vector<Value> result_values(const std::string& run_id, const HistoryRow& r) {
  return {run_id,      r.host,        r.test_id,    std::int64_t{r.position},
          r.model,     r.format,      r.precision,  r.framework,
          r.parameters, r.mode,       r.device,     std::int64_t{r.batch},
          std::int64_t{r.threads},    std::int64_t{r.requests}, std::int64_t{r.samples_per_query},
          r.target_qps, r.status,     r.reason,     optional_value(r.figure),
          optional_value(r.latency_s), optional_value(r.fps), optional_value(r.p99_s), optional_value(r.cv),
          optional_value(r.iterations), r.verdict, r.verdict_reasons, r.verdict_notes,
          r.warnings,  std::int64_t{r.repeats}, optional_value(r.repeat_cv), r.started_at,
          r.finished_at, r.result_json, r.row_json};
}

std::string capacity_json(const std::vector<CapacityQuestion>& questions) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& question : questions) list.push_back(to_json(question));
  return list.dump();
}

std::vector<CapacityQuestion> capacity_from_json(const std::string& text) {
  std::vector<CapacityQuestion> questions;
  const auto list = nlohmann::json::parse(text);
  for (const auto& question : list) questions.push_back(capacity_question_from_json(question, "history capacity"));
  return questions;
}

class SqlHistory : public HistoryDb {
 public:
  explicit SqlHistory(std::unique_ptr<Session> db) : db_(std::move(db)) { migrate(*db_); }

  Status record(const HistoryRun& run) override {
    try {
      Transaction transaction(*db_);
      // A run recorded before keeps its first recorded_at; its hosts and rows are replaced.
      db_->query(
          "INSERT INTO runs (run_id, sweep_name, created_at, recorded_at, capacity) VALUES (?, ?, ?, ?, ?) "
          "ON CONFLICT (run_id) DO UPDATE SET sweep_name = excluded.sweep_name, created_at = excluded.created_at, "
          "capacity = excluded.capacity",
          {run.run_id, run.sweep_name, run.created_at, utc_now_iso8601(), capacity_json(run.capacity)});
      db_->query("DELETE FROM results WHERE run_id = ?", {run.run_id});
      db_->query("DELETE FROM hosts WHERE run_id = ?", {run.run_id});
      std::vector<std::vector<Value>> hosts;
      for (const auto& host : run.hosts) hosts.push_back({run.run_id, host.host, host.state, host.description});
      db_->run_many("INSERT INTO hosts (run_id, host, state, description) VALUES (?, ?, ?, ?)", hosts);
      std::vector<std::vector<Value>> rows;
      rows.reserve(run.rows.size());
      for (const auto& row : run.rows) rows.push_back(result_values(run.run_id, row));
      db_->run_many(
          "INSERT INTO results (run_id, host, test_id, position, model, format, precision, framework, parameters, "
          "mode, device, batch, threads, requests, samples_per_query, target_qps, status, reason, figure, "
          "latency_s, fps, p99_s, cv, iterations, verdict, verdict_reasons, verdict_notes, warnings, repeats, "
          "repeat_cv, started_at, finished_at, result, row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          rows);
      transaction.commit();
      return {};
    } catch (const SqlError& error) {
      return error_of(error, fmt::format("cannot record run {} in {}", run.run_id, db_->describe()));
    }
  }

  Result<std::vector<HistoryRunSummary>> runs() override {
    try {
      const auto rows = db_->query(
          "SELECT r.run_id, r.sweep_name, r.created_at, r.recorded_at, "
          "(SELECT COUNT(*) FROM results s WHERE s.run_id = r.run_id AND s.status <> 'not_run'), "
          "(SELECT COUNT(*) FROM results s WHERE s.run_id = r.run_id AND s.status = 'ok') "
          "FROM runs r ORDER BY r.created_at, r.run_id",
          {});
      std::vector<HistoryRunSummary> all;
      for (const Row& row : rows) {
        all.push_back({text_of(row[0]), text_of(row[1]), text_of(row[2]), text_of(row[3]),
                       static_cast<int>(integer_of(row[4])), static_cast<int>(integer_of(row[5]))});
      }
      return all;
    } catch (const SqlError& error) {
      return error_of(error, "cannot list the runs of " + db_->describe());
    }
  }

  Result<std::vector<HistoryPoint>> series(const std::string& host, const std::string& test_id) override {
    try {
      const auto rows = db_->query(
          "SELECT s.run_id, r.created_at, s.status, s.figure, s.verdict FROM results s JOIN runs r "
          "ON r.run_id = s.run_id WHERE s.host = ? AND s.test_id = ? ORDER BY r.created_at, s.run_id",
          {host, test_id});
      std::vector<HistoryPoint> points;
      for (const Row& row : rows) {
        points.push_back({text_of(row[0]), text_of(row[1]), text_of(row[2]), number_of(row[3]), text_of(row[4])});
      }
      return points;
    } catch (const SqlError& error) {
      return error_of(error, "cannot read a series of " + db_->describe());
    }
  }

  Result<bool> notification_sent(const std::string& key) override {
    try {
      return !db_->query("SELECT key FROM notifications WHERE key = ?", {key}).empty();
    } catch (const SqlError& error) {
      return error_of(error, "cannot read the notifications of " + db_->describe());
    }
  }

  Status record_notification(const std::string& key) override {
    try {
      db_->query("INSERT INTO notifications (key, told_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                 {key, utc_now_iso8601()});
      return {};
    } catch (const SqlError& error) {
      return error_of(error, "cannot record a notification in " + db_->describe());
    }
  }

  Result<RecordedRun> run(const std::string& run_id) override {
    try {
      const auto found =
          db_->query("SELECT run_id, sweep_name, created_at, capacity FROM runs WHERE run_id = ?", {run_id});
      if (found.empty()) {
        Error missing{"run " + run_id + " is not recorded in " + db_->describe()};
        missing.kind = ErrorKind::kNotFound;
        return missing;
      }
      RecordedRun run{text_of(found[0][0]), text_of(found[0][1]), text_of(found[0][2]), {}, {}, {}, {}};
      run.capacity = capacity_from_json(text_of(found[0][3]));
      for (const Row& row : db_->query("SELECT row, result FROM results WHERE run_id = ? ORDER BY position", {run_id})) {
        run.rows.push_back(row_from_json(text_of(row[0]), text_of(row[1])));
      }
      for (const Row& row : db_->query(
               "SELECT h.host, h.state, h.description FROM hosts h WHERE h.run_id = ? ORDER BY (SELECT MIN(s.position) "
               "FROM results s WHERE s.run_id = h.run_id AND s.host = h.host), h.host",
               {run_id})) {
        if (text_of(row[1]) == "maintenance") {
          run.maintenance.emplace_back(text_of(row[0]), text_of(row[2]));
          continue;
        }
        if (!text_of(row[1]).empty()) {
          HostStatus status;
          status.host = text_of(row[0]);
          status.state = host_state_from_string(text_of(row[1]));
          // Its counts, from its rows: what the "Host states" table shows.
          for (const auto& each : run.rows) {
            if (each.spec.host != status.host) continue;
            ++status.total;
            if (each.result) ++status.done;
            if (each.result && is_failure(each.result->status)) ++status.failed;
          }
          run.host_states.push_back(status);
        }
        if (!text_of(row[2]).empty()) {
          run.hosts.emplace_back(text_of(row[0]), host_info_from_json(nlohmann::json::parse(text_of(row[2]))));
        }
      }
      return run;
    } catch (const SqlError& error) {
      return error_of(error, "cannot read run " + run_id + " of " + db_->describe());
    } catch (const std::exception& error) {  // a malformed document recorded by another build
      return Error{"run " + run_id + " of " + db_->describe() + ": " + error.what()};
    }
  }

  Result<std::map<std::pair<std::string, std::string>, std::vector<double>>> earlier_figures(
      const std::string& run_id) override {
    try {
      const auto rows = db_->query(
          "SELECT s.host, s.test_id, s.figure FROM results s JOIN runs r ON r.run_id = s.run_id "
          "WHERE r.created_at < (SELECT created_at FROM runs WHERE run_id = ?) AND s.figure IS NOT NULL "
          "AND s.verdict = 'VALID' AND EXISTS (SELECT 1 FROM results n WHERE n.run_id = ? AND n.host = s.host "
          "AND n.test_id = s.test_id) ORDER BY r.created_at, r.run_id",
          {run_id, run_id});
      std::map<std::pair<std::string, std::string>, std::vector<double>> figures;
      for (const Row& row : rows) {
        if (const auto figure = number_of(row[2])) figures[{text_of(row[0]), text_of(row[1])}].push_back(*figure);
      }
      return figures;
    } catch (const SqlError& error) {
      return error_of(error, "cannot read earlier runs of " + db_->describe());
    }
  }

  std::string describe() const override { return db_->describe(); }

 private:
  std::unique_ptr<Session> db_;
};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

Result<std::unique_ptr<HistoryDb>> open_history(const std::string& location) {
  try {
    if (starts_with(location, "postgresql://") || starts_with(location, "postgres://")) {
      // A password here would end up in logs and process lists: libpq reads it from ~/.pgpass instead.
      const std::string rest = location.substr(location.find("://") + 3);
      const std::string authority = rest.substr(0, rest.find('/'));
      const auto at = authority.rfind('@');
      if ((at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) ||
          location.find("password=") != std::string::npos) {
        return Error{"history: a password does not belong in the database's URL: put it in ~/.pgpass "
                     "(docs/history.md)"};
      }
      return std::unique_ptr<HistoryDb>(std::make_unique<SqlHistory>(sql::open_postgres(location)));
    }
    if (location.find("://") != std::string::npos && !starts_with(location, "sqlite://")) {
      return Error{"history: unknown kind of database " + location +
                   " (expected a file path, sqlite:///path or postgresql://user@host/database)"};
    }
    const std::string path = starts_with(location, "sqlite://") ? location.substr(9) : location;
    if (path.empty()) return Error{"history: no database file given"};
    std::error_code ignored;
    const auto folder = std::filesystem::path(path).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
    return std::unique_ptr<HistoryDb>(std::make_unique<SqlHistory>(sql::open_sqlite(path)));
  } catch (const SqlError& error) {
    return error_of(error, "cannot open the history " + location);
  }
}

}  // namespace dli
