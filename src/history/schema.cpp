#include "schema.hpp"

namespace dli::history_schema {

const std::vector<Migration>& migrations() {
  // Never edit a migration that has shipped: add the next one.
  static const std::vector<Migration> all = {
      {1,
       {"CREATE TABLE runs (run_id TEXT PRIMARY KEY, sweep_name TEXT NOT NULL, created_at TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL)",
        "CREATE TABLE hosts (run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE, host TEXT NOT NULL, "
        "state TEXT NOT NULL, description TEXT NOT NULL, PRIMARY KEY (run_id, host))",
        "CREATE TABLE results (run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE, "
        "host TEXT NOT NULL, test_id TEXT NOT NULL, position INTEGER NOT NULL, model TEXT NOT NULL, "
        "format TEXT NOT NULL, precision TEXT NOT NULL, framework TEXT NOT NULL, parameters TEXT NOT NULL, "
        "mode TEXT NOT NULL, device TEXT NOT NULL, batch INTEGER NOT NULL, threads INTEGER NOT NULL, "
        "requests INTEGER NOT NULL, samples_per_query INTEGER NOT NULL, target_qps DOUBLE PRECISION NOT NULL, "
        "status TEXT NOT NULL, reason TEXT NOT NULL, figure DOUBLE PRECISION, latency_s DOUBLE PRECISION, "
        "fps DOUBLE PRECISION, p99_s DOUBLE PRECISION, cv DOUBLE PRECISION, iterations BIGINT, "
        "verdict TEXT NOT NULL, verdict_reasons TEXT NOT NULL, verdict_notes TEXT NOT NULL, warnings TEXT NOT NULL, "
        "repeats INTEGER NOT NULL, repeat_cv DOUBLE PRECISION, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, "
        "result TEXT NOT NULL, row TEXT NOT NULL, PRIMARY KEY (run_id, host, test_id))",
        "CREATE INDEX results_by_series ON results (host, test_id, run_id)"}},
      // The capacity questions the run's sweep asked (JSON array, protocol's manifest "capacity").
      {2, {"ALTER TABLE runs ADD COLUMN capacity TEXT NOT NULL DEFAULT '[]'"}},
      // Notifications told, by their event's key ("<kind>:<run id>").
      {3, {"CREATE TABLE notifications (key TEXT PRIMARY KEY, told_at TEXT NOT NULL)"}},
  };
  return all;
}

int latest_version() { return migrations().back().version; }

}  // namespace dli::history_schema
