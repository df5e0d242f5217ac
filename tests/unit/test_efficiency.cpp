// Efficiency (docs/methodology.md, "Operation count and efficiency"): the spec's macs in the protocol, the GEMM
// peak in host.json and its per-boot cache, the counts given to the planned tests, and the report's figures.
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "dli/agent/gemm_peak_cache.hpp"
#include "dli/integrator/model_ops.hpp"
#include "dli/peak/gemm_bench.hpp"
#include "dli/protocol/host_info.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/report/report.hpp"
#include "support/csv_table.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

GemmPeak sample_peak() {
  GemmPeak peak;
  peak.gflops = 100;
  peak.library = "OpenBLAS 0.3.21 Haswell";
  peak.n = 2048;
  peak.threads = 2;
  peak.calls = 3;
  peak.seconds = 1.25;
  peak.measured_at = "2026-11-21T19:30:00Z";
  return peak;
}

TEST(GemmPeak, RateIsTwoNCubedPerCall) {
  // 2 x 1000^3 x 3 calls in 2 s = 3e9 FLOP/s.
  EXPECT_DOUBLE_EQ(gemm_gflops(1000, 3, 2.0), 3.0);
  EXPECT_EQ(gemm_gflops(1000, 3, 0.0), 0.0);
}

TEST(GemmPeak, HostJsonCarriesItOptionally) {
  HostInfo info;
  info.hostname = "h";
  EXPECT_FALSE(to_json(info).contains("gemm_peak"));  // `describe` writes none
  EXPECT_EQ(host_info_from_json(to_json(info)).gemm_peak, std::nullopt);
  info.gemm_peak = sample_peak();
  const nlohmann::json json = to_json(info);
  EXPECT_EQ(json.at("gemm_peak").at("gflops"), 100.0);
  EXPECT_EQ(json.at("gemm_peak").at("method"), "cblas_sgemm");
  EXPECT_EQ(host_info_from_json(nlohmann::json::parse(json.dump())).gemm_peak, sample_peak());
}

TEST(GemmPeak, CacheHoldsForItsBootOnly) {
  const std::string text = gemm_peak_cache_text(sample_peak(), "boot-1");
  EXPECT_EQ(gemm_peak_from_cache(text, "boot-1"), sample_peak());
  EXPECT_EQ(gemm_peak_from_cache(text, "boot-2"), std::nullopt);
  EXPECT_EQ(gemm_peak_from_cache(text, ""), std::nullopt);
  EXPECT_EQ(gemm_peak_from_cache("{broken", "boot-1"), std::nullopt);
  EXPECT_EQ(gemm_peak_from_cache("", "boot-1"), std::nullopt);
}

TEST(GemmPeak, MeasuresAPositiveRateWithinItsBudget) {
  GemmBenchOptions options;
  options.n = 128;
  options.threads = 1;
  options.budget_seconds = 0.01;
  const GemmPeak peak = measure_gemm_peak(options);
  EXPECT_GT(peak.gflops, 0.0);
  EXPECT_GE(peak.calls, 3);
  EXPECT_EQ(peak.n, 128);
  EXPECT_EQ(peak.threads, 1);
  EXPECT_NE(peak.library.find("OpenBLAS"), std::string::npos);
}

// The agent's path: dli-gemm-peak measures in its own process, its answer is cached for the boot, and without the
// program (and no cache) host.json says nothing rather than something wrong.
TEST(GemmPeak, TheHelperMeasuresOnceAndTheCacheAnswersAfterwards) {
  testing::TempDir dir;
  // The cache is machine-wide: a fresh one for this test, TMPDIR given back however the test ends.
  struct TmpdirFor {
    explicit TmpdirFor(const std::string& path) : had(std::getenv("TMPDIR") != nullptr) {
      if (had) saved = std::getenv("TMPDIR");
      ::setenv("TMPDIR", path.c_str(), 1);
    }
    ~TmpdirFor() { had ? ::setenv("TMPDIR", saved.c_str(), 1) : ::unsetenv("TMPDIR"); }
    bool had;
    std::string saved;
  } const tmpdir(dir.str());

  const HostGemmPeak missing = host_gemm_peak("");
  EXPECT_EQ(missing.peak, std::nullopt);
  EXPECT_EQ(missing.why_missing, "no dli-gemm-peak on this host");

  const HostGemmPeak broken = host_gemm_peak("/bin/false");
  EXPECT_EQ(broken.peak, std::nullopt);
  EXPECT_EQ(broken.why_missing, "/bin/false: exited with code 1");

  const HostGemmPeak measured = host_gemm_peak(DLI_GEMM_PEAK_EXE);
  ASSERT_TRUE(measured.peak.has_value()) << measured.why_missing;
  EXPECT_GT(measured.peak->gflops, 0.0);
  EXPECT_EQ(measured.peak->n, 2048);
  EXPECT_GE(measured.peak->calls, 3);
  EXPECT_NE(measured.peak->library.find("OpenBLAS"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(gemm_peak_cache_path()));

  const HostGemmPeak cached = host_gemm_peak("");  // no program needed now
  EXPECT_EQ(cached.peak, measured.peak);
}

TEST(ProtocolJson, SpecMacsIsOptionalAndRoundTrips) {
  TestSpec spec;
  spec.id = "0123456789abcdef";
  spec.model.name = "m";
  nlohmann::json encoded = to_json(spec);
  EXPECT_FALSE(encoded.at("model").contains("macs"));
  EXPECT_EQ(test_spec_from_json(encoded).model.macs, std::nullopt);
  spec.model.macs = 4089184256;
  encoded = to_json(spec);
  EXPECT_EQ(encoded.at("model").at("macs"), 4089184256);
  EXPECT_EQ(test_spec_from_json(nlohmann::json::parse(encoded.dump())).model.macs, 4089184256);
  // Derived from the file, not part of what the test is: the id does not move.
  TestSpec without = spec;
  without.model.macs.reset();
  EXPECT_EQ(test_id(spec), test_id(without));
}

ModelConfig model(const std::string& name, const std::string& format, std::vector<int64_t> shape = {3, 224, 224}) {
  ModelConfig config;
  config.name = name;
  config.format = format;
  config.file = "/models/" + name + "." + format;
  config.input_shape = std::move(shape);
  return config;
}

TEST(ModelOps, AnotherFormatTakesTheCountOfTheSameNetworkInOnnx) {
  const std::vector<ModelConfig> models = {model("a", "torchscript"), model("a", "onnx"), model("b", "caffe"),
                                           model("c", "onnx", {3, 32, 32}), model("c", "torchscript")};
  EXPECT_EQ(onnx_source(models, 0), 1u);
  EXPECT_EQ(onnx_source(models, 1), 1u);
  EXPECT_EQ(onnx_source(models, 2), std::nullopt);  // no ONNX b: unknown
  EXPECT_EQ(onnx_source(models, 4), std::nullopt);  // another input shape is another count
}

TEST(ModelOps, PlannedTestsGetTheirModelsCount) {
  const std::vector<ModelConfig> models = {model("a", "onnx"), model("a", "torchscript"), model("b", "caffe")};
  const std::vector<ModelMacs> counts = {{300, ""}, {300, ""}, {std::nullopt, "no ONNX file of b in the sweep"}};
  std::vector<HostPlan> hosts(1);
  for (const auto& [name, format] : std::vector<std::pair<std::string, std::string>>{
           {"a", "onnx"}, {"a", "torchscript"}, {"b", "caffe"}}) {
    TestSpec spec;
    spec.model.name = name;
    spec.model.format = format;
    hosts[0].tests.push_back(spec);
  }
  annotate_macs(hosts, models, counts);
  EXPECT_EQ(hosts[0].tests[0].model.macs, 300);
  EXPECT_EQ(hosts[0].tests[1].model.macs, 300);
  EXPECT_EQ(hosts[0].tests[2].model.macs, std::nullopt);
}

TEST(ModelOps, AModelWithoutOnnxIsUnknownWithoutReadingAnything) {
  const std::vector<ModelMacs> counts = count_model_ops({model("b", "caffe")});
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].macs, std::nullopt);
  EXPECT_EQ(counts[0].reason, "no ONNX file of b in the sweep");
}

ReportRow measured_row(const std::string& device, std::optional<std::int64_t> macs, double fps) {
  ReportRow row;
  row.spec.id = "0123456789abcdef";
  row.spec.host = "h";
  row.spec.model.name = "resnet50";
  row.spec.model.macs = macs;
  row.spec.device = device;
  TestResult result;
  result.spec = row.spec;
  result.status = TestStatus::kOk;
  Measurement m;
  m.throughput.fps = fps;
  result.measurement = m;
  row.result = result;
  row.host_peak_gflops = 400.0;
  return row;
}

std::string csv_of(const std::vector<ReportRow>& rows) {
  std::ostringstream out;
  write_csv(out, rows);
  return out.str();
}

TEST(ReportEfficiency, CsvHasAchievedRateAndShareOfPeak) {
  // 2 x 4e9 MACs x 25 FPS = 200 GFLOP/s: half of a 400 GFLOP/s peak.
  const testing::CsvTable csv(csv_of({measured_row("cpu", 4000000000, 25)}));
  EXPECT_EQ(csv.at(0, "macs"), "4000000000");
  EXPECT_EQ(csv.at(0, "gflops"), "200.00");
  EXPECT_EQ(csv.at(0, "peak_gflops"), "400.0");
  EXPECT_EQ(csv.at(0, "peak_percent"), "50.00");
}

TEST(ReportEfficiency, UnknownCountOrGpuLeavesTheFiguresEmpty) {
  const testing::CsvTable csv(
      csv_of({measured_row("cpu", std::nullopt, 25), measured_row("cuda:0", 4000000000, 25)}));
  EXPECT_EQ(csv.at(0, "macs"), "");
  EXPECT_EQ(csv.at(0, "gflops"), "");
  EXPECT_EQ(csv.at(0, "peak_gflops"), "400.0");
  EXPECT_EQ(csv.at(0, "peak_percent"), "");
  EXPECT_EQ(csv.at(1, "gflops"), "200.00");
  EXPECT_EQ(csv.at(1, "peak_gflops"), "");  // the CPU's peak does not apply to a GPU
  EXPECT_EQ(csv.at(1, "peak_percent"), "");
}

TEST(ReportEfficiency, PageShowsRateAndShareAndTheHostsPeak) {
  ReportContext context;
  HostInfo info;
  info.gemm_peak = sample_peak();
  context.hosts = {{"h", info}};
  std::ostringstream page;
  write_html(page, context, {measured_row("cpu", 4000000000, 25), measured_row("cuda", 4000000000, 25)});
  const std::string html = page.str();
  // Each test's rate and share are on its host's page.
  std::ostringstream details;
  write_host_html(details, context, "h", {measured_row("cpu", 4000000000, 25), measured_row("cuda", 4000000000, 25)},
                  "../results.html");
  const std::string host = details.str();
  EXPECT_NE(host.find("<tr><th>Efficiency</th><td>200.00 GFLOP/s, 50.00 % of the host&#39;s GEMM peak</td></tr>"),
            std::string::npos)
      << host;
  EXPECT_NE(host.find("<tr><th>Efficiency</th><td>200.00 GFLOP/s (the host&#39;s GEMM peak is its CPU&#39;s: it does "
                      "not apply to cuda)</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<th>GEMM peak, GFLOP/s</th>"), std::string::npos);
  EXPECT_NE(html.find(">100.0</td>"), std::string::npos);
}

}  // namespace
}  // namespace dli
