#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/report/distribution_plot.hpp"
#include "dli/report/report.hpp"

namespace dli {
namespace {

TestSpec spec_of(const std::string& host, const std::string& id) {
  TestSpec spec;
  spec.id = id;
  spec.host = host;
  spec.model.name = "resnet50";
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = {3, 224, 224};
  spec.model.file_name = "resnet50.onnx";
  spec.framework = "opencv-dnn";
  spec.params = {{"command", "<img src=x onerror=alert(1)>"}};
  spec.batch = 2;
  spec.threads = 4;
  return spec;
}

ReportRow measured_row(const std::string& host, const std::string& id) {
  ReportRow row{spec_of(host, id), TestResult{}};
  TestResult& result = *row.result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  result.started_at = "2026-11-30T01:00:00Z";
  result.finished_at = "2026-11-30T01:00:02Z";
  result.elapsed_seconds = 2;
  result.framework_version = "OpenCV 4.10.0";
  result.details = {{"intra_op_threads", "4"}};
  Measurement m;
  m.iterations = 100;
  m.warmup_iterations = 5;
  m.wall_seconds = 1.5;
  m.request = Summary{100, 0.009, 0.02, 0.0101, 0.001, 0.01, 0.011, 0.012, 0.015, 0.019, 0.099};
  m.throughput = Throughput{0.01, 0.015, 200};
  m.load_seconds = 0.25;
  m.first_inference_seconds = 0.03;
  m.peak_rss_kb = 123456;
  m.verdict = Verdict{false, {"cv_above_threshold"}, {}};
  result.measurement = m;
  TestEnvironment environment;
  environment.cpu_model = "Xeon <E5>";
  environment.sockets = 1;
  environment.cores = 4;
  environment.logical_cpus = 8;
  environment.os = "Debian 13";
  environment.kernel = "6.12";
  environment.build_type = "Release";
  environment.governor = "powersave";
  environment.load_1m = 0.5;
  environment.mem_available_kb = 1000;
  environment.swap_used_kb = 0;
  environment.other_cpu_share = 0.01;
  environment.warnings = {"governor powersave"};
  result.environment = environment;
  return row;
}

std::string host_page(const ReportContext& context, const std::string& host, const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_host_html(out, context, host, rows, "../results.html");
  return out.str();
}

// The part of a page from a test's section to its end.
std::string section_of(const std::string& page, const std::string& id) {
  const auto begin = page.find("<section class=\"test\" id=\"" + id + "\">");
  if (begin == std::string::npos) return "";
  const auto end = page.find("</section>\n", begin);
  return page.substr(begin, end + 11 - begin);
}

TEST(ReportHostPage, HostPagesLieBesideTheRunPageOnePerHostInOrderOfAppearance) {
  EXPECT_EQ(host_page_path("node-1"), "hosts/node-1.html");
  const std::vector<ReportRow> rows = {measured_row("b", "1"), measured_row("a", "2"), measured_row("b", "3")};
  EXPECT_EQ(report_hosts(rows), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(report_hosts({}), std::vector<std::string>{});
}

TEST(ReportHostPage, RowsByHostGroupsEachHostsRowsInOrderInOnePass) {
  const std::vector<ReportRow> rows = {measured_row("b", "1"), measured_row("a", "2"), measured_row("b", "3")};
  const std::vector<HostRows> hosts = rows_by_host(rows);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0].host, "b");
  EXPECT_EQ(hosts[0].rows, (std::vector<const ReportRow*>{&rows[0], &rows[2]}));
  EXPECT_EQ(hosts[1].host, "a");
  EXPECT_EQ(hosts[1].rows, (std::vector<const ReportRow*>{&rows[1]}));
  EXPECT_TRUE(rows_by_host({}).empty());
  // The grouped page is the filtered one, byte for byte.
  std::ostringstream grouped;
  write_host_html(grouped, ReportContext{"run-1", "nightly", "c", "g"}, hosts[0], "../results.html");
  EXPECT_EQ(grouped.str(), host_page(ReportContext{"run-1", "nightly", "c", "g"}, "b", rows));
}

TEST(ReportHostPage, APageHoldsItsHostsTestsOnlyEachAnchoredByItsTestId) {
  const std::vector<ReportRow> rows = {measured_row("b", "00000000000000b1"), measured_row("a", "00000000000000a1"),
                                       measured_row("b", "00000000000000b2")};
  const std::string page = host_page(ReportContext{"run-1", "nightly", "c", "g"}, "b", rows);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<title>DLI tests on b: nightly (run-1)</title>"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"../results.html\">The run's table</a>"), std::string::npos);
  EXPECT_NE(section_of(page, "00000000000000b1"), "");
  EXPECT_NE(section_of(page, "00000000000000b2"), "");
  EXPECT_EQ(section_of(page, "00000000000000a1"), "");
  EXPECT_LT(page.find("id=\"00000000000000b1\""), page.find("id=\"00000000000000b2\""));
  EXPECT_EQ(page.find("<img"), std::string::npos) << "hostile text stays text";
  // Self-contained: the one "http" is the SVG namespace's name in the plots' script, which requests nothing.
  const std::string svg_namespace = "'http://www.w3.org/2000/svg'";  // a JavaScript string
  ASSERT_NE(page.find(svg_namespace), std::string::npos);
  EXPECT_EQ(page.find("http"), page.find(svg_namespace) + 1);
  EXPECT_EQ(page.find("http", page.find(svg_namespace) + 2), std::string::npos);
}

// A test's latency distribution: its numbers in its own section, drawn by the one script at the page's end.
TEST(ReportHostPage, EachDistributionIsItsSectionsFigureDrawnByThePagesScript) {
  std::vector<ReportRow> rows = {measured_row("b", "00000000000000b1"), measured_row("b", "00000000000000b2")};
  rows[0].result->measurement->histogram = make_histogram({0.010, 0.010, 0.012});
  const std::string page = host_page(ReportContext{"run-1", "nightly", "c", "g"}, "b", rows);
  const std::string with = section_of(page, "00000000000000b1"), without = section_of(page, "00000000000000b2");
  EXPECT_NE(with.find("<figure class=\"dist\" data-plot='{\"title\":\"Distribution of 3 request times\""),
            std::string::npos)
      << with;
  EXPECT_EQ(without.find("<figure"), std::string::npos);
  const std::string script = std::string("<script>") + distribution_script() + "</script>\n</body>";
  EXPECT_NE(page.find(script), std::string::npos);
  EXPECT_EQ(page.find("<script", page.find("<script") + 1), std::string::npos) << "one script";
}

// On a published site a section links to its series page, one folder further up than from the run page.
TEST(ReportHostPage, OnASiteEachTestLinksToItsSeries) {
  ReportContext context{"run-1", "nightly", "c", "g"};
  context.series_links = "../../series/";
  const std::string page = host_page(context, "b", {measured_row("b", "00000000000000b1")});
  EXPECT_NE(page.find("<a class=\"series\" href=\"../../../series/b/00000000000000b1.html\">"), std::string::npos);
}

TEST(ReportHostPage, ASectionStatesParametersStatisticsVerdictEnvironmentAndLogExactly) {
  const std::string page = host_page(ReportContext{"run-1", "nightly", "c", "g"}, "b", {measured_row("b", "00000000000000b1")});
  const std::string expected = R"(<section class="test" id="00000000000000b1">
<h2>resnet50/opencv-dnn/b2/sync/t4 <span class="status ok">ok</span></h2>
<table class="fields"><caption>Parameters</caption>
<tr><th>Test id</th><td>00000000000000b1</td></tr>
<tr><th>Model</th><td>resnet50 (onnx, FP32, resnet50.onnx)</td></tr>
<tr><th>Input shape</th><td>3x224x224</td></tr>
<tr><th>Framework</th><td>opencv-dnn</td></tr>
<tr><th>Parameters</th><td>command=&lt;img src=x onerror=alert(1)&gt;</td></tr>
<tr><th>Device</th><td>CPU / FP32</td></tr>
<tr><th>Mode</th><td>sync</td></tr>
<tr><th>Batch</th><td>2</td></tr>
<tr><th>Threads</th><td>4</td></tr>
</table>
<table class="fields"><caption>Statistics</caption>
<tr><th>Headline</th><td>200.00 FPS (higher is better)</td></tr>
<tr><th>FPS</th><td>200.00</td></tr>
<tr><th>Latency (p50)</th><td>10.000 ms</td></tr>
<tr><th>Average pass</th><td>15.000 ms</td></tr>
<tr><th>Requests</th><td>100 timed, 5 warm-up; 100 iterations</td></tr>
<tr><th>Request times</th><td>min 9.000 ms, median 10.000 ms, p90 11.000 ms, p95 12.000 ms, p99 15.000 ms, max 20.000 ms, mean 10.100 ms</td></tr>
<tr><th>CV</th><td>9.9 %</td></tr>
<tr><th>Wall time</th><td>1.500 s, stopped by min_reached</td></tr>
<tr><th>Load, first inference</th><td>0.250 s, 30.000 ms</td></tr>
<tr><th>Peak RSS</th><td>123456 KiB</td></tr>
<tr><th>Verdict</th><td>INVALID: cv_above_threshold</td></tr>
</table>
<table class="fields"><caption>Environment</caption>
<tr><th>Machine</th><td>Xeon &lt;E5&gt;, 1 sockets, 4 cores, 8 logical CPUs</td></tr>
<tr><th>System</th><td>Debian 13, 6.12, build Release</td></tr>
<tr><th>Governor, boost</th><td>powersave, unknown</td></tr>
<tr><th>Load (1 min)</th><td>0.50</td></tr>
<tr><th>Other processes&#39; CPU share</th><td>1.0 %</td></tr>
<tr><th>Swap</th><td>0 KiB used, 0 pages swapped during the test</td></tr>
<tr><th>Warning</th><td>governor powersave</td></tr>
</table>
<table class="fields"><caption>Run</caption>
<tr><th>Framework version</th><td>OpenCV 4.10.0</td></tr>
<tr><th>Started, finished</th><td>2026-11-30T01:00:00Z, 2026-11-30T01:00:02Z (2.000 s)</td></tr>
<tr><th>Runner: intra_op_threads</th><td>4</td></tr>
</table>
<p class="log">Log: <code>runs/run-1/hosts/b/logs/00000000000000b1.log</code></p>
</section>
)";
  EXPECT_EQ(section_of(page, "00000000000000b1"), expected);
}

TEST(ReportHostPage, ATestShowsTheLogItsResultCarriesAsTextRatherThanTheTail) {
  ReportRow row{spec_of("b", "00000000000000c1"), TestResult{}};
  row.result->spec = row.spec;
  row.result->status = TestStatus::kFailed;
  row.result->stderr_tail = "the tail only\n";
  row.result->log = "runner loaded <model>\nthe tail only\n[dli-agent] 2026-11-30T01:00:02Z 00000000000000c1: failed\n";
  const std::string section = section_of(host_page(ReportContext{"run-1", "n", "c", "g"}, "b", {row}), "00000000000000c1");
  EXPECT_NE(section.find("<pre class=\"log\">runner loaded &lt;model&gt;\nthe tail only\n[dli-agent] "
                         "2026-11-30T01:00:02Z 00000000000000c1: failed\n</pre>"),
            std::string::npos)
      << section;
  EXPECT_EQ(section.find("<pre class=\"log\">the tail only"), std::string::npos);
  // Carried whole, the log is not in the store apart (docs/protocol.md 4.6): no key to point at.
  EXPECT_EQ(section.find("Log: <code>"), std::string::npos) << section;
  EXPECT_NE(section.find("<p class=\"log\">Log</p>"), std::string::npos) << section;
  row.result->log = std::string(kResultLogHeadBytes, 'h') + "[dli-agent] 9 bytes of this log left out here\n" +
                    std::string(kResultLogTailBytes, 't');
  const std::string cut = section_of(host_page(ReportContext{"run-1", "n", "c", "g"}, "b", {row}), "00000000000000c1");
  EXPECT_NE(cut.find("<p class=\"log\">Log: <code>runs/run-1/hosts/b/logs/00000000000000c1.log</code></p>"),
            std::string::npos);
}

TEST(ReportHostPage, AFailedTestShowsItsReasonExitAndTheTailOfItsOutputAsText) {
  ReportRow row{spec_of("b", "00000000000000f1"), TestResult{}};
  row.result->spec = row.spec;
  row.result->status = TestStatus::kFailed;
  row.result->reason = "exit code 3";
  row.result->exit_code = 3;
  row.result->stderr_tail = "<img src=x onerror=alert(1)>\n";
  const std::string section = section_of(host_page(ReportContext{"run-1", "n", "c", "g"}, "b", {row}), "00000000000000f1");
  EXPECT_NE(section.find("<span class=\"status failed\">failed</span>"), std::string::npos) << section;
  EXPECT_NE(section.find("<p class=\"reason\">exit code 3</p>"), std::string::npos);
  EXPECT_NE(section.find("<tr><th>Exit</th><td>code 3</td></tr>"), std::string::npos);
  EXPECT_NE(section.find("<pre class=\"log\">&lt;img src=x onerror=alert(1)&gt;\n</pre>"), std::string::npos);
  EXPECT_EQ(section.find("Statistics"), std::string::npos);
  const std::string not_run = section_of(
      host_page(ReportContext{"run-1", "n", "c", "g"}, "b", {ReportRow{spec_of("b", "0000000000000000"), std::nullopt,
                                                                       "host lost: no heartbeat"}}),
      "0000000000000000");
  EXPECT_NE(not_run.find("<p>Not run: host lost: no heartbeat</p>"), std::string::npos) << not_run;
}

}  // namespace
}  // namespace dli
