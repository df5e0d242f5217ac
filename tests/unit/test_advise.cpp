// The capacity question answered from measured results, exactly.
#include "dli/report/advise.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace dli {
namespace {

ReportRow measured(const std::string& host, Mode mode, int batch, double fps, double p99_s, bool valid = true) {
  ReportRow row;
  row.spec.id = host + std::to_string(batch) + to_string(mode);
  row.spec.host = host;
  row.spec.model.name = "mobilenet_v2";
  row.spec.framework = "opencv-dnn";
  row.spec.mode = mode;
  row.spec.batch = batch;
  row.spec.threads = 2;
  row.spec.requests = mode == Mode::kSync ? 1 : 2;
  TestResult result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  Measurement m;
  m.throughput.fps = fps;
  m.throughput.latency_s = p99_s;
  m.request.p99 = p99_s;
  m.verdict.valid = valid;
  result.measurement = m;
  row.result = result;
  return row;
}

// The seed's example: 8 cameras at 10 frames/s, each frame answered within 150 ms.
const CapacityQuestion kEightCameras{"mobilenet_v2", 8, 10, 0.150};

TEST(Advise, FittingConfigurationsComeFirstMostHeadroomFirstWithTheirBatchWait) {
  const std::vector<ReportRow> rows = {
      measured("small", Mode::kSync, 1, 60, 0.020),    // 60 < 80 frames/s: too slow
      measured("big", Mode::kSync, 1, 200, 0.006),     // fits, headroom 150 %
      measured("big", Mode::kAsync, 8, 400, 0.070),    // 400 frames/s, p99 70 ms + 7 frames / 80 per s = 157.5 ms
      measured("mid", Mode::kAsync, 2, 120, 0.030),    // fits, headroom 50 %, p99 30 + 12.5 ms
      measured("mid", Mode::kSync, 1, 900, 0.001, false),  // INVALID: not evidence
  };
  const auto answers = advise(rows, kEightCameras);
  ASSERT_EQ(answers.size(), 4u);
  EXPECT_EQ(answers[0].row, &rows[1]);
  EXPECT_TRUE(answers[0].fits);
  EXPECT_DOUBLE_EQ(answers[0].demand, 80);
  EXPECT_DOUBLE_EQ(answers[0].headroom, 1.5);
  EXPECT_EQ(answers[1].row, &rows[3]);
  EXPECT_DOUBLE_EQ(answers[1].p99_s, 0.030 + 1.0 / 80);
  EXPECT_FALSE(answers[2].fits);
  EXPECT_EQ(answers[2].row, &rows[2]) << "the closest misses come next, most headroom first";
  EXPECT_DOUBLE_EQ(answers[2].p99_s, 0.070 + 7.0 / 80);
  EXPECT_EQ(answers[2].why_not, "p99 157.5 ms > 150.0 ms");
  EXPECT_EQ(answers[3].why_not, "capacity 60.0 < 80.0 frames/s");
}

TEST(Advise, AServerTestCountsItsRateInFramesAndItsOwnP99UnderLoad) {
  ReportRow server = measured("big", Mode::kServer, 2, 0, 0.040);
  server.result->measurement->target_qps = 45;  // 45 queries of 2 frames: 90 frames/s
  const auto answers = advise({server}, kEightCameras);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_DOUBLE_EQ(answers[0].capacity, 90);
  EXPECT_TRUE(answers[0].under_load);
  EXPECT_DOUBLE_EQ(answers[0].p99_s, 0.040 + 1.0 / 80);
  EXPECT_TRUE(answers[0].fits);
}

TEST(Advise, SaysWhenTheRunCannotAnswer) {
  const std::vector<ReportRow> rows = {measured("big", Mode::kSync, 1, 200, 0.006)};
  const CapacityQuestion other{"resnet50", 8, 10, 0.150};
  const auto answers = advise(rows, other);
  EXPECT_TRUE(answers.empty());
  std::ostringstream text;
  write_advice(text, other, answers, rows);
  EXPECT_EQ(text.str(),
            "8 streams at 10 frames/s each of resnet50 (80 frames/s), p99 latency at most 150 ms\n"
            "The run has no VALID speed measurement of resnet50. Measured: mobilenet_v2.\n");
}

TEST(Advise, TheAnswerNamesHostsTestsHeadroomAndWhyNot) {
  const std::vector<ReportRow> rows = {measured("big", Mode::kSync, 1, 200, 0.006),
                                       measured("small", Mode::kSync, 1, 60, 0.020)};
  std::ostringstream text;
  write_advice(text, kEightCameras, advise(rows, kEightCameras), rows);
  const std::string answer = text.str();
  EXPECT_NE(answer.find("1 configuration can do it, most headroom first:"), std::string::npos) << answer;
  EXPECT_NE(answer.find("yes big            mobilenet_v2/opencv-dnn/b1/sync/t2"), std::string::npos) << answer;
  EXPECT_NE(answer.find("200.0      150%"), std::string::npos) << answer;
  EXPECT_NE(answer.find("capacity 60.0 < 80.0 frames/s"), std::string::npos) << answer;
}

}  // namespace
}  // namespace dli

namespace dli {
namespace {

std::string section(const std::vector<CapacityQuestion>& questions, const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_capacity_section(out, questions, rows);
  return out.str();
}

const char* kSectionHead =
    "<h2 id=\"capacity\">Capacity</h2>\n<p class=\"legend\">The sweep's questions, answered from this run's VALID "
    "measurements only. Latency: the test's p99 request time plus the wait for a batch to fill at the asked rate; "
    "queueing at high load is included only where a server test measured it.</p>\n";
const char* kTableHead =
    "<table class=\"capacity\">\n<thead><tr><th>Fits</th><th>Host</th><th>Framework</th><th>Parameters</th>"
    "<th>Mode</th><th>Batch</th><th>Threads</th><th>Capacity, frames/s (higher is better)</th><th>Headroom</th>"
    "<th>p99, ms (lower is better)</th><th>Note</th></tr></thead>\n<tbody>\n";

TEST(CapacitySection, EachQuestionIsAnsweredFittingFirstOrWithTheClosestOrWhyNot) {
  const std::vector<ReportRow> rows = {measured("small", Mode::kSync, 1, 60, 0.020),
                                       measured("big", Mode::kSync, 1, 200, 0.006)};
  const std::vector<CapacityQuestion> questions = {
      kEightCameras, {"mobilenet_v2", 100, 10, std::nullopt}, {"<resnet>", 1, 1, std::nullopt}};
  EXPECT_EQ(section(questions, rows),
            std::string(kSectionHead) +
                "<h3>8 streams at 10 frames/s each of mobilenet_v2 (80 frames/s), p99 latency at most 150 ms</h3>\n"
                "<p>1 configuration can do it, most headroom first:</p>\n" + kTableHead +
                "<tr><td>yes</td><td>big</td><td>opencv-dnn</td><td></td><td>sync</td><td>1</td><td>2</td>"
                "<td>200.0</td><td>150%</td><td>6.00</td><td></td></tr>\n</tbody>\n</table>\n"
                "<h3>100 streams at 10 frames/s each of mobilenet_v2 (1000 frames/s)</h3>\n"
                "<p>No measured configuration can do it; the closest:</p>\n" + kTableHead +
                "<tr><td>no</td><td>big</td><td>opencv-dnn</td><td></td><td>sync</td><td>1</td><td>2</td>"
                "<td>200.0</td><td>-80%</td><td>6.00</td><td>capacity 200.0 &lt; 1000.0 frames/s</td></tr>\n"
                "<tr><td>no</td><td>small</td><td>opencv-dnn</td><td></td><td>sync</td><td>1</td><td>2</td>"
                "<td>60.0</td><td>-94%</td><td>20.00</td><td>capacity 60.0 &lt; 1000.0 frames/s</td></tr>\n"
                "</tbody>\n</table>\n"
                "<h3>1 stream at 1 frames/s each of &lt;resnet&gt; (1 frames/s)</h3>\n"
                "<p>The measurements do not cover this question: the run has no VALID speed measurement of "
                "&lt;resnet&gt; (measured: mobilenet_v2).</p>\n");
  EXPECT_EQ(section({}, rows), "") << "no question, no section";
}

}  // namespace
}  // namespace dli
