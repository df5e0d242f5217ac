#include <cstdint>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

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

// The part of the page between the "Accuracy" heading and the data block.
std::string accuracy_part(const std::string& page) {
  const auto begin = page.find("<h2>Accuracy</h2>");
  if (begin == std::string::npos) return "";
  return page.substr(begin, page.find("<script", begin) - begin);
}

std::string page_of(const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_html(out, ReportContext{"20261121-193000-nightly", "nightly & <weekly>", "2026-11-21T19:30:00Z",
                                "2026-11-21T20:00:00Z"},
             rows);
  return out.str();
}

// The text of the page's data block (docs/site.md, "The run page's data"), as written.
std::string data_text(const std::string& page) {
  static const std::string open = "<script type=\"application/json\" id=\"data\">";
  const auto begin = page.find(open);
  if (begin == std::string::npos) return "";
  const auto first = begin + open.size();
  return page.substr(first, page.find("</script>", first) - first);
}

nlohmann::json data_of(const std::string& page) { return nlohmann::json::parse(data_text(page)); }

// The row of the data block whose model is `model`: its keys, then each cell's figure as the page's script shows it
// (2 decimals, ★ for the best; "not planned", "-" or "N/A" without a figure).
std::vector<std::string> row_texts(const nlohmann::json& data, const std::string& model) {
  for (const auto& row : data["rows"]) {
    if (row[0] != model) continue;
    std::vector<std::string> texts = {row[0].get<std::string>() + " " + row[1].get<std::string>(),
                                      row[2].get<std::string>(), row[3].get<std::string>(),
                                      std::to_string(row[4].get<int>()), std::to_string(row[5].get<int>()),
                                      row[6].get<std::string>()};
    for (const auto& cell : row[7]) {
      if (cell.is_null()) {
        texts.push_back("not planned");
      } else if (cell[2].is_null()) {
        texts.push_back(cell[1] == "fail" ? "-" : "N/A");
      } else {
        const bool best = cell.size() > 4 && (cell[4].get<int>() & 1) != 0;
        texts.push_back((best ? "\u2605" : "") + fmt::format("{:.2f}", cell[2].get<double>()));
      }
    }
    return texts;
  }
  return {};
}

// Cells (tags stripped) of the first table row of `html` whose text starts with `first_cell`.
std::vector<std::string> row_cells(const std::string& html, const std::string& first_cell) {
  static const std::regex row_pattern("<tr>([\\s\\S]*?)</tr>");
  static const std::regex cell_pattern("<td[^>]*>([\\s\\S]*?)</td>");
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

// The data block, exactly: hosts with their hardware, columns with their unit and direction, rows with their cells.
TEST(ReportHtml, DataBlockHoldsHostsColumnsAndRowsExactly) {
  const nlohmann::json data = data_of(page_of(fleet_rows()));
  const nlohmann::json expected = nlohmann::json::parse(R"({
    "hosts": [["host-a", ""], ["host-b", ""]],
    "columns": [
      {"host": 0, "device": "CPU / FP32", "mode": "sync", "label": "Latency mode", "unit": "FPS", "higher": true, "decimals": 2,
       "title": "one request at a time; FPS"},
      {"host": 0, "device": "CPU / FP32", "mode": "async", "label": "Throughput mode", "unit": "FPS", "higher": true, "decimals": 2,
       "title": "2 requests in flight; FPS"},
      {"host": 1, "device": "CPU / FP32", "mode": "sync", "label": "Latency mode", "unit": "FPS", "higher": true, "decimals": 2,
       "title": "one request at a time; FPS"},
      {"host": 1, "device": "CPU / FP32", "mode": "async", "label": "Throughput mode", "unit": "FPS", "higher": true, "decimals": 2,
       "title": "2 requests in flight; FPS"}],
    "ids": ["host-a-resnet50-s1", "host-a-resnet50-a2", "host-b-resnet50-s1", "host-b-resnet50-a2",
            "host-a-<script>alert(1)</script>-s1"],
    "rows": [
      ["resnet50", "onnx", "opencv-dnn", "3x224x224", 1, 2, "", [
        [0, "ok", 81.23, 0.0],
        [1, "ok", 150.5, 0.0],
        [2, "fail", null, null, 0, 0, null, "failed: bad <model> & \"x\" 'y'"],
        [3, "na", null, null, 0, 0, null, "not run"]]],
      ["<script>alert(1)</script>", "onnx", "opencv-dnn", "3x224x224", 1, 2, "", [
        [4, "ok", 10.0, 0.0], null, null, null]]]
  })");
  EXPECT_EQ(data, expected) << data.dump(1);
}

// No name can end the data block or open a comment in it: '<', '>' and '&' are \u escapes, read back as written.
TEST(ReportHtml, DataBlockEscapesWhatCouldEndItsScript) {
  const std::string text = data_text(page_of(fleet_rows()));
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos);
  EXPECT_EQ(text.find('&'), std::string::npos);
  EXPECT_NE(text.find(R"("\u003cscript\u003ealert(1)\u003c/script\u003e")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("failed: bad \u003cmodel\u003e \u0026 \"x\" 'y'")"), std::string::npos) << text;
  TestSpec spec = make_spec("h", "</script><!--", Mode::kSync);
  const std::string page = page_of({ok(spec, 1)});
  EXPECT_EQ(page.find("</script><!--"), std::string::npos);
  EXPECT_EQ(data_of(page)["rows"][0][0], "</script><!--");
}

TEST(ReportHtml, UserTextIsEscapedEverywhere) {
  const std::string page = page_of(fleet_rows());
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.find("bad <model>"), std::string::npos);
  EXPECT_EQ(page.find("nightly & <weekly>"), std::string::npos);
  EXPECT_NE(page.find("nightly &amp; &lt;weekly&gt;"), std::string::npos);
}

// The table's frame: its controls, an empty table the script fills, a way to the figures without the script.
TEST(ReportHtml, TheTableIsDrawnByThePageScriptWithItsControls) {
  const std::string page = page_of(fleet_rows());
  for (const char* text : {"<input id=\"filter\" type=\"search\"", "<select id=\"f-host\">", "<select id=\"f-framework\">",
                           "<select id=\"f-model\">", "<select id=\"f-mode\">", "<select id=\"page-size\">",
                           "<button id=\"prev\"", "<button id=\"next\"",
                           "<table class=\"results matrix\" id=\"matrix\"></table>",
                           "<noscript><p>The table is drawn by the page's script. Without it: every figure is in "
                           "<a href=\"results.csv\">results.csv</a>",
                           "<p class=\"host-pages\">Every test's details, per host: <a href=\"hosts/host-a.html\">"
                           "host-a</a> \u00b7 <a href=\"hosts/host-b.html\">host-b</a></p>"}) {
    EXPECT_NE(page.find(text), std::string::npos) << text;
  }
  // The data block comes before the script that reads it; no table of every test any more.
  EXPECT_LT(page.find("id=\"data\""), page.find("JSON.parse(data.textContent)"));
  EXPECT_EQ(page.find("All tests"), std::string::npos);
}

TEST(ReportHtml, ContextBlockAndLegendComeFirst) {
  const std::string page = page_of(fleet_rows());
  const auto table = page.find("<table");
  for (const char* text : {"20261121-193000-nightly", "2026-11-21T19:30:00Z", "2026-11-21T20:00:00Z",
                           "5 planned: 3 ok, 1 failed, 0 unsupported, 1 not run", "FPS = batch size / latency",
                           "FPS = batch size &times; iterations / total wall time", "<b>-</b>",
                           "<span class=\"unsupported\"><b>N/A</b></span>", "<span class=\"na\"><b>N/A</b></span>",
                           "<b>GPU N</b>: CUDA device N (<code>cuda:N</code>)", "higher is better",
                           "lower is better"}) {
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
  const nlohmann::json data = data_of(page_of({
      ok(make_spec("host-a", "m", Mode::kSync), 10),
      ok(make_spec("host-a", "m", Mode::kAsync, 2), 20),
      ok(make_spec("host-a", "m", Mode::kAsync, 4), 40),
  }));
  ASSERT_EQ(data["columns"].size(), 3u);
  EXPECT_EQ(data["columns"][0]["label"], "Latency mode");
  EXPECT_EQ(data["columns"][1]["label"], "Throughput mode, 2 req");
  EXPECT_EQ(data["columns"][2]["label"], "Throughput mode, 4 req");
  const std::vector<std::string> expected = {"m onnx", "opencv-dnn", "3x224x224", "1", "2", "", "10.00", "20.00",
                                             "40.00"};
  EXPECT_EQ(row_texts(data, "m"), expected);
}

TEST(ReportHtml, DeviceIsAColumnLevelNotARowKey) {
  TestSpec cpu = make_spec("host-a", "m", Mode::kSync);
  cpu.params = {{"hint", "latency"}};
  TestSpec gpu = cpu;
  gpu.id = "gpu";
  gpu.device = "cuda";
  gpu.model.precision = "fp16";
  const nlohmann::json data = data_of(page_of({ok(cpu, 1), ok(gpu, 2)}));
  ASSERT_EQ(data["columns"].size(), 2u);
  EXPECT_EQ(data["columns"][0]["device"], "CPU / FP32");
  EXPECT_EQ(data["columns"][1]["device"], "GPU / FP16");
  const std::vector<std::string> expected = {"m onnx", "opencv-dnn", "3x224x224", "1", "2", "hint=latency",
                                             "1.00", "\u26052.00"};  // the best of the row's latency columns
  EXPECT_EQ(row_texts(data, "m"), expected);
}

TEST(ReportHtml, DeviceHeadersNameCpuGpuAndNumberedGpus) {
  std::vector<ReportRow> rows;
  for (const char* device : {"cpu", "cuda", "cuda:1", "cuda:0"}) {
    TestSpec spec = make_spec("host-a", "m", Mode::kSync);
    spec.id = device;
    spec.device = device;
    rows.push_back(ok(spec, 1));
  }
  std::vector<std::string> devices;
  const nlohmann::json data = data_of(page_of(rows));
  for (const auto& column : data["columns"]) devices.push_back(column["device"]);
  EXPECT_EQ(devices, (std::vector<std::string>{"CPU / FP32", "GPU / FP32", "GPU 1 / FP32", "GPU 0 / FP32"}));
}

// Scenario columns name their unit and that a latency is better lower.
TEST(ReportHtml, ColumnsStateTheirUnitAndWhichWayIsBetter) {
  TestSpec stream = make_spec("host-a", "m", Mode::kSingleStream);
  ReportRow row = ok(stream, 10);
  const nlohmann::json column = data_of(page_of({row}))["columns"][0];
  EXPECT_EQ(column["unit"], "ms");
  EXPECT_EQ(column["higher"], false);
  EXPECT_EQ(column["label"], "SingleStream p90, ms");
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
  const nlohmann::json data = data_of(page);
  EXPECT_EQ(data["ids"][4], "gpu") << "ids in the order the rows name them";
  EXPECT_EQ(data["rows"][0][7][4], nlohmann::json::parse(
                                       R"([4, "unsupported", null, null, 0, 0, null,
                                           "unsupported: no dli-run-<torch> runner & \"no\" GPU"])"));
  EXPECT_NE(page.find("td.unsupported{"), std::string::npos);
  EXPECT_NE(page.find("6 planned: 3 ok, 1 failed, 1 unsupported, 1 not run"), std::string::npos);
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
  EXPECT_EQ(data_of(page)["columns"].size(), 1u);

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
  const nlohmann::json data = data_of(page_of({
      ok(b8, 80),
      ok(make_spec("alpha", "m", Mode::kSync), 1),
      ok(make_spec("zeta", "m", Mode::kSync), 10),
  }));
  EXPECT_EQ(data["hosts"], nlohmann::json::parse(R"([["zeta", ""], ["alpha", ""]])"));
  ASSERT_EQ(data["rows"].size(), 2u);
  EXPECT_EQ(data["rows"][0][4], 8);
  EXPECT_EQ(data["rows"][1][4], 1);
  EXPECT_EQ(data["rows"][0][7][1], nullptr);
}

// A repeated test's cell counts its repeats (shown as ×N under the figure); its page lists every repeat.
TEST(ReportHtml, ARepeatedTestIsMarkedAsAMedianWithItsRepeats) {
  ReportRow row = ok(make_spec("host-a", "resnet50", Mode::kSync), 100);
  row.spec.measure.repeats = 3;
  row.repeats = RepeatSummary{3, {1, 2, 3}, {101, 100, 98.5}, 2, 0.0126};
  EXPECT_EQ(data_of(page_of({row}))["rows"][0][7][0], nlohmann::json::parse(R"([0, "ok", 100.0, 0.0, 0, 3])"));
  EXPECT_EQ(data_of(page_of({ok(make_spec("host-a", "resnet50", Mode::kSync), 100)}))["rows"][0][7][0].size(), 4u)
      << "a test run once is not marked";
}

// Warnings and moves against the history are flags of the cell, the warnings' text on hover.
TEST(ReportHtml, WarnedRegressedAndInvalidCellsSayWhy) {
  ReportRow row = ok(make_spec("host-a", "resnet50", Mode::kSync), 100);
  TestEnvironment environment;
  environment.warnings = {"host busy"};
  row.result->environment = environment;
  row.result->measurement->verdict = Verdict{false, {"cv_above_threshold"}, {}};
  row.change = Change{ChangeKind::kRegressed, 4, 120, -0.17, 0.06};
  EXPECT_EQ(data_of(page_of({row}))["rows"][0][7][0],
            nlohmann::json::parse(R"([0, "invalid", 100.0, 0.0, 6, 0, -17.0,
                                      "INVALID: cv_above_threshold\nwarning: host busy"])"));
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
  const nlohmann::json data = data_of(out.str());
  EXPECT_EQ(data["hosts"][1], nlohmann::json::parse(R"(["host-b", "AMD EPYC 7B13, 16 logical CPUs, 64.0 GiB"])"));
  const auto cells = row_texts(data, "resnet50");
  ASSERT_EQ(cells.size(), 9u) << "6 keys, host-a's two modes, host-b's latency mode";
  EXPECT_EQ(cells[6], "100.00");
  EXPECT_EQ(cells[7], "90.00") << "alone in its mode: no best";
  EXPECT_EQ(cells[8], "\u2605150.00");
  // The hardware is named at the top, before the table.
  EXPECT_LT(out.str().find("<h2>Hosts</h2>"), out.str().find("id=\"matrix\""));
}

// A large fleet's Hosts and Host states tables fold under a count, so the results stay near the top; a host that did
// not end well keeps its table open.
TEST(ReportHtml, ManyHostsFoldTheirTablesUnlessOneEndedBadly) {
  ReportContext context{"r", "s", "c", "g"};
  for (int i = 0; i < 21; ++i) {
    const std::string name = "h" + std::to_string(i);
    context.hosts.emplace_back(name, HostInfo{});
    HostStatus status;
    status.host = name;
    status.state = HostState::kDone;
    context.host_states.push_back(status);
  }
  std::ostringstream out;
  write_html(out, context, {});
  EXPECT_NE(out.str().find("<h2>Hosts</h2>\n<details><summary>21 machines (each named in the table's header)"
                           "</summary>\n<table class=\"results hosts\">"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("<h2>Host states</h2>\n<details><summary>all 21 hosts done</summary>\n<table"),
            std::string::npos);
  context.host_states.back().state = HostState::kLost;
  std::ostringstream lost;
  write_html(lost, context, {});
  EXPECT_NE(lost.str().find("<h2>Host states</h2>\n<table"), std::string::npos);
  context.hosts.pop_back();
  std::ostringstream twenty;
  write_html(twenty, context, {});
  EXPECT_NE(twenty.str().find("<h2>Hosts</h2>\n<table"), std::string::npos);
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
