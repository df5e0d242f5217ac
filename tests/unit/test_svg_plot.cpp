// Plots as inline SVG: nice ticks, exact geometry, escaped text; the run page's plots from its rows.
#include "dli/report/svg_plot.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/report/report.hpp"

namespace dli {
namespace {

TEST(NiceTicks, AreOneTwoOrFiveTimesAPowerOfTenAndCoverTheRange) {
  EXPECT_EQ(nice_ticks(0, 87), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(0, 1), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
  EXPECT_EQ(nice_ticks(0, 4300), (std::vector<double>{0, 1000, 2000, 3000, 4000, 5000}));
  EXPECT_EQ(nice_ticks(0, 0), (std::vector<double>{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}));
}

LinePlot two_lines() {
  LinePlot plot;
  plot.title = "resnet50 on <lab>: FPS by batch";
  plot.x_label = "batch size";
  plot.y_label = "FPS (frames/s, higher is better)";
  plot.log2_x = true;
  plot.series = {{"opencv-dnn", {{1, 40}, {2, 70}, {4, 87}}}, {"onnxruntime", {{1, 50}, {4, 60}}}};
  return plot;
}

TEST(SvgPlot, PointsSitOnTheirAxesAndEveryTextIsEscaped) {
  const std::string svg = svg_line_plot(two_lines());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"560\" height=\"320\"", 0), 0u);
  EXPECT_NE(svg.find("resnet50 on &lt;lab&gt;: FPS by batch"), std::string::npos);
  EXPECT_EQ(svg.find("<lab>"), std::string::npos);
  // x: log2 of 1..4 over 64..410 px; y: 0..100 (the ticks' top) over 272..30 px.
  EXPECT_NE(svg.find("points=\"64.0,175.2 237.0,102.6 410.0,61.5\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("points=\"64.0,151.0 410.0,126.8\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>opencv-dnn: 4, 87</title>"), std::string::npos);
  for (const char* tick : {">0</text>", ">20</text>", ">100</text>", ">1</text>", ">2</text>", ">4</text>"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_NE(svg.find(">onnxruntime</text>"), std::string::npos) << "the legend names each line";
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

ReportRow valid(const std::string& framework, int batch, int threads, double fps) {
  ReportRow row;
  row.spec.id = framework + std::to_string(batch) + "-" + std::to_string(threads);
  row.spec.host = "node-a";
  row.spec.model.name = "resnet50";
  row.spec.framework = framework;
  row.spec.batch = batch;
  row.spec.threads = threads;
  TestResult result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  Measurement m;
  m.throughput.fps = fps;
  m.throughput.latency_s = batch / fps;
  m.verdict.valid = true;
  result.measurement = m;
  row.result = result;
  return row;
}

TEST(RunPlots, ThePageHasFpsByBatchAndLatencyByThreadsWhereThereAreTwoPoints) {
  const std::vector<ReportRow> rows = {valid("opencv-dnn", 1, 2, 40), valid("opencv-dnn", 4, 2, 87),
                                       valid("onnxruntime", 1, 2, 50), valid("onnxruntime", 1, 4, 80)};
  const ReportContext context{"r", "s", "c", "g"};
  std::ostringstream page;
  write_html(page, context, rows);
  const std::string html = page.str();
  EXPECT_NE(html.find("<h2>Plots</h2>"), std::string::npos);
  EXPECT_NE(html.find("resnet50 on node-a, CPU: FPS by batch (sync, 2 threads)"), std::string::npos);
  EXPECT_NE(html.find("resnet50 on node-a, CPU: latency by threads (sync, batch 1)"), std::string::npos);
  EXPECT_EQ(html.find("FPS by batch (sync, 4 threads)"), std::string::npos) << "one batch size: no line to draw";
  std::ostringstream single;
  write_html(single, context, {valid("opencv-dnn", 1, 2, 40)});
  EXPECT_EQ(single.str().find("<h2>Plots</h2>"), std::string::npos);
}

TEST(SvgBarPlot, BarsPerGroupAndSeriesWithValuesOnHoverAndMarkupAsText) {
  BarPlot plot;
  plot.title = "m <x>";
  plot.x_label = "host";
  plot.y_label = "FPS";
  plot.series = {"a", "b"};
  plot.groups = {{"h1", {10.0, std::nullopt}, {"batch 1", ""}}, {"h<2>", {5.0, 20.0}, {"", "batch 4"}}};
  EXPECT_EQ(svg_bar_plot(plot),
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" width=\"560\" height=\"320\" "
            "viewBox=\"0 0 560 320\" role=\"img\" aria-label=\"m &lt;x&gt;\">\n"
            "<text x=\"64\" y=\"18\" font-size=\"13\" font-weight=\"600\">m &lt;x&gt;</text>\n"
            "<line x1=\"64.0\" y1=\"272.0\" x2=\"410.0\" y2=\"272.0\" stroke=\"#ddd\"/><text x=\"58.0\" "
            "y=\"276.0\" font-size=\"11\" text-anchor=\"end\">0</text>\n"
            "<line x1=\"64.0\" y1=\"211.5\" x2=\"410.0\" y2=\"211.5\" stroke=\"#ddd\"/><text x=\"58.0\" "
            "y=\"215.5\" font-size=\"11\" text-anchor=\"end\">5</text>\n"
            "<line x1=\"64.0\" y1=\"151.0\" x2=\"410.0\" y2=\"151.0\" stroke=\"#ddd\"/><text x=\"58.0\" "
            "y=\"155.0\" font-size=\"11\" text-anchor=\"end\">10</text>\n"
            "<line x1=\"64.0\" y1=\"90.5\" x2=\"410.0\" y2=\"90.5\" stroke=\"#ddd\"/><text x=\"58.0\" "
            "y=\"94.5\" font-size=\"11\" text-anchor=\"end\">15</text>\n"
            "<line x1=\"64.0\" y1=\"30.0\" x2=\"410.0\" y2=\"30.0\" stroke=\"#ddd\"/><text x=\"58.0\" "
            "y=\"34.0\" font-size=\"11\" text-anchor=\"end\">20</text>\n"
            "<rect x=\"81.3\" y=\"151.0\" width=\"69.2\" height=\"121.0\" fill=\"#0072B2\"><title>a on h1: 10 "
            "(batch 1)</title></rect>\n"
            "<text x=\"150.5\" y=\"288.0\" font-size=\"11\" text-anchor=\"middle\">h1</text>\n"
            "<rect x=\"254.3\" y=\"211.5\" width=\"69.2\" height=\"60.5\" fill=\"#0072B2\"><title>a on h&lt;2&gt;: "
            "5</title></rect>\n"
            "<rect x=\"323.5\" y=\"30.0\" width=\"69.2\" height=\"242.0\" fill=\"#D55E00\"><title>b on h&lt;2&gt;: "
            "20 (batch 4)</title></rect>\n"
            "<text x=\"323.5\" y=\"288.0\" font-size=\"11\" text-anchor=\"middle\">h&lt;2&gt;</text>\n"
            "<line x1=\"64.0\" y1=\"272.0\" x2=\"410.0\" y2=\"272.0\" stroke=\"#333\"/><line x1=\"64.0\" "
            "y1=\"30.0\" x2=\"64.0\" y2=\"272.0\" stroke=\"#333\"/>\n"
            "<text x=\"237.0\" y=\"310.0\" font-size=\"12\" text-anchor=\"middle\">host</text>\n"
            "<text x=\"14\" y=\"151.0\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 "
            "151.0)\">FPS</text>\n"
            "<rect x=\"422.0\" y=\"33.0\" width=\"14\" height=\"10\" fill=\"#0072B2\"/><text x=\"442.0\" "
            "y=\"42.0\" font-size=\"11\">a</text>\n"
            "<rect x=\"422.0\" y=\"51.0\" width=\"14\" height=\"10\" fill=\"#D55E00\"/><text x=\"442.0\" "
            "y=\"60.0\" font-size=\"11\">b</text>\n</svg>\n");
}

TEST(RunPlots, OneModelAcrossHostsAndFrameworksShowsEachHostsBestFpsPerFramework) {
  ReportRow other_host = valid("opencv-dnn", 1, 2, 30);
  other_host.spec.host = other_host.result->spec.host = "node-b";
  const std::vector<ReportRow> rows = {valid("opencv-dnn", 1, 2, 40), valid("opencv-dnn", 4, 2, 87),
                                       valid("onnxruntime", 1, 2, 50), other_host};
  std::ostringstream page;
  write_html(page, ReportContext{"r", "s", "c", "g"}, rows);
  const std::string html = page.str();
  EXPECT_NE(html.find("resnet50, CPU: best FPS per host and framework</text>"), std::string::npos);
  EXPECT_NE(html.find("<title>opencv-dnn on node-a: 87 (batch 4, 2 threads, sync)</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>onnxruntime on node-a: 50 (batch 1, 2 threads, sync)</title>"), std::string::npos);
  EXPECT_NE(html.find("<title>opencv-dnn on node-b: 30 (batch 1, 2 threads, sync)</title>"), std::string::npos);
  EXPECT_LT(html.find(">node-a</text>"), html.find(">node-b</text>")) << "the fastest host first";
  std::ostringstream single;
  write_html(single, ReportContext{"r", "s", "c", "g"}, {valid("opencv-dnn", 1, 2, 40)});
  EXPECT_EQ(single.str().find("best FPS per host"), std::string::npos) << "one bar: nothing to compare";
}

}  // namespace
}  // namespace dli
