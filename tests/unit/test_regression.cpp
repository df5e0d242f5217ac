// The regression rule (docs/history.md, "Regressions"), exactly, and its place in the reports.
#include "dli/report/regression.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/integrator/history_record.hpp"
#include "dli/report/report.hpp"

namespace dli {
namespace {

TEST(JudgeChange, TheDocumentsWorkedExample) {
  const std::vector<double> earlier = {410, 405, 412, 398, 407};
  const Change regressed = judge_change(earlier, 380, true);
  EXPECT_EQ(regressed.kind, ChangeKind::kRegressed);
  EXPECT_EQ(regressed.window, 5);
  EXPECT_DOUBLE_EQ(regressed.baseline, 407);
  EXPECT_DOUBLE_EQ(regressed.threshold, 0.06);  // 3 x the 2 % floor (the series' own noise is 1.1 %)
  EXPECT_NEAR(regressed.relative, -0.0663, 1e-4);
  EXPECT_EQ(judge_change(earlier, 390, true).kind, ChangeKind::kUnchanged);
  EXPECT_EQ(judge_change(earlier, 440, true).kind, ChangeKind::kImproved);
}

TEST(JudgeChange, ALatencyIsBetterShorter) {
  const Change faster = judge_change({0.010, 0.010}, 0.008, false);
  EXPECT_EQ(faster.kind, ChangeKind::kImproved);
  EXPECT_DOUBLE_EQ(faster.relative, 0.2);
  EXPECT_EQ(judge_change({0.010}, 0.012, false).kind, ChangeKind::kRegressed);
}

// One or two earlier nights say nothing about a series' noise: only a change beyond 10 % counts.
TEST(JudgeChange, AShortHistoryNeedsALargerChange) {
  const Change one = judge_change({100}, 93, true);
  EXPECT_DOUBLE_EQ(one.threshold, 0.10);
  EXPECT_EQ(one.kind, ChangeKind::kUnchanged);
  EXPECT_EQ(judge_change({100, 100}, 89, true).kind, ChangeKind::kRegressed);
  EXPECT_DOUBLE_EQ(judge_change({100, 100, 100}, 93, true).threshold, 0.06);
}

TEST(JudgeChange, ANoisySeriesNeedsALargerChange) {
  // Deviations 20, 20, 0, 30, 10 around 400: noise 1.4826 x 20 / 400 = 7.4 %, threshold 22.2 %.
  const std::vector<double> noisy = {380, 420, 400, 430, 390};
  const Change change = judge_change(noisy, 330, true);
  EXPECT_NEAR(change.threshold, 0.2224, 1e-4);
  EXPECT_EQ(change.kind, ChangeKind::kUnchanged) << "-17.5 % is within this series' noise";
  EXPECT_EQ(judge_change(noisy, 300, true).kind, ChangeKind::kRegressed);
}

TEST(JudgeChange, TheRepeatsSpreadCountsAsNoise) {
  EXPECT_EQ(judge_change({100, 100, 100}, 92, true).kind, ChangeKind::kRegressed);
  const Change spread = judge_change({100, 100, 100}, 92, true, 0.04);
  EXPECT_DOUBLE_EQ(spread.threshold, 0.12);
  EXPECT_EQ(spread.kind, ChangeKind::kUnchanged);
}

TEST(JudgeChange, OnlyTheLastTenRunsAndNoneMeansNew) {
  std::vector<double> earlier(20, 100.0);
  for (std::size_t i = 0; i < 10; ++i) earlier[i] = 1000;  // long ago
  const Change change = judge_change(earlier, 100, true);
  EXPECT_EQ(change.window, 10);
  EXPECT_DOUBLE_EQ(change.baseline, 100);
  EXPECT_EQ(change.kind, ChangeKind::kUnchanged);
  EXPECT_EQ(judge_change({}, 100, true).kind, ChangeKind::kNew);
  EXPECT_STREQ(to_string(ChangeKind::kRegressed), "regressed");
}

ReportRow valid_row(const std::string& id, double fps, bool valid = true) {
  ReportRow row;
  row.spec.id = id;
  row.spec.host = "node-a";
  row.spec.model.name = "resnet50";
  row.spec.framework = "opencv-dnn";
  TestResult result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  Measurement m;
  m.throughput.fps = fps;
  m.verdict.valid = valid;
  result.measurement = m;
  row.result = result;
  return row;
}

TEST(JudgeChanges, OnlyVALIDFiguresAreComparedEachWithItsOwnSeries) {
  std::vector<ReportRow> rows = {valid_row("a", 50), valid_row("b", 50, false), valid_row("c", 50)};
  judge_changes(rows, {{{"node-a", "a"}, {100, 100}}, {{"node-a", "b"}, {100}}});
  ASSERT_TRUE(rows[0].change);
  EXPECT_EQ(rows[0].change->kind, ChangeKind::kRegressed);
  EXPECT_FALSE(rows[1].change) << "an INVALID figure is not compared";
  ASSERT_TRUE(rows[2].change);
  EXPECT_EQ(rows[2].change->kind, ChangeKind::kNew);
}

TEST(ReportChanges, ThePageMarksAndListsWhatMovedAndTheFeedHasAnEntryEach) {
  std::vector<ReportRow> rows = {valid_row("a", 50), valid_row("c", 150)};
  rows[1].spec.batch = 2;  // its own cell of the table
  judge_changes(rows, {{{"node-a", "a"}, {100}}, {{"node-a", "c"}, {100}}});
  const ReportContext context{"20261130-010000-nightly", "nightly", "2026-11-30T01:00:00Z", "2026-11-30T01:10:00Z"};
  std::ostringstream page;
  write_html(page, context, rows);
  const std::string html = page.str();
  // The cells' marks: flags 4 (regressed) and 8 (improved) with the signed change, drawn by the page's script.
  EXPECT_NE(html.find("\"ok\",50.0,0.0,4,0,-50.0]"), std::string::npos) << html;
  EXPECT_NE(html.find("\"ok\",150.0,0.0,8,0,50.0]"), std::string::npos);
  const auto section = html.find("<h2>Changes since earlier runs</h2>");
  ASSERT_NE(section, std::string::npos);
  EXPECT_LT(html.find(">regressed</td>", section), html.find(">improved</td>", section)) << "regressions first";
  std::ostringstream feed;
  write_atom(feed, context, rows);
  const std::string atom = feed.str();
  EXPECT_NE(atom.find("<feed xmlns=\"http://www.w3.org/2005/Atom\">"), std::string::npos);
  EXPECT_NE(atom.find("<title>regressed -50.0 %: resnet50/opencv-dnn/b1/sync/t1 on node-a</title>"), std::string::npos)
      << atom;
  EXPECT_NE(atom.find("<id>urn:dli:20261130-010000-nightly:node-a:a</id>"), std::string::npos);
  EXPECT_NE(atom.find("improved +50.0 %"), std::string::npos);
  std::ostringstream quiet;
  write_atom(quiet, context, {valid_row("a", 50)});
  EXPECT_EQ(quiet.str().find("<entry>"), std::string::npos);
}

}  // namespace
}  // namespace dli
