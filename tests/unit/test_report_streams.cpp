// Requests in flight in the report: each stream's threads and median, their imbalance and the verdict's notes, in
// the CSV's columns and the page's tooltip.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/protocol/protocol.hpp"
#include "dli/report/report.hpp"
#include "support/csv_table.hpp"

namespace dli {
namespace {

ReportRow async_row(std::vector<int> threads, std::vector<StreamStats> streams, std::vector<std::string> notes) {
  ReportRow row;
  row.spec.id = "0123456789abcdef";
  row.spec.host = "h";
  row.spec.model.name = "m";
  row.spec.mode = Mode::kAsync;
  row.spec.threads = 4;
  row.spec.requests = 2;
  TestResult result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  Measurement m;
  m.throughput.fps = 100;
  m.stream_threads = std::move(threads);
  m.streams = std::move(streams);
  m.verdict.notes = std::move(notes);
  result.measurement = m;
  row.result = result;
  return row;
}

std::string csv_of(const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_csv(out, rows);
  return out.str();
}

TEST(ReportStreams, CsvHasEachStreamsThreadsMedianAndTheNotes) {
  const testing::CsvTable csv(csv_of({
      async_row({2, 2}, {{50, 0.004, 0.005, 0.0041}, {50, 0.005, 0.006, 0.0052}}, {}),
      async_row({8, 0}, {{50, 0.002, 0.002, 0.002}, {50, 0.0067, 0.02, 0.008}}, {"streams_imbalanced"}),
      async_row({4}, {{100, 0.003, 0.004, 0.003}}, {}),
  }));
  EXPECT_EQ(csv.at(0, "stream_threads"), "2;2");
  EXPECT_EQ(csv.at(0, "stream_medians_ms"), "4.000;5.000");
  EXPECT_EQ(csv.at(0, "stream_imbalance_pct"), "25.0");
  EXPECT_EQ(csv.at(0, "verdict_notes"), "");
  EXPECT_EQ(csv.at(1, "stream_threads"), "8;?") << "a framework that cannot tell";
  EXPECT_EQ(csv.at(1, "stream_imbalance_pct"), "235.0");
  EXPECT_EQ(csv.at(1, "verdict_notes"), "streams_imbalanced");
  EXPECT_EQ(csv.at(2, "stream_threads"), "4");
  EXPECT_EQ(csv.at(2, "stream_medians_ms"), "") << "one stream: its median is the test's";
  EXPECT_EQ(csv.at(2, "stream_imbalance_pct"), "");
}

TEST(ReportStreams, TheTestsPageShowsTheStreamsAndTheNote) {
  std::ostringstream page;
  write_host_html(page, ReportContext{}, "h",
                  {async_row({8, 8}, {{50, 0.002, 0.002, 0.002}, {50, 0.0067, 0.02, 0.008}}, {"streams_imbalanced"})},
                  "../results.html");
  const std::string html = page.str();
  EXPECT_NE(html.find("<tr><th>Streams</th><td>streams: threads 8, 8; medians 2.000, 6.700 ms (imbalance 235.0 %)\n"
                      "note: streams_imbalanced</td></tr>"),
            std::string::npos)
      << html;
}

TEST(ReportStreams, ResultJsonRoundTripsTheStreamsAndOlderResultsReadWithout) {
  TestResult result = async_row({2, 2}, {{50, 0.004, 0.005, 0.0041}, {50, 0.005, 0.006, 0.0052}},
                                {"streams_imbalanced"}).result.value();
  const TestResult back = test_result_from_json(to_json(result));
  ASSERT_TRUE(back.measurement);
  EXPECT_EQ(back.measurement->stream_threads, (std::vector<int>{2, 2}));
  ASSERT_EQ(back.measurement->streams.size(), 2u);
  EXPECT_EQ(back.measurement->streams[1].count, 50);
  EXPECT_DOUBLE_EQ(back.measurement->streams[1].p90_s, 0.006);
  EXPECT_EQ(back.measurement->verdict.notes, std::vector<std::string>{"streams_imbalanced"});
  nlohmann::json older = to_json(result);
  older["measurement"].erase("stream_threads");
  older["measurement"].erase("streams");
  older["measurement"]["verdict"].erase("notes");
  const TestResult old = test_result_from_json(older);
  EXPECT_TRUE(old.measurement->stream_threads.empty());
  EXPECT_TRUE(old.measurement->streams.empty());
  EXPECT_TRUE(old.measurement->verdict.notes.empty());
}

}  // namespace
}  // namespace dli
