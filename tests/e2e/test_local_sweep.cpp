// End-to-end: the real dli-integrator and dli-agent on this machine, a file:// store, real OpenCV inference.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

class LocalSweep : public SweepWorkspace {
 protected:
  void write_opencv_sweep() const {
    write_local_fleet();
    dir.write("sweep.yaml", R"(name: e2e-opencv
fleet: fleet.yaml
models:
  - name: mobilenet_v2
    file: )" + model("mobilenet_v2.onnx") + R"(
    format: onnx
    input_shape: [3, 224, 224]
launchers: [opencv-dnn]
batch_sizes: [1, 2]
modes: [sync, async]
threads: [2]
async_requests: [2]
measure: {iterations: 4, min_seconds: 0, warmup_iterations: 1, timeout_seconds: 180}
)");
  }
};

TEST_F(LocalSweep, RealOpenCvSweepMeasuresEveryTestIntoCsvAndHtml) {
  write_opencv_sweep();
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), 4u) << read_file(dir.str("out/results.csv"));
  for (std::size_t row = 0; row < csv.size(); ++row) {
    EXPECT_EQ(csv.at(row, "status"), "ok");
    EXPECT_EQ(csv.at(row, "model"), "mobilenet_v2");
    EXPECT_EQ(csv.at(row, "framework"), "opencv-dnn");
    EXPECT_EQ(csv.at(row, "host"), "local");
    EXPECT_GT(std::stod(csv.at(row, "fps")), 0.0);
    EXPECT_GT(std::stod(csv.at(row, "latency_ms")), 0.0);
    EXPECT_GE(std::stoi(csv.at(row, "iterations")), 4);
  }
  const std::string html = read_file(dir.str("out/results.html"));
  EXPECT_NE(html.find("mobilenet_v2"), std::string::npos);
  EXPECT_NE(html.find("Latency mode"), std::string::npos);
  EXPECT_NE(html.find("Throughput mode"), std::string::npos);
  EXPECT_NE(html.find("<h2>Hosts</h2>"), std::string::npos) << "the agent describes its machine";
  EXPECT_NE(html.find("OpenCV 4."), std::string::npos);

  // Each result was published to the store, carrying its log (whole: not published apart, docs/protocol.md 4.6).
  const std::string run_id = run_id_from(run.output);
  ASSERT_FALSE(run_id.empty()) << run.output;
  const fs::path host_dir = fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local";
  int results = 0, logs = 0;
  std::error_code none;
  for (const auto& entry : fs::directory_iterator(host_dir / "results")) results += entry.path().extension() == ".json";
  for (const auto& entry : fs::directory_iterator(host_dir / "logs", none)) logs += entry.path().extension() == ".log";
  EXPECT_EQ(results, 4);
  EXPECT_EQ(logs, 0);
  // The host page shows each result's log as text with the test's details.
  const std::string host_page = read_file(dir.str("out/hosts/local.html"));
  for (const auto& entry : fs::directory_iterator(host_dir / "results")) {
    const auto result = nlohmann::json::parse(read_file(entry.path().string()));
    const std::string log = result.at("log");
    EXPECT_NE(log.find("[dli-agent] "), std::string::npos) << log;
    const std::string shown = log.substr(0, log.find('\n'));  // the runner's first line (no character to escape)
    EXPECT_NE(host_page.find("<pre class=\"log\">" + shown), std::string::npos) << shown;
  }
}

TEST_F(LocalSweep, CollectRebuildsTheSameCsvFromTheStore) {
  write_opencv_sweep();
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  const auto collect = integrator("collect " + run_id + " --store " + shell_quote(store_url()) + " --out " +
                                  shell_quote(dir.str("again")));
  ASSERT_EQ(collect.exit_code, 0) << collect.output;
  EXPECT_EQ(read_file(dir.str("again/results.csv")), read_file(dir.str("out/results.csv")));
  EXPECT_TRUE(fs::exists(dir.str("again/results.html")));
}

TEST_F(LocalSweep, CrashingHangingAndFailingTestsAreRecordedWhileOthersAreMeasured) {
  write_local_fleet();
  dir.write("sweep.yaml", R"(name: e2e-faults
fleet: fleet.yaml
models:
  - name: digits_cnn
    file: )" + model("digits_cnn.onnx") + R"(
    format: onnx
    input_shape: [1, 8, 8]
launchers:
  - {framework: "null", params: {fault: crash}}
  - {framework: "null", params: {fault: hang}}
  - {framework: "null", params: {fault: exit}}
  - opencv-dnn
  - "null"
batch_sizes: [1]
modes: [sync]
threads: [1]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 4}
)");
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 1) << run.output;  // some tests failed, every host reached
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  ASSERT_EQ(csv.size(), 5u);
  EXPECT_EQ(csv.at(0, "status"), "crashed");
  EXPECT_NE(csv.at(0, "error").find("SIGSEGV"), std::string::npos) << csv.at(0, "error");
  EXPECT_EQ(csv.at(1, "status"), "timeout");
  EXPECT_NE(csv.at(1, "error").find("4"), std::string::npos) << csv.at(1, "error");
  EXPECT_EQ(csv.at(2, "status"), "failed");
  EXPECT_NE(csv.at(2, "error").find("code 3"), std::string::npos) << csv.at(2, "error");
  EXPECT_EQ(csv.at(3, "status"), "ok");
  EXPECT_EQ(csv.at(3, "framework"), "opencv-dnn");
  EXPECT_GT(std::stod(csv.at(3, "fps")), 0.0);
  EXPECT_EQ(csv.at(4, "status"), "ok");
  const std::string html = read_file(dir.str("out/results.html"));
  EXPECT_NE(html.find(",\"fail\""), std::string::npos) << "failed tests' cells (shown as '-')";
}

TEST_F(LocalSweep, BadYamlNamesFileLineColumnExitsTwoAndWritesNothing) {
  write_local_fleet();
  dir.write("sweep.yaml", "name: bad\nfleet: fleet.yaml\nmodels:\n  - name: m\n    file: " + model("digits_cnn.onnx") +
                              "\n    format: onnx\n    input_shape: [1, 8, 8]\nlaunchers: [opencv-dnn]\n"
                              "batch_sizes: [0]\nmodes: [sync]\nthreads: [1]\n");
  const auto run = run_sweep("sweep.yaml");
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find(dir.str("sweep.yaml") + ":9:"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("batch_sizes"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir.str("store")));
  EXPECT_FALSE(fs::exists(out_dir()));
}

TEST_F(LocalSweep, PlanListsTestsPerHostAndWritesNothing) {
  write_opencv_sweep();
  const auto plan = integrator("plan " + shell_quote(dir.str("sweep.yaml")));
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("4 tests on 1 hosts"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("mobilenet_v2/opencv-dnn/b2/async/t2"), std::string::npos) << plan.output;
  EXPECT_FALSE(fs::exists(dir.str("store")));
  EXPECT_FALSE(fs::exists(dir.str("agent")));
}

TEST_F(LocalSweep, AgentRerunSkipsMeasuredTestsUnlessToldToRedo) {
  write_local_fleet();
  dir.write("sweep.yaml", R"(name: e2e-rerun
fleet: fleet.yaml
models:
  - {name: digits_cnn, file: )" + model("digits_cnn.onnx") + R"(, format: onnx, input_shape: [1, 8, 8]}
launchers: ["null"]
batch_sizes: [1, 2]
modes: [sync]
threads: [1]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}
)");
  const auto run = run_sweep("sweep.yaml");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  const fs::path results = fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local" / "results";
  std::vector<std::string> before;
  for (const auto& entry : fs::directory_iterator(results)) before.push_back(read_file(entry.path().string()));
  std::sort(before.begin(), before.end());
  ASSERT_EQ(before.size(), 2u);

  const std::string agent_args = "run --store " + shell_quote(store_url()) + " --run " + run_id +
                                 " --host local --work-dir " + shell_quote(dir.str("agent"));
  const auto again = agent(agent_args);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  std::vector<std::string> unchanged;
  for (const auto& entry : fs::directory_iterator(results)) unchanged.push_back(read_file(entry.path().string()));
  std::sort(unchanged.begin(), unchanged.end());
  EXPECT_EQ(unchanged, before) << "a rerun must not touch measured tests";

  const auto redo = agent(agent_args + " --redo");
  ASSERT_EQ(redo.exit_code, 0) << redo.output;
  std::vector<std::string> redone;
  for (const auto& entry : fs::directory_iterator(results)) redone.push_back(read_file(entry.path().string()));
  std::sort(redone.begin(), redone.end());
  EXPECT_NE(redone, before) << "--redo measures again";
}

}  // namespace
}  // namespace dli::testing
