// The history database (docs/history.md) on a real SQLite file: schema, one transaction per run, idempotent
// re-recording, series across runs, a newer schema refused.
#include "dli/history/history.hpp"

#include <sqlite3.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/integrator/history_record.hpp"
#include "dli/protocol/protocol.hpp"
#include "../../src/history/sql_session.hpp"
#include "support/history_dump.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

ReportRow measured_row(const std::string& host, const std::string& id, double fps) {
  ReportRow row;
  row.spec.id = id;
  row.spec.host = host;
  row.spec.model = {"resnet50", "onnx", "fp32", {3, 224, 224}, "resnet50.onnx", std::string(64, 'a'), "", ""};
  row.spec.framework = "opencv-dnn";
  row.spec.params = {{"backend", "opencv"}, {"target", "cpu"}};
  row.spec.batch = 2;
  row.spec.threads = 4;
  TestResult result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  result.started_at = "2026-11-30T01:00:00Z";
  result.finished_at = "2026-11-30T01:00:05Z";
  Measurement m;
  m.iterations = 100;
  m.throughput.fps = fps;
  m.throughput.latency_s = 2 / fps;
  m.request.p99 = 3 / fps;
  m.request.cv = 0.05;
  m.verdict.valid = false;
  m.verdict.reasons = {"cv_above_threshold", "host_busy"};
  result.measurement = m;
  row.result = result;
  return row;
}

ReportRow not_run_row(const std::string& host, const std::string& id) {
  ReportRow row;
  row.spec.id = id;
  row.spec.host = host;
  row.spec.model.name = "mobilenet_v2";
  row.spec.framework = "onnxruntime";
  row.spec.mode = Mode::kAsync;
  row.spec.requests = 2;
  row.not_run_reason = "not run: host lost: heartbeat silent for 1m05s";
  return row;
}

HistoryRun run_of(const std::string& run_id, const std::string& created_at, double fps) {
  HistoryRun run;
  run.run_id = run_id;
  run.sweep_name = "nightly";
  run.created_at = created_at;
  run.hosts = {{"node-a", "done", ""}, {"node-b", "lost", ""}};
  run.rows = history_rows({measured_row("node-a", "0123456789abcdef", fps), not_run_row("node-b", "fedcba9876543210")});
  return run;
}

std::string dump(const std::string& path) { return testing::history_dump(path); }

void execute(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(db);
}

TEST(HistoryRows, ARowCarriesTheSpecTheFigureTheVerdictAndTheWholeResult) {
  const auto rows = history_rows({measured_row("node-a", "0123456789abcdef", 200), not_run_row("node-b", "f00")});
  ASSERT_EQ(rows.size(), 2u);
  const HistoryRow& ok = rows[0];
  EXPECT_EQ(ok.position, 0);
  EXPECT_EQ(ok.parameters, "backend=opencv;target=cpu");
  EXPECT_EQ(ok.mode, "sync");
  EXPECT_EQ(ok.status, "ok");
  EXPECT_DOUBLE_EQ(*ok.figure, 200);  // FPS: what the table shows for sync
  EXPECT_DOUBLE_EQ(*ok.latency_s, 0.01);
  EXPECT_EQ(*ok.iterations, 100);
  EXPECT_EQ(ok.verdict, "INVALID");
  EXPECT_EQ(ok.verdict_reasons, "cv_above_threshold;host_busy");
  EXPECT_NE(ok.result_json.find("\"measurement\""), std::string::npos);
  const HistoryRow& lost = rows[1];
  EXPECT_EQ(lost.position, 1);
  EXPECT_EQ(lost.status, "not_run");
  EXPECT_EQ(lost.reason, "not run: host lost: heartbeat silent for 1m05s");
  EXPECT_FALSE(lost.figure);
  EXPECT_EQ(lost.verdict, "");
  EXPECT_EQ(lost.result_json, "");
}

TEST(HistorySql, PlaceholdersAreNumberedForPostgres) {
  EXPECT_EQ(sql::numbered_placeholders("INSERT INTO t (a, b) VALUES (?, ?)"), "INSERT INTO t (a, b) VALUES ($1, $2)");
  EXPECT_EQ(sql::numbered_placeholders("SELECT 1"), "SELECT 1");
}

TEST(HistoryLocation, DefaultsToAFileBesideTheRunsReportFolder) {
  EXPECT_EQ(default_history_location("dli-out/20261130-010000-nightly"), "dli-out/history.sqlite");
  EXPECT_EQ(default_history_location("/srv/site/runs/last/"), "/srv/site/runs/history.sqlite");
  EXPECT_EQ(default_history_location("out"), "history.sqlite");
}

TEST(HistorySqlite, RecordsRunsListsThemAndFollowsASeries) {
  testing::TempDir dir;
  auto history = open_history(dir.str("h/history.sqlite"));
  ASSERT_TRUE(history) << history.error().message;
  ASSERT_TRUE(history.value()->record(run_of("20261129-010000-nightly", "2026-11-29T01:00:00Z", 180)));
  ASSERT_TRUE(history.value()->record(run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200)));
  const auto runs = history.value()->runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs.value().size(), 2u);
  EXPECT_EQ(runs.value()[0].run_id, "20261129-010000-nightly");
  EXPECT_EQ(runs.value()[0].results, 1) << "the not-run row is recorded, but has no result";
  EXPECT_EQ(runs.value()[0].ok, 1);
  const auto series = history.value()->series("node-a", "0123456789abcdef");
  ASSERT_TRUE(series);
  ASSERT_EQ(series.value().size(), 2u);
  EXPECT_DOUBLE_EQ(*series.value()[0].figure, 180);
  EXPECT_DOUBLE_EQ(*series.value()[1].figure, 200);
  EXPECT_EQ(series.value()[1].verdict, "INVALID");
  const auto gap = history.value()->series("node-b", "fedcba9876543210");
  ASSERT_TRUE(gap);
  ASSERT_EQ(gap.value().size(), 2u);
  EXPECT_EQ(gap.value()[0].status, "not_run");
  EXPECT_FALSE(gap.value()[0].figure);
}

// A page of a run can be drawn from the history alone: every row comes back as it was reported.
TEST(HistorySqlite, ARecordedRunReadsBackRowForRow) {
  testing::TempDir dir;
  auto history = open_history(dir.str("history.sqlite"));
  ASSERT_TRUE(history);
  std::vector<ReportRow> rows = {measured_row("node-a", "0123456789abcdef", 200), not_run_row("node-b", "f00")};
  rows[0].spec.measure.repeats = 3;
  rows[0].repeats = RepeatSummary{3, {1, 3}, {190, 200}, 3, 0.036};
  rows[0].host_peak_gflops = 512.5;
  HistoryRun run = run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200);
  run.rows = history_rows(rows);
  ASSERT_TRUE(history.value()->record(run));
  const auto back = history.value()->run("20261130-010000-nightly");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back.value().sweep_name, "nightly");
  ASSERT_EQ(back.value().rows.size(), 2u);
  const ReportRow& first = back.value().rows[0];
  EXPECT_EQ(to_json(first.spec), to_json(rows[0].spec));
  ASSERT_TRUE(first.result);
  EXPECT_EQ(to_json(*first.result), to_json(*rows[0].result));
  ASSERT_TRUE(first.repeats);
  EXPECT_EQ(first.repeats->figures, (std::vector<double>{190, 200}));
  EXPECT_EQ(first.repeats->median_repeat, 3);
  EXPECT_EQ(*first.host_peak_gflops, 512.5);
  EXPECT_FALSE(back.value().rows[1].result);
  EXPECT_EQ(back.value().rows[1].not_run_reason, "not run: host lost: heartbeat silent for 1m05s");
  ASSERT_EQ(back.value().host_states.size(), 2u);
  EXPECT_EQ(back.value().host_states[1].state, HostState::kLost);
  EXPECT_EQ(history.value()->run("nope").error().kind, ErrorKind::kNotFound);
}

TEST(HistorySqlite, RecordingTheSameRunAgainChangesNothing) {
  testing::TempDir dir;
  const std::string path = dir.str("history.sqlite");
  {
    auto history = open_history(path);
    ASSERT_TRUE(history);
    ASSERT_TRUE(history.value()->record(run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200)));
  }
  const std::string before = dump(path);
  auto again = open_history("sqlite://" + path);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_TRUE(again.value()->record(run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200)));
  EXPECT_EQ(dump(path), before);
}

// A run that cannot be recorded whole leaves no trace: here two rows of one test on one host break the key
// half-way through the inserts.
TEST(HistorySqlite, ARunThatFailsHalfWayLeavesNothing) {
  testing::TempDir dir;
  const std::string path = dir.str("history.sqlite");
  auto history = open_history(path);
  ASSERT_TRUE(history);
  ASSERT_TRUE(history.value()->record(run_of("20261129-010000-nightly", "2026-11-29T01:00:00Z", 180)));
  const std::string before = dump(path);
  HistoryRun broken = run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200);
  broken.rows.push_back(broken.rows.front());
  const Status recorded = history.value()->record(broken);
  ASSERT_FALSE(recorded);
  EXPECT_NE(recorded.error().message.find("cannot record run 20261130-010000-nightly"), std::string::npos)
      << recorded.error().message;
  EXPECT_EQ(dump(path), before);
}

TEST(HistorySqlite, ANewerSchemaIsRefusedAndAnUnknownKindOfDatabaseToo) {
  testing::TempDir dir;
  const std::string path = dir.str("history.sqlite");
  ASSERT_TRUE(open_history(path));
  execute(path, "UPDATE dli_schema SET version = 99");
  const auto newer = open_history(path);
  ASSERT_FALSE(newer);
  EXPECT_NE(newer.error().message.find("history schema version 99 is newer than this build's 3"), std::string::npos)
      << newer.error().message;
  const auto secret = open_history("postgresql://dli:hunter2@db.lab/dli");
  ASSERT_FALSE(secret);
  EXPECT_NE(secret.error().message.find("put it in ~/.pgpass"), std::string::npos);
  EXPECT_EQ(secret.error().message.find("hunter2"), std::string::npos);
  const auto unknown = open_history("mysql://db/dli");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown kind of database"), std::string::npos);
}

TEST(HistorySqlite, OpeningAgainKeepsTheDataAndTheSchemaVersion) {
  testing::TempDir dir;
  const std::string path = dir.str("history.sqlite");
  {
    auto history = open_history(path);
    ASSERT_TRUE(history);
    ASSERT_TRUE(history.value()->record(run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200)));
  }
  const std::string before = dump(path);
  ASSERT_TRUE(open_history(path));
  EXPECT_EQ(dump(path), before);
  EXPECT_EQ(before.substr(0, 3), "3|\n");
}

// Version 2 added the runs' capacity questions (3 the notifications): a version-1 database keeps its runs and gains
// the column.
TEST(HistorySqlite, AVersionOneDatabaseIsMigratedKeepingItsRunsAndRunsCarryTheirCapacityQuestions) {
  testing::TempDir dir;
  const std::string path = dir.str("history.sqlite");
  {
    auto history = open_history(path);
    ASSERT_TRUE(history);
    ASSERT_TRUE(history.value()->record(run_of("20261129-010000-nightly", "2026-11-29T01:00:00Z", 200)));
  }
  execute(path, "ALTER TABLE runs DROP COLUMN capacity");  // as version 1 made it
  execute(path, "DROP TABLE notifications");
  execute(path, "UPDATE dli_schema SET version = 1");
  auto history = open_history(path);
  ASSERT_TRUE(history) << history.error().message;
  EXPECT_EQ(dump(path).substr(0, 3), "3|\n");
  auto old = history.value()->run("20261129-010000-nightly");
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old.value().rows.size(), 2u);
  EXPECT_TRUE(old.value().capacity.empty());

  HistoryRun asked = run_of("20261130-010000-nightly", "2026-11-30T01:00:00Z", 200);
  asked.capacity = {{"mobilenet_v2", 8, 10, 0.2}};
  ASSERT_TRUE(history.value()->record(asked));
  auto read = history.value()->run("20261130-010000-nightly");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read.value().capacity, asked.capacity);
}

}  // namespace
}  // namespace dli
