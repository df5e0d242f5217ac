#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/report/report.hpp"
#include "support/csv_table.hpp"

namespace dli {
namespace {

using testing::CsvTable;

TestSpec make_spec(const std::string& host, Mode mode) {
  TestSpec spec;
  spec.id = "0123456789abcdef";
  spec.host = host;
  spec.model.name = "resnet50";
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = {3, 224, 224};
  spec.framework = "opencv-dnn";
  spec.params = {{"target", "cpu"}, {"backend", "opencv"}};
  spec.batch = 2;
  spec.mode = mode;
  spec.threads = 4;
  spec.requests = mode == Mode::kSync ? 1 : 3;
  return spec;
}

ReportRow ok_row() {
  ReportRow row{make_spec("node-a", Mode::kSync), TestResult{}};
  TestResult& result = *row.result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  result.started_at = "2026-11-21T19:30:00Z";
  result.finished_at = "2026-11-21T19:30:05Z";
  result.framework_version = "4.6.0";
  Measurement m;
  m.framework_version = "4.6.0";
  m.load_seconds = 0.12345;
  m.first_inference_seconds = 0.0421;
  m.warmup_iterations = 5;
  m.iterations = 100;
  m.wall_seconds = 2.5;
  m.request.count = 100;
  m.request.min = 0.0101;
  m.request.max = 0.0502;
  m.request.mean = 0.0123456;
  m.request.stddev = 0.0009;
  m.request.median = 0.0115;
  m.request.p90 = 0.013;
  m.request.p95 = 0.014;
  m.request.p99 = 0.0199994;
  m.throughput.latency_s = 0.0115;
  m.throughput.avg_pass_s = 0.02075;
  m.throughput.fps = 2 / 0.0115;
  m.peak_rss_kb = 123456;
  result.measurement = m;
  return row;
}

std::string csv_of(const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_csv(out, rows);
  return out.str();
}

TEST(ReportCsv, EscapesFieldsPerRfc4180) {
  EXPECT_EQ(csv_escape("plain text"), "plain text");
  EXPECT_EQ(csv_escape(""), "");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_escape("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_escape("carriage\rreturn"), "\"carriage\rreturn\"");
  EXPECT_EQ(csv_escape("\""), "\"\"\"\"");
}

TEST(ReportCsv, ColumnOrderIsStable) {
  const std::vector<std::string> expected = {
      "status",      "task",        "model",        "format",     "framework",         "framework_version",
      "input_shape", "precision",   "batch",        "mode",       "threads",           "requests",
      "parameters",  "host",        "avg_pass_ms",  "latency_ms", "fps",               "p90_ms",
      "p95_ms",      "p99_ms",      "min_ms",       "max_ms",     "mean_ms",           "stddev_ms",
      "iterations",  "warmup_iterations", "wall_s", "load_s",     "first_inference_ms", "peak_rss_kb",
      "started_at",  "finished_at", "error",      "device",     "dataset",           "top1",
      "top5",        "accuracy_samples", "details",
      // results-csv version 2
      "p999_ms", "cv", "verdict", "verdict_reasons", "stop_reason", "latency_percentile", "samples_per_query",
      "target_qps", "achieved_qps", "latency_bound_ms", "histogram", "warnings", "other_cpu_pct", "load_1m",
      "governor", "build_type", "macs", "gflops", "peak_gflops", "peak_percent", "stream_threads",
      "stream_medians_ms", "stream_imbalance_pct", "verdict_notes", "repeats", "repeats_measured", "median_repeat",
      "repeat_cv", "repeat_figures", "change", "change_pct", "baseline", "baseline_runs"};
  EXPECT_EQ(csv_columns(), expected);
}

TEST(ReportCsv, HeaderComesFirstAndEveryLineEndsWithNewline) {
  const std::string text = csv_of({ok_row(), ReportRow{make_spec("node-b", Mode::kAsync), std::nullopt}});
  std::string header;
  for (const auto& name : csv_columns()) header += (header.empty() ? "" : ",") + name;
  EXPECT_EQ(text.substr(0, header.size() + 1), header + "\n");
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(CsvTable(text).size(), 2u);
}

TEST(ReportCsv, MeasuredRowHasSpecAndFixedPrecisionNumbers) {
  const CsvTable csv(csv_of({ok_row()}));
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "status"), "ok");
  EXPECT_EQ(csv.at(0, "task"), "0123456789abcdef");
  EXPECT_EQ(csv.at(0, "model"), "resnet50");
  EXPECT_EQ(csv.at(0, "format"), "onnx");
  EXPECT_EQ(csv.at(0, "framework"), "opencv-dnn");
  EXPECT_EQ(csv.at(0, "framework_version"), "4.6.0");
  EXPECT_EQ(csv.at(0, "input_shape"), "3x224x224");
  EXPECT_EQ(csv.at(0, "precision"), "fp32");
  EXPECT_EQ(csv.at(0, "batch"), "2");
  EXPECT_EQ(csv.at(0, "mode"), "sync");
  EXPECT_EQ(csv.at(0, "threads"), "4");
  EXPECT_EQ(csv.at(0, "requests"), "1");
  EXPECT_EQ(csv.at(0, "parameters"), "backend=opencv;target=cpu");  // sorted by key
  EXPECT_EQ(csv.at(0, "host"), "node-a");
  EXPECT_EQ(csv.at(0, "avg_pass_ms"), "20.750");
  EXPECT_EQ(csv.at(0, "latency_ms"), "11.500");
  EXPECT_EQ(csv.at(0, "fps"), "173.91");
  EXPECT_EQ(csv.at(0, "p90_ms"), "13.000");
  EXPECT_EQ(csv.at(0, "p95_ms"), "14.000");
  EXPECT_EQ(csv.at(0, "p99_ms"), "19.999");
  EXPECT_EQ(csv.at(0, "min_ms"), "10.100");
  EXPECT_EQ(csv.at(0, "max_ms"), "50.200");
  EXPECT_EQ(csv.at(0, "mean_ms"), "12.346");
  EXPECT_EQ(csv.at(0, "stddev_ms"), "0.900");
  EXPECT_EQ(csv.at(0, "iterations"), "100");
  EXPECT_EQ(csv.at(0, "warmup_iterations"), "5");
  EXPECT_EQ(csv.at(0, "wall_s"), "2.500");
  EXPECT_EQ(csv.at(0, "load_s"), "0.123");
  EXPECT_EQ(csv.at(0, "first_inference_ms"), "42.100");
  EXPECT_EQ(csv.at(0, "peak_rss_kb"), "123456");
  EXPECT_EQ(csv.at(0, "started_at"), "2026-11-21T19:30:00Z");
  EXPECT_EQ(csv.at(0, "finished_at"), "2026-11-21T19:30:05Z");
  EXPECT_EQ(csv.at(0, "error"), "");
}

TEST(ReportCsv, FailedRowHasStatusAndQuotedReasonButNoNumbers) {
  ReportRow row{make_spec("node-a", Mode::kAsync), TestResult{}};
  row.result->status = TestStatus::kCrashed;
  row.result->reason = "killed by SIGSEGV, \"core dumped\"\nsee log";
  row.result->started_at = "2026-11-21T19:31:00Z";
  const std::string text = csv_of({row});
  EXPECT_NE(text.find("\"killed by SIGSEGV, \"\"core dumped\"\"\nsee log\""), std::string::npos) << text;
  const CsvTable csv(text);
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "status"), "crashed");
  EXPECT_EQ(csv.at(0, "error"), "killed by SIGSEGV, \"core dumped\"\nsee log");
  EXPECT_EQ(csv.at(0, "mode"), "async");
  EXPECT_EQ(csv.at(0, "requests"), "3");
  EXPECT_EQ(csv.at(0, "started_at"), "2026-11-21T19:31:00Z");
  for (const char* column : {"fps", "latency_ms", "avg_pass_ms", "iterations", "peak_rss_kb", "framework_version"}) {
    EXPECT_EQ(csv.at(0, column), "") << column;
  }
}

TEST(ReportCsv, UnsupportedRowIsKeptWithItsReasonInErrorAndNoFigures) {
  ReportRow row{make_spec("node-a", Mode::kSync), TestResult{}};
  row.spec.framework = "libtorch";
  row.spec.device = "cuda:1";
  row.result->spec = row.spec;
  row.result->status = TestStatus::kUnsupported;
  row.result->reason = "libtorch offers cpu, cuda:0 here, not cuda:1";
  const CsvTable csv(csv_of({row}));
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "status"), "unsupported");
  EXPECT_EQ(csv.at(0, "error"), "libtorch offers cpu, cuda:0 here, not cuda:1");
  EXPECT_EQ(csv.at(0, "device"), "cuda:1");
  EXPECT_EQ(csv.at(0, "framework"), "libtorch");
  EXPECT_EQ(csv.at(0, "host"), "node-a");
  for (const char* column : {"fps", "latency_ms", "iterations", "framework_version", "top1", "top5",
                             "accuracy_samples", "dataset", "details"}) {
    EXPECT_EQ(csv.at(0, column), "") << column;
  }
}

TEST(ReportCsv, AccuracyRowHasTopOneTopFiveInPercentAndItsSampleCount) {
  TestSpec spec = make_spec("node-a", Mode::kAccuracy);
  spec.requests = 1;
  spec.batch = 1;
  spec.device = "cuda";
  spec.dataset = {"val, \"small\".csv", "ab12"};
  ReportRow row{spec, TestResult{}};
  row.result->spec = spec;
  row.result->status = TestStatus::kOk;
  row.result->accuracy = Accuracy{1000, 0.7123456, 0.9};
  row.result->details = {{"intra_op_threads", "4"}, {"device_name", "NVIDIA H200"}};
  const std::string text = csv_of({row});
  EXPECT_NE(text.find(",\"val, \"\"small\"\".csv\","), std::string::npos) << text;
  const CsvTable csv(text);
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "status"), "ok");
  EXPECT_EQ(csv.at(0, "mode"), "accuracy");
  EXPECT_EQ(csv.at(0, "device"), "cuda");
  EXPECT_EQ(csv.at(0, "dataset"), "val, \"small\".csv");
  EXPECT_EQ(csv.at(0, "top1"), "71.235");
  EXPECT_EQ(csv.at(0, "top5"), "90.000");
  EXPECT_EQ(csv.at(0, "accuracy_samples"), "1000");
  EXPECT_EQ(csv.at(0, "details"), "device_name=NVIDIA H200;intra_op_threads=4");
  EXPECT_EQ(csv.at(0, "error"), "");
  // No speed figures for an accuracy test: an empty field, never a zero.
  for (const char* column : {"fps", "latency_ms", "avg_pass_ms", "iterations", "wall_s", "peak_rss_kb"}) {
    EXPECT_EQ(csv.at(0, column), "") << column;
  }
}

TEST(ReportCsv, SpeedRowsHaveADeviceButNoAccuracyColumns) {
  ReportRow row = ok_row();
  row.result->details = {{"intra_op_threads", "4"}};
  const CsvTable csv(csv_of({row, ReportRow{make_spec("node-b", Mode::kAsync), std::nullopt}}));
  ASSERT_EQ(csv.size(), 2u);
  EXPECT_EQ(csv.at(0, "device"), "cpu");
  EXPECT_EQ(csv.at(0, "details"), "intra_op_threads=4");
  EXPECT_EQ(csv.at(1, "device"), "cpu");
  for (std::size_t r = 0; r < 2; ++r) {
    for (const char* column : {"dataset", "top1", "top5", "accuracy_samples"}) {
      EXPECT_EQ(csv.at(r, column), "") << column;
    }
  }
}

TEST(ReportCsv, HostileTextStaysOneQuotedField) {
  ReportRow row{make_spec("node-a", Mode::kSync), TestResult{}};
  row.spec.model.name = "<b>x</b> & \"y\", z";
  row.result->status = TestStatus::kUnsupported;
  row.result->reason = "no \"dli-run-x\" runner,\non this host";
  const std::string text = csv_of({row});
  EXPECT_NE(text.find(",\"<b>x</b> & \"\"y\"\", z\","), std::string::npos) << text;
  const CsvTable csv(text);
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "model"), "<b>x</b> & \"y\", z");
  EXPECT_EQ(csv.at(0, "error"), "no \"dli-run-x\" runner,\non this host");
  EXPECT_EQ(csv.at(0, "device"), "cpu");
}

TEST(ReportCsv, RowWithoutResultIsNotRunWithEmptyMeasurements) {
  const CsvTable csv(csv_of({ReportRow{make_spec("node-c", Mode::kSync), std::nullopt}}));
  ASSERT_EQ(csv.size(), 1u);
  EXPECT_EQ(csv.at(0, "status"), "not_run");
  EXPECT_EQ(csv.at(0, "host"), "node-c");
  EXPECT_EQ(csv.at(0, "model"), "resnet50");
  for (const char* column : {"fps", "latency_ms", "p99_ms", "wall_s", "load_s", "started_at", "error"}) {
    EXPECT_EQ(csv.at(0, column), "") << column;
  }
}

TEST(ReportCsv, RowsKeepInputOrder) {
  std::vector<ReportRow> rows;
  for (const char* host : {"zeta", "alpha", "mid"}) {
    rows.push_back(ReportRow{make_spec(host, Mode::kSync), std::nullopt});
  }
  rows[1] = ok_row();
  rows[1].spec.host = "alpha";
  const CsvTable csv(csv_of(rows));
  ASSERT_EQ(csv.size(), 3u);
  EXPECT_EQ(csv.at(0, "host"), "zeta");
  EXPECT_EQ(csv.at(1, "host"), "alpha");
  EXPECT_EQ(csv.at(1, "status"), "ok");
  EXPECT_EQ(csv.at(2, "host"), "mid");
}

TEST(ReportCsv, EmptyInputWritesOnlyTheHeader) {
  const std::string text = csv_of({});
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.rfind("status,task,", 0), 0u);
}

TEST(ReportCsv, ARepeatedTestShowsItsMedianRepeatAndHowTheRepeatsAgree) {
  ReportRow row = ok_row();
  row.spec.measure.repeats = 3;
  row.repeats = RepeatSummary{3, {1, 3}, {172.5, 180.25}, 3, 0.0312};
  ReportRow single = ok_row();
  const CsvTable table(csv_of({row, single}));
  EXPECT_EQ(table.at(0, "repeats"), "3");
  EXPECT_EQ(table.at(0, "repeats_measured"), "2");
  EXPECT_EQ(table.at(0, "median_repeat"), "3");
  EXPECT_EQ(table.at(0, "repeat_cv"), "0.0312");
  EXPECT_EQ(table.at(0, "repeat_figures"), "172.50;180.25");  // FPS: what the table shows for sync
  EXPECT_EQ(table.at(1, "repeats"), "1");
  EXPECT_EQ(table.at(1, "repeats_measured"), "");
  EXPECT_EQ(table.at(1, "repeat_cv"), "");
  EXPECT_EQ(table.at(1, "repeat_figures"), "");
}

TEST(ReportCsv, RepeatFiguresOfALatencyScenarioAreMilliseconds) {
  ReportRow row = ok_row();
  row.spec.mode = Mode::kSingleStream;
  row.spec.measure.repeats = 2;
  row.repeats = RepeatSummary{2, {1, 2}, {0.0123, 0.0125}, 2, 0.0114};
  EXPECT_EQ(CsvTable(csv_of({row})).at(0, "repeat_figures"), "12.300;12.500");
}

TEST(ReportCsv, AChangeAgainstEarlierRunsIsSignedSoThatPositiveIsBetter) {
  ReportRow regressed = ok_row();
  regressed.change = Change{ChangeKind::kRegressed, 4, 200.0, -0.1304, 0.06};
  ReportRow fresh = ok_row();
  fresh.change = Change{};
  ReportRow latency = ok_row();
  latency.spec.mode = Mode::kSingleStream;
  latency.change = Change{ChangeKind::kImproved, 3, 0.0125, 0.2, 0.05};
  const CsvTable table(csv_of({regressed, fresh, latency, ok_row()}));
  EXPECT_EQ(table.at(0, "change"), "regressed");
  EXPECT_EQ(table.at(0, "change_pct"), "-13.0");
  EXPECT_EQ(table.at(0, "baseline"), "200.00");
  EXPECT_EQ(table.at(0, "baseline_runs"), "4");
  EXPECT_EQ(table.at(1, "change"), "new");
  EXPECT_EQ(table.at(1, "change_pct"), "");
  EXPECT_EQ(table.at(1, "baseline"), "");
  EXPECT_EQ(table.at(2, "baseline"), "12.500");  // a latency scenario: milliseconds
  EXPECT_EQ(table.at(3, "change"), "") << "no history, no comparison";
}

TEST(ReportCsv, EveryColumnIsDocumented) {
  std::ifstream in(std::string(DLI_SOURCE_DIR) + "/docs/results-csv.md");
  ASSERT_TRUE(in) << "docs/results-csv.md is missing";
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& column : csv_columns()) {
    EXPECT_NE(doc.find("| `" + column + "` |"), std::string::npos) << column << " is not in docs/results-csv.md";
  }
}

}  // namespace
}  // namespace dli
