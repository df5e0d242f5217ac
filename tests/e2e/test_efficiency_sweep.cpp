// End-to-end: the operation count planned from the real mobilenet_v2.onnx reaches the CSV and the page, the agent
// records its host's GEMM peak in host.json (and caches it for the boot), and the CSV's figures follow from them.
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/agent/gemm_peak_cache.hpp"
#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

class EfficiencySweep : public SweepWorkspace {
 protected:
  // One network as ONNX and as TorchScript: OpenCV DNN loads the first, the null runner both; the TorchScript
  // test's count comes from the ONNX file.
  void write_sweep() const {
    write_local_fleet();
    dir.write("sweep.yaml", R"(name: e2e-efficiency
fleet: fleet.yaml
models:
  - name: mobilenet_v2
    file: )" + model("mobilenet_v2.onnx") + R"(
    format: onnx
    input_shape: [3, 224, 224]
  - name: mobilenet_v2
    file: )" + model("mobilenet_v2.pt") + R"(
    format: torchscript
    input_shape: [3, 224, 224]
launchers: [opencv-dnn, "null"]
batch_sizes: [1]
modes: [sync]
threads: [2]
measure: {iterations: 4, min_seconds: 0, warmup_iterations: 1, timeout_seconds: 180}
)");
  }
};

TEST_F(EfficiencySweep, PlanPrintsTheCountOfEachModel) {
  write_sweep();
  const auto plan = integrator("plan " + shell_quote(dir.str("sweep.yaml")));
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("model mobilenet_v2 (onnx): 300.8 M multiply-accumulates per sample"), std::string::npos)
      << plan.output;
  EXPECT_NE(plan.output.find("model mobilenet_v2 (torchscript): 300.8 M multiply-accumulates per sample"),
            std::string::npos)
      << plan.output;
}

TEST_F(EfficiencySweep, CsvHasTheCountTheAchievedRateAndTheHostsPeak) {
  write_sweep();
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  const nlohmann::json host = nlohmann::json::parse(
      read_file((fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local" / "host.json").string()));
  ASSERT_TRUE(host.contains("gemm_peak")) << host.dump(1);
  const double peak = host.at("gemm_peak").at("gflops").get<double>();
  EXPECT_GT(peak, 0.0);
  EXPECT_EQ(host.at("gemm_peak").at("method"), "cblas_sgemm");
  EXPECT_TRUE(fs::exists(gemm_peak_cache_path())) << "measured once per boot, then cached";

  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), 3u);  // opencv-dnn on ONNX; the null runner, which loads any format, on both
  for (std::size_t row = 0; row < csv.size(); ++row) {
    ASSERT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "error");
    EXPECT_EQ(csv.at(row, "macs"), "300774272");
    const double fps = std::stod(csv.at(row, "fps"));
    const double gflops = std::stod(csv.at(row, "gflops"));
    EXPECT_NEAR(gflops, 2 * 300774272.0 * fps / 1e9, 0.01 + 1e-4 * gflops);
    EXPECT_NEAR(std::stod(csv.at(row, "peak_gflops")), peak, 0.05);
    EXPECT_NEAR(std::stod(csv.at(row, "peak_percent")), 100 * gflops / peak, 0.01 + 1e-3 * gflops / peak * 100);
  }
  const std::string html = read_file(dir.str("out/results.html"));
  EXPECT_NE(html.find("<th>GEMM peak, GFLOP/s</th>"), std::string::npos);
  // Each test's efficiency is on its host's page, which the table's cells link to.
  EXPECT_NE(read_file(dir.str("out/hosts/local.html")).find("% of the host&#39;s GEMM peak"), std::string::npos);
}

}  // namespace
}  // namespace dli::testing
