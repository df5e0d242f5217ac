#include <cstdint>
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

TestSpec accuracy_spec(const std::string& host, const std::string& model, const std::string& framework,
                       const std::string& device) {
  TestSpec spec = make_spec(host, model, Mode::kAccuracy);
  spec.id = host + "-" + model + "-" + framework + "-" + device + "-acc";
  spec.framework = framework;
  spec.device = device;
  spec.dataset = {"val.csv", "ab12"};
  return spec;
}

ReportRow scored(TestSpec spec, std::int64_t samples, double top1, double top5) {
  TestResult result;
  result.spec = spec;
  result.status = TestStatus::kOk;
  result.accuracy = Accuracy{samples, top1, top5};
  return ReportRow{std::move(spec), std::move(result)};
}

// The part of the page between the "Accuracy" heading and the details table.
std::string accuracy_part(const std::string& page) {
  const auto begin = page.find("<h2>Accuracy</h2>");
  if (begin == std::string::npos) return "";
  return page.substr(begin, page.find("<h2>All tests</h2>") - begin);
}

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
  // Titles may hold line breaks (one line per fact on hover).
  static const std::regex row_pattern("<tr>([\\s\\S]*?)</tr>");
  static const std::regex cell_pattern("<td[^>]*>([\\s\\S]*?)</td>");
  static const std::regex tag_pattern("<[^>]*>");
  // The CV line under a figure is checked by its own test; here the cells' figures.
  static const std::regex cv_pattern("<span class=\"cv\">.*?</span>");
  for (auto row = std::sregex_iterator(html.begin(), html.end(), row_pattern); row != std::sregex_iterator(); ++row) {
    const std::string inner = (*row)[1];
    std::vector<std::string> cells;
    for (auto cell = std::sregex_iterator(inner.begin(), inner.end(), cell_pattern); cell != std::sregex_iterator();
         ++cell) {
      cells.push_back(std::regex_replace(std::regex_replace(std::string((*cell)[1]), cv_pattern, ""), tag_pattern, ""));
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
  const std::string fps = "<span class=\"unit\">FPS \u2191</span>";
  const std::regex modes(">Latency mode" + fps + "</th><th[^>]*>Throughput mode" + fps + "</th><th[^>]*>Latency mode" +
                         fps + "</th><th[^>]*>Throughput mode" + fps + "</th></tr>");
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
                           "5 planned: 3 ok, 1 failed, 0 unsupported, 1 not run", "FPS = batch size / latency",
                           "FPS = batch size &times; iterations / total wall time", "<b>-</b>",
                           "<span class=\"unsupported\"><b>N/A</b></span>", "<span class=\"na\"><b>N/A</b></span>",
                           "<b>GPU N</b>: CUDA device N (<code>cuda:N</code>)"}) {
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
  const std::string fps = "<span class=\"unit\">FPS \u2191</span>";
  const std::regex modes(">Latency mode" + fps + "</th><th[^>]*>Throughput mode, 2 req" + fps +
                         "</th><th[^>]*>Throughput mode, 4 req" + fps + "</th>");
  EXPECT_TRUE(std::regex_search(page, modes)) << page;
  const std::vector<std::string> expected = {"m onnx", "opencv-dnn", "3x224x224", "1", "2", "", "10.00", "20.00",
                                             "40.00"};
  EXPECT_EQ(row_cells(page, "m onnx"), expected);
}

TEST(ReportHtml, DeviceIsAColumnLevelNotARowKey) {
  TestSpec cpu = make_spec("host-a", "m", Mode::kSync);
  cpu.params = {{"hint", "latency"}};
  TestSpec gpu = cpu;
  gpu.id = "gpu";
  gpu.device = "cuda";
  gpu.model.precision = "fp16";
  const std::string page = matrix_part(page_of({ok(cpu, 1), ok(gpu, 2)}));
  EXPECT_NE(page.find("<th colspan=\"2\">host-a</th></tr>"), std::string::npos) << page;
  EXPECT_NE(page.find("<tr><th colspan=\"1\">CPU / FP32</th><th colspan=\"1\">GPU / FP16</th></tr>"),
            std::string::npos)
      << page;
  const std::vector<std::string> expected = {"m onnx", "opencv-dnn", "3x224x224", "1", "2", "hint=latency",
                                             "1.00", "\u26052.00"};  // the best of the row's latency columns
  EXPECT_EQ(row_cells(page, "m onnx"), expected);
}

TEST(ReportHtml, DeviceHeadersNameCpuGpuAndNumberedGpus) {
  std::vector<ReportRow> rows;
  for (const char* device : {"cpu", "cuda", "cuda:1", "cuda:0"}) {
    TestSpec spec = make_spec("host-a", "m", Mode::kSync);
    spec.id = device;
    spec.device = device;
    rows.push_back(ok(spec, 1));
  }
  const std::string page = matrix_part(page_of(rows));
  EXPECT_NE(page.find("<tr><th colspan=\"1\">CPU / FP32</th><th colspan=\"1\">GPU / FP32</th>"
                      "<th colspan=\"1\">GPU 1 / FP32</th><th colspan=\"1\">GPU 0 / FP32</th></tr>"),
            std::string::npos)
      << page;
  EXPECT_NE(details_part(page_of(rows)).find("<td>GPU 1 / FP32</td>"), std::string::npos);
}

TEST(ReportHtml, UnsupportedCellIsNotAvailableWithItsReasonOnHoverAndIsNotAFailure) {
  TestSpec gpu = make_spec("host-b", "resnet50", Mode::kSync);
  gpu.id = "gpu";
  gpu.device = "cuda";
  TestResult result;
  result.spec = gpu;
  result.status = TestStatus::kUnsupported;
  result.reason = "no dli-run-<torch> runner & \"no\" GPU";
  std::vector<ReportRow> rows = fleet_rows();
  rows.push_back(ReportRow{gpu, result});
  const std::string page = page_of(rows);
  const std::string unsupported =
      "<td class=\"unsupported\" title=\"unsupported: no dli-run-&lt;torch&gt; runner &amp; &quot;no&quot; GPU\">"
      "N/A</td>";
  EXPECT_NE(matrix_part(page).find(unsupported), std::string::npos) << page;
  // Three different looks: failed (-), not run (grey N/A), unsupported (shaded N/A).
  EXPECT_NE(page.find("<td class=\"fail\" title=\"failed: bad"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"na\" title=\"not run\">N/A</td>"), std::string::npos);
  EXPECT_NE(page.find("td.unsupported{"), std::string::npos);
  const std::vector<std::string> expected = {"resnet50 onnx", "opencv-dnn", "3x224x224", "1", "2", "",
                                             "81.23",         "150.50",     "-",         "N/A", "N/A"};
  EXPECT_EQ(row_cells(matrix_part(page), "resnet50"), expected);
  EXPECT_NE(page.find("6 planned: 3 ok, 1 failed, 1 unsupported, 1 not run"), std::string::npos);
  const std::string details = details_part(page);
  EXPECT_NE(details.find("<tr><td>unsupported</td><td>host-b</td>"), std::string::npos) << details;
  EXPECT_NE(details.find("<td>no dli-run-&lt;torch&gt; runner &amp; &quot;no&quot; GPU</td><td></td>"),
            std::string::npos);
}

TEST(ReportHtml, AccuracyTableShowsTopOneAndTopFiveOfEachFrameworkSideBySide) {
  TestSpec cv_cuda = accuracy_spec("host-a", "resnet50", "opencv-dnn", "cuda");
  TestResult refused;
  refused.spec = cv_cuda;
  refused.status = TestStatus::kUnsupported;
  refused.reason = "opencv-dnn offers cpu only";
  const std::vector<ReportRow> rows = {
      ok(make_spec("host-a", "resnet50", Mode::kSync), 81.234),
      scored(accuracy_spec("host-a", "resnet50", "opencv-dnn", "cpu"), 1000, 0.71234, 0.90006),
      ReportRow{cv_cuda, refused},
      scored(accuracy_spec("host-a", "resnet50", "libtorch", "cpu"), 1000, 0.7125, 0.9),
      scored(accuracy_spec("host-a", "resnet50", "libtorch", "cuda"), 1000, 0.7, 0.899),
  };
  const std::string page = page_of(rows);
  // The speed table is left as it was: accuracy tests add no speed column.
  const std::string speed = matrix_part(page).substr(0, matrix_part(page).find("<h2>Accuracy</h2>"));
  EXPECT_NE(speed.find("<th colspan=\"1\">host-a</th></tr>"), std::string::npos) << speed;
  EXPECT_EQ(speed.find("Top-1"), std::string::npos);

  const std::string accuracy = accuracy_part(page);
  ASSERT_FALSE(accuracy.empty()) << page;
  EXPECT_NE(accuracy.find("<th colspan=\"4\">host-a</th></tr>"), std::string::npos) << accuracy;
  EXPECT_NE(accuracy.find("<tr><th colspan=\"2\">CPU / FP32</th><th colspan=\"2\">GPU / FP32</th></tr>"),
            std::string::npos);
  const std::regex sub_headers(">Top-1, %</th><th[^>]*>Top-5, %</th><th[^>]*>Top-1, %</th><th[^>]*>Top-5, %</th></tr>");
  EXPECT_TRUE(std::regex_search(accuracy, sub_headers)) << accuracy;
  // One row per framework, one after the other.
  const auto opencv = accuracy.find("<td>opencv-dnn</td>");
  const auto libtorch = accuracy.find("<td>libtorch</td>");
  ASSERT_NE(opencv, std::string::npos);
  ASSERT_NE(libtorch, std::string::npos);
  EXPECT_LT(opencv, libtorch);
  EXPECT_EQ(row_cells(accuracy, "resnet50"),
            (std::vector<std::string>{"resnet50 onnx", "opencv-dnn", "", "val.csv", "71.23", "90.01", "N/A", "N/A"}));
  EXPECT_NE(accuracy.find("<td class=\"ok\" title=\"1000 samples\">71.23</td><td class=\"ok\" "
                          "title=\"1000 samples\">90.01</td><td class=\"unsupported\" title=\"unsupported: "
                          "opencv-dnn offers cpu only\">N/A</td>"),
            std::string::npos)
      << accuracy;
  const std::regex libtorch_row("<td>libtorch</td><td></td><td>val.csv</td><td class=\"ok\" title=\"1000 "
                                "samples\">71.25</td><td[^>]*>90.00</td><td[^>]*>70.00</td><td[^>]*>89.90</td></tr>");
  EXPECT_TRUE(std::regex_search(accuracy, libtorch_row)) << accuracy;
  // The details table lists them too, with their top-1/top-5.
  EXPECT_NE(details_part(page).find("<td class=\"num\" title=\"1000 samples\">89.90</td>"), std::string::npos);
}

TEST(ReportHtml, AccuracyTableEscapesHostileNamesAndIsAbsentWithoutAccuracyTests) {
  TestSpec spec = accuracy_spec("host-<a>", "<img src=x onerror=\"alert(1)\">", "opencv-dnn", "cpu");
  spec.dataset.name = "a&b.csv";
  const std::string accuracy = accuracy_part(page_of({scored(spec, 10, 0.5, 1)}));
  EXPECT_EQ(accuracy.find("<img"), std::string::npos) << accuracy;
  EXPECT_NE(accuracy.find("<td>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <span class=\"fmt\">onnx</span></td>"),
            std::string::npos)
      << accuracy;
  EXPECT_NE(accuracy.find(">host-&lt;a&gt;</th>"), std::string::npos);
  EXPECT_NE(accuracy.find("<td>a&amp;b.csv</td>"), std::string::npos);
  EXPECT_NE(accuracy.find(">50.00</td><td class=\"ok\" title=\"10 samples\">100.00</td>"), std::string::npos);
  EXPECT_EQ(accuracy_part(page_of(fleet_rows())), "");
  // A sweep of accuracy tests only has no speed table, and says so.
  EXPECT_NE(page_of({scored(spec, 10, 0.5, 1)}).find("No latency or throughput tests were planned."),
            std::string::npos);
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
  EXPECT_NE(page.find("<td class=\"ok\" title=\"VALID; p50 latency 12.500 ms, average pass 12.500 ms, FPS 80.00, CV "
                      "0.0 %, 100 iterations, stopped by min_reached\" data-v=\"80.00\">80.00<span class=\"cv\">CV "
                      "0.0 %</span></td><td class=\"na\" title=\"not planned\">N/A</td>"),
            std::string::npos)
      << page;
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

// A repeated test's cell says it is a median (×N under the figure) and lists every repeat on hover; the details
// table counts and spreads them.
TEST(ReportHtml, ARepeatedTestIsMarkedAsAMedianWithItsRepeatsOnHover) {
  ReportRow row = ok(make_spec("host-a", "resnet50", Mode::kSync), 100);
  row.spec.measure.repeats = 3;
  row.repeats = RepeatSummary{3, {1, 2, 3}, {101, 100, 98.5}, 2, 0.0126};
  const std::string page = page_of({row});
  EXPECT_NE(page.find("<span class=\"cv\">CV 0.0 % \u00b7 \u00d73</span>"), std::string::npos) << matrix_part(page);
  EXPECT_NE(page.find("median of 3 of 3 repeats (repeat 2 shown): 101.00, 100.00, 98.50; repeats&#39; CV 1.3 %"),
            std::string::npos);
  EXPECT_NE(details_part(page).find(">3 of 3, CV 1.3 %</td>"), std::string::npos) << details_part(page);
  const std::string once = page_of({ok(make_spec("host-a", "resnet50", Mode::kSync), 100)});
  EXPECT_EQ(matrix_part(once).find("\u00b7 \u00d7"), std::string::npos) << "a test run once is not marked";
}

TEST(ReportHtml, HostsInMaintenanceAreNamedWithTheirReason) {
  ReportContext context{"r", "s", "c", "g"};
  context.maintenance = {{"resting", "new <disk>"}};
  std::ostringstream out;
  write_html(out, context, {ok(make_spec("host-a", "resnet50", Mode::kSync), 100)});
  EXPECT_NE(out.str().find("<tr><td>resting</td><td class=\"na\">in maintenance</td><td></td><td></td><td></td>"
                           "<td>new &lt;disk&gt;</td></tr>"),
            std::string::npos);
}

// The reader's first question answered in the table: which host does it best, on what machine.
TEST(ReportHtml, TheBestFigureOfARowIsMarkedAndEachHostIsDescribedInItsHeader) {
  ReportContext context{"r", "s", "c", "g"};
  HostInfo big;
  big.cpu_model = "AMD EPYC 7B13";
  big.logical_cpus = 16;
  big.memory_kb = 64 * 1024 * 1024;
  context.hosts = {{"host-b", big}};
  std::ostringstream out;
  write_html(out, context,
             {ok(make_spec("host-a", "resnet50", Mode::kSync), 100), ok(make_spec("host-b", "resnet50", Mode::kSync), 150),
              ok(make_spec("host-a", "resnet50", Mode::kAsync, 2), 90)});
  const std::string page = out.str();
  EXPECT_NE(page.find("host-b<span class=\"hw\">AMD EPYC 7B13, 16 logical CPUs, 64.0 GiB</span></th>"),
            std::string::npos);
  const auto cells = row_cells(matrix_part(page), "resnet50");
  ASSERT_EQ(cells.size(), 9u) << "6 keys, host-a's two modes, host-b's latency mode";
  EXPECT_EQ(cells[6], "100.00");
  EXPECT_EQ(cells[7], "90.00") << "alone in its mode: no best";
  EXPECT_EQ(cells[8], "\u2605150.00");
  EXPECT_NE(page.find("the best of this row&#39;s Latency mode columns"), std::string::npos);
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
