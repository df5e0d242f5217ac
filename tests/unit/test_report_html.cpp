#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/report/report.hpp"

namespace dli {
namespace {

TestSpec make_spec(const std::string& host, const std::string& model, Mode mode, int requests = 1) {
  TestSpec spec;
  spec.id = host + "-" + model + "-" + (mode == Mode::kSync ? "s" : "a") + std::to_string(requests);
  spec.host = host;
  spec.model.name = model;
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = {3, 224, 224};
  spec.framework = "opencv-dnn";
  spec.batch = 1;
  spec.mode = mode;
  spec.threads = 2;
  spec.requests = mode == Mode::kSync ? 1 : requests;
  return spec;
}

ReportRow ok(TestSpec spec, double fps) {
  TestResult result;
  result.spec = spec;
  result.status = TestStatus::kOk;
  Measurement m;
  m.iterations = 100;
  m.throughput.fps = fps;
  m.throughput.latency_s = 1.0 / fps;
  m.throughput.avg_pass_s = 1.0 / fps;
  result.measurement = m;
  return ReportRow{std::move(spec), std::move(result)};
}

ReportRow failed(TestSpec spec, TestStatus status, const std::string& reason) {
  TestResult result;
  result.spec = spec;
  result.status = status;
  result.reason = reason;
  return ReportRow{std::move(spec), std::move(result)};
}

ReportRow not_run(TestSpec spec) { return ReportRow{std::move(spec), std::nullopt}; }

std::string page_of(const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_html(out, ReportContext{"20261121-193000-nightly", "nightly & <weekly>", "2026-11-21T19:30:00Z",
                                "2026-11-21T20:00:00Z"},
             rows);
  return out.str();
}

// The main table comes first; the details table follows the "All tests" heading.
std::string matrix_part(const std::string& page) { return page.substr(0, page.find("<h2>All tests</h2>")); }
std::string details_part(const std::string& page) { return page.substr(page.find("<h2>All tests</h2>")); }

// Cells (tags stripped) of the first table row of `html` whose text starts with `first_cell`.
std::vector<std::string> row_cells(const std::string& html, const std::string& first_cell) {
  static const std::regex row_pattern("<tr>(.*?)</tr>");
  static const std::regex cell_pattern("<td[^>]*>(.*?)</td>");
  static const std::regex tag_pattern("<[^>]*>");
  for (auto row = std::sregex_iterator(html.begin(), html.end(), row_pattern); row != std::sregex_iterator(); ++row) {
    const std::string inner = (*row)[1];
    std::vector<std::string> cells;
    for (auto cell = std::sregex_iterator(inner.begin(), inner.end(), cell_pattern); cell != std::sregex_iterator();
         ++cell) {
      cells.push_back(std::regex_replace(std::string((*cell)[1]), tag_pattern, ""));
    }
    if (!cells.empty() && cells.front().rfind(first_cell, 0) == 0) return cells;
  }
  return {};
}

// The fleet page of the brief: 2 hosts x 2 modes, one failed, one not run, the rest ok, and a second row
// (a hostile model name) planned only on host-a in latency mode.
std::vector<ReportRow> fleet_rows() {
  return {
      ok(make_spec("host-a", "resnet50", Mode::kSync), 81.234),
      ok(make_spec("host-a", "resnet50", Mode::kAsync, 2), 150.5),
      failed(make_spec("host-b", "resnet50", Mode::kSync), TestStatus::kFailed, "bad <model> & \"x\" 'y'"),
      not_run(make_spec("host-b", "resnet50", Mode::kAsync, 2)),
      ok(make_spec("host-a", "<script>alert(1)</script>", Mode::kSync), 9.999),
  };
}

TEST(ReportHtml, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");
  EXPECT_EQ(html_escape("plain"), "plain");
  EXPECT_EQ(html_escape(""), "");
}

TEST(ReportHtml, HeaderHasHostThenDeviceThenModeLevels) {
  const std::string page = matrix_part(page_of(fleet_rows()));
  EXPECT_NE(page.find("<th colspan=\"2\">host-a</th><th colspan=\"2\">host-b</th></tr>"), std::string::npos) << page;
  EXPECT_NE(page.find("<tr><th colspan=\"2\">CPU / FP32</th><th colspan=\"2\">CPU / FP32</th></tr>"),
            std::string::npos);
  const std::regex modes(">Latency mode</th><th[^>]*>Throughput mode</th><th[^>]*>Latency mode</th><th[^>]*>"
                         "Throughput mode</th></tr>");
  EXPECT_TRUE(std::regex_search(page, modes)) << page;
  for (const char* key : {">Model<", ">Framework<", ">Input shape<", ">Batch<", ">Threads<", ">Parameters<"}) {
    EXPECT_NE(page.find(key), std::string::npos) << key;
  }
}

TEST(ReportHtml, CellsShowFpsDashAndNotAvailable) {
  const std::string page = page_of(fleet_rows());
  const auto cells = row_cells(matrix_part(page), "resnet50");
  const std::vector<std::string> expected = {"resnet50 onnx", "opencv-dnn", "3x224x224", "1", "2", "",
                                             "81.23",         "150.50",     "-",         "N/A"};
  EXPECT_EQ(cells, expected);
  // The failed cell says why, escaped, in its title; the not-run cell says it was not run.
  EXPECT_NE(page.find("<td class=\"fail\" title=\"failed: bad &lt;model&gt; &amp; &quot;x&quot; &#39;y&#39;\">-</td>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<td class=\"na\" title=\"not run\">N/A</td>"), std::string::npos);
}

TEST(ReportHtml, CombinationsNotPlannedShowNotAvailable) {
  const auto cells = row_cells(matrix_part(page_of(fleet_rows())), "&lt;script&gt;");
  const std::vector<std::string> expected = {"&lt;script&gt;alert(1)&lt;/script&gt; onnx",
                                             "opencv-dnn", "3x224x224", "1", "2", "", "10.00", "N/A", "N/A", "N/A"};
  EXPECT_EQ(cells, expected);
}

TEST(ReportHtml, UserTextIsEscapedEverywhere) {
  const std::string page = page_of(fleet_rows());
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(page.find("bad <model>"), std::string::npos);
  EXPECT_EQ(page.find("nightly & <weekly>"), std::string::npos);
  EXPECT_NE(page.find("nightly &amp; &lt;weekly&gt;"), std::string::npos);
}

TEST(ReportHtml, ContextBlockAndLegendComeFirst) {
  const std::string page = page_of(fleet_rows());
  const auto table = page.find("<table");
  for (const char* text : {"20261121-193000-nightly", "2026-11-21T19:30:00Z", "2026-11-21T20:00:00Z",
                           "5 planned: 3 ok, 1 failed, 1 not run", "FPS = batch size / latency",
                           "FPS = batch size &times; iterations / total wall time", "<b>-</b>", "<b>N/A</b>"}) {
    const auto at = page.find(text);
    EXPECT_NE(at, std::string::npos) << text;
    EXPECT_LT(at, table) << text;
  }
}

TEST(ReportHtml, PageIsSelfContained) {
  const std::string page = page_of(fleet_rows());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find(" src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

TEST(ReportHtml, SeveralRequestCountsGetOneThroughputColumnEach) {
  const std::string page = matrix_part(page_of({
      ok(make_spec("host-a", "m", Mode::kSync), 10),
      ok(make_spec("host-a", "m", Mode::kAsync, 2), 20),
      ok(make_spec("host-a", "m", Mode::kAsync, 4), 40),
  }));
  EXPECT_NE(page.find("<th colspan=\"3\">host-a</th>"), std::string::npos);
  const std::regex modes(">Latency mode</th><th[^>]*>Throughput mode, 2 req</th><th[^>]*>Throughput mode, 4 req</th>");
  EXPECT_TRUE(std::regex_search(page, modes)) << page;
  const std::vector<std::string> expected = {"m onnx", "opencv-dnn", "3x224x224", "1", "2", "", "10.00", "20.00",
                                             "40.00"};
  EXPECT_EQ(row_cells(page, "m onnx"), expected);
}

TEST(ReportHtml, DeviceParameterIsAColumnLevelNotARowKey) {
  TestSpec cpu = make_spec("host-a", "m", Mode::kSync);
  cpu.params = {{"device", "CPU"}, {"hint", "latency"}};
  TestSpec gpu = cpu;
  gpu.params["device"] = "gpu";
  gpu.model.precision = "fp16";
  const std::string page = matrix_part(page_of({ok(cpu, 1), ok(gpu, 2)}));
  EXPECT_NE(page.find("<th colspan=\"2\">host-a</th>"), std::string::npos) << page;
  EXPECT_NE(page.find("<th colspan=\"1\">CPU / FP32</th><th colspan=\"1\">GPU / FP16</th>"), std::string::npos);
  const std::vector<std::string> expected = {"m onnx", "opencv-dnn", "3x224x224", "1", "2", "hint=latency",
                                             "1.00", "2.00"};
  EXPECT_EQ(row_cells(page, "m onnx"), expected);
}

TEST(ReportHtml, HostsAndRowsKeepOrderOfFirstAppearance) {
  TestSpec b8 = make_spec("zeta", "m", Mode::kSync);
  b8.batch = 8;
  const std::string page = matrix_part(page_of({
      ok(b8, 80),
      ok(make_spec("alpha", "m", Mode::kSync), 1),
      ok(make_spec("zeta", "m", Mode::kSync), 10),
  }));
  EXPECT_NE(page.find("<th colspan=\"1\">zeta</th><th colspan=\"1\">alpha</th>"), std::string::npos) << page;
  const auto batch8 = page.find("<td class=\"num\">8</td>");
  const auto batch1 = page.find("<td class=\"num\">1</td>");
  ASSERT_NE(batch8, std::string::npos);
  ASSERT_NE(batch1, std::string::npos);
  EXPECT_LT(batch8, batch1);
  EXPECT_NE(page.find("<td class=\"ok\" title=\"latency 12.500 ms, average pass 12.500 ms, 100 iterations\">80.00</td>"
                      "<td class=\"na\" title=\"not planned\">N/A</td>"),
            std::string::npos);
}

TEST(ReportHtml, DetailsTableHasOneLinePerTest) {
  const std::string details = details_part(page_of(fleet_rows()));
  const auto begin = details.find("<tbody>");
  const std::string body = details.substr(begin, details.find("</tbody>") - begin);
  int lines = 0;
  for (auto at = body.find("<tr>"); at != std::string::npos; at = body.find("<tr>", at + 1)) ++lines;
  EXPECT_EQ(lines, 5);
  for (const char* text : {">ok<", ">failed<", ">not_run<", ">host-a<", ">host-b<", ">81.23<", ">12.310<",
                           "bad &lt;model&gt; &amp; &quot;x&quot; &#39;y&#39;"}) {
    EXPECT_NE(details.find(text), std::string::npos) << text;
  }
}

TEST(ReportHtml, EmptyRunStillWritesAPage) {
  const std::string page = page_of({});
  EXPECT_NE(page.find("No tests were planned."), std::string::npos);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace dli

namespace dli {
namespace {

TEST(ReportHtmlHosts, HostsTableDescribesEachMachineEscapedWithoutTheNullLauncher) {
  HostInfo info;
  info.cpu_model = "Xeon <E5> & co";
  info.logical_cpus = 8;
  info.physical_cores = 4;
  info.memory_kb = 2 * 1024 * 1024;
  info.os = "Debian 12";
  info.kernel = "6.1.0";
  info.arch = "x86_64";
  info.runners = {RunnerDescription{"null", "dli 0.1.0", {"*"}, {"cpu"}, true, ""},
                  RunnerDescription{"opencv-dnn", "OpenCV 4.6.0", {"onnx"}, {"cpu"}, true, ""},
                  RunnerDescription{"libtorch", "", {}, {}, false, "libtorch missing"}};
  std::ostringstream out;
  write_html(out, ReportContext{"run", "sweep", "t0", "t1", {{"node-1", info}}}, {});
  const std::string html = out.str();
  EXPECT_NE(html.find("<h2>Hosts</h2>"), std::string::npos);
  EXPECT_NE(html.find("<td>node-1</td><td>Xeon &lt;E5&gt; &amp; co</td><td class=\"num\">8 logical, 4 physical</td>"
                      "<td class=\"num\">2.0</td><td>none</td><td>Debian 12</td><td>6.1.0 x86_64</td><td>OpenCV 4.6.0</td>"),
            std::string::npos)
      << html;
}

TEST(ReportHtmlHosts, NoHostsTableWithoutDescriptions) {
  std::ostringstream out;
  write_html(out, ReportContext{"run", "sweep", "t0", "t1"}, {});
  EXPECT_EQ(out.str().find("<h2>Hosts</h2>"), std::string::npos);
}

}  // namespace
}  // namespace dli
