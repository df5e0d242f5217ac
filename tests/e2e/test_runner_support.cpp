// End-to-end: what a host can run is decided by the runners installed on it (docs/runners.md).
// - the integrator and the agent link no framework; the runners do;
// - a host without a framework's runner, or without the device a test asks for, records those tests `unsupported`
//   with the reason, and the sweep is still a success (exit code 0);
// - accuracy tests reproduce the reference accuracy of the digits CNN under OpenCV DNN, ONNX Runtime, libtorch and
//   PyTorch.
// The real dli-integrator, dli-agent and runners on this machine, a file:// store.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const char* const kFrameworkLibraries[] = {"libopencv", "libtorch", "libc10", "libonnxruntime"};

std::string build_file(const std::string& name) { return std::string(DLI_BUILD_DIR) + "/" + name; }

// `ldd PATH`: the shared libraries the dynamic loader would map for that executable.
std::string ldd(const std::string& path) {
  const CommandOutput output = run_command("ldd " + shell_quote(path));
  EXPECT_EQ(output.exit_code, 0) << output.output;
  return output.output;
}

// The planned test (from the store's task list) behind a CSV row, and that row.
struct PlannedRow {
  Json spec;
  std::size_t row = 0;
};

class RunnerSupport : public SweepWorkspace {
 protected:
  // `dli-integrator run` with DLI_RUNNER_PATH removed from the environment: the agent then finds runners only beside
  // itself (docs/runners.md, section 1), whatever the environment the tests were started from.
  CommandOutput run_sweep_with(const std::string& sweep_file, const std::string& agent_exe = "") const {
    std::string command = "env -u DLI_RUNNER_PATH " + std::string(DLI_INTEGRATOR_EXE) + " run " +
                          shell_quote(dir.str(sweep_file)) + " --store " + shell_quote(store_url()) + " --out " +
                          shell_quote(out_dir()) + " --no-progress";
    if (!agent_exe.empty()) command += " --agent " + shell_quote(agent_exe);
    return run_command(command);
  }

  fs::path host_dir(const std::string& run_id) const {
    return fs::path(dir.str("store")) / "runs" / run_id / "hosts" / "local";
  }

  static Json read_json(const fs::path& path) {
    const std::string text = read_file(path.string());
    EXPECT_FALSE(text.empty()) << path << " is missing or empty";
    return text.empty() ? Json::object() : Json::parse(text);
  }

  // Every planned test of the local host, in plan order, with its row of results.csv (found by the `task` column).
  std::vector<PlannedRow> planned_rows(const std::string& run_id, const CsvTable& csv) const {
    std::vector<PlannedRow> rows;
    const Json tasks = read_json(host_dir(run_id) / "tasks.json");
    for (const Json& spec : tasks.at("tests")) {
      PlannedRow planned{spec, csv.size()};
      for (std::size_t row = 0; row < csv.size(); ++row) {
        if (csv.at(row, "task") == spec.at("id").get<std::string>()) planned.row = row;
      }
      EXPECT_LT(planned.row, csv.size()) << "no CSV row for task " << spec.at("id");
      if (planned.row < csv.size()) rows.push_back(std::move(planned));
    }
    return rows;
  }

  static std::string label(const Json& spec) {
    return spec.at("model").at("name").get<std::string>() + "/" + spec.at("framework").get<std::string>() + "/" +
           spec.at("device").get<std::string>() + "/" + spec.at("mode").get<std::string>() + "/b" +
           std::to_string(spec.at("batch").get<int>());
  }

  // The runners the agent described in host.json.
  std::map<std::string, Json> described_runners(const std::string& run_id) const {
    std::map<std::string, Json> runners;
    const Json host = read_json(host_dir(run_id) / "host.json");
    if (host.contains("runners")) {
      for (const Json& runner : host.at("runners")) runners[runner.at("framework").get<std::string>()] = runner;
    }
    return runners;
  }
};

// ---- a. the integrator and the agent link no framework -------------------------------------------------------

TEST_F(RunnerSupport, IntegratorAndAgentLinkNoFrameworkWhileTheRunnersDo) {
  for (const std::string& exe :
       {std::string(DLI_INTEGRATOR_EXE), std::string(DLI_AGENT_EXE), build_file("dli-run-null")}) {
    const std::string libraries = ldd(exe);
    ASSERT_NE(libraries.find("libc.so"), std::string::npos) << exe << ": ldd printed no libraries\n" << libraries;
    for (const char* framework : kFrameworkLibraries) {
      EXPECT_EQ(libraries.find(framework), std::string::npos) << exe << " links " << framework << ":\n" << libraries;
    }
  }
  // The same check on a runner that does link its framework: it would see it.
  ASSERT_TRUE(fs::exists(build_file("dli-run-opencv"))) << "dli-run-opencv was not built";
  const std::string opencv = ldd(build_file("dli-run-opencv"));
  EXPECT_NE(opencv.find("libopencv_dnn"), std::string::npos) << opencv;
  EXPECT_EQ(opencv.find("libtorch"), std::string::npos) << opencv;
  if (fs::exists(build_file("dli-run-torch"))) {
    const std::string torch = ldd(build_file("dli-run-torch"));
    EXPECT_NE(torch.find("libtorch"), std::string::npos) << torch;
    EXPECT_NE(torch.find("libc10"), std::string::npos) << torch;
    // (Debian's libtorch_cpu itself depends on OpenCV, so its runner's closure may hold libopencv_*: not checked.)
  }
}

// ---- b. a host without a framework ------------------------------------------------------------------------------

// The host's agent is a copy of dli-agent in a folder holding only dli-run-null: the runners it finds are those
// beside it (it locates itself through /proc/self/exe, so the copy is a real file, not a symlink).
TEST_F(RunnerSupport, HostWithoutOpenCvRunnerRecordsItsTestsUnsupportedAndTheSweepSucceeds) {
  const fs::path bin = dir.path() / "bare-host" / "bin";
  fs::create_directories(bin);
  fs::copy_file(DLI_AGENT_EXE, bin / "dli-agent");
  fs::copy_file(build_file("dli-run-null"), bin / "dli-run-null");
  for (const char* name : {"dli-agent", "dli-run-null"}) {
    fs::permissions(bin / name, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                    fs::perms::others_read | fs::perms::others_exec);
  }

  write_local_fleet();
  dir.write("sweep.yaml", R"(name: e2e-no-opencv
fleet: fleet.yaml
models:
  - {name: digits_cnn, file: )" + model("digits_cnn.onnx") + R"(, format: onnx, input_shape: [1, 8, 8]}
launchers: [opencv-dnn, "null"]
batch_sizes: [1, 2]
modes: [sync]
threads: [1]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}
)");
  const auto run = run_sweep_with("sweep.yaml", (bin / "dli-agent").string());
  EXPECT_EQ(run.exit_code, 0) << "unsupported tests are not failures\n" << run.output;
  EXPECT_NE(run.output.find(" 0 failed"), std::string::npos) << run.output;
  const std::string run_id = run_id_from(run.output);
  ASSERT_FALSE(run_id.empty()) << run.output;

  const std::string csv_text = read_file(dir.str("out/results.csv"));
  const CsvTable csv(csv_text);
  ASSERT_EQ(csv.size(), 4u) << csv_text;
  const auto rows = planned_rows(run_id, csv);
  ASSERT_EQ(rows.size(), 4u) << csv_text;
  int opencv = 0, null = 0;
  for (const auto& planned : rows) {
    const std::string framework = planned.spec.at("framework");
    const std::string status = csv.at(planned.row, "status"), error = csv.at(planned.row, "error");
    if (framework == "opencv-dnn") {
      ++opencv;
      EXPECT_EQ(status, "unsupported") << label(planned.spec) << ": " << error;
      EXPECT_NE(error.find("dli-run-opencv"), std::string::npos) << label(planned.spec) << ": " << error;
    } else {
      ++null;
      EXPECT_EQ(framework, "null");
      EXPECT_EQ(status, "ok") << label(planned.spec) << ": " << error;
      EXPECT_EQ(error, "") << label(planned.spec);
    }
  }
  EXPECT_EQ(opencv, 2);
  EXPECT_EQ(null, 2);

  // The agent that ran was the copy: it described only the runner beside it.
  const auto runners = described_runners(run_id);
  ASSERT_EQ(runners.count("null"), 1u);
  EXPECT_TRUE(runners.at("null").at("available").get<bool>());
  EXPECT_TRUE(runners.count("opencv-dnn") == 0 || !runners.at("opencv-dnn").at("available").get<bool>())
      << runners.at("opencv-dnn").dump();
}

// ---- c. cuda tests on a host without a GPU ----------------------------------------------------------------------

// null and opencv-dnn offer the CPU only (docs/runners.md, section 1), so their cuda tests are unsupported on any
// host. libtorch offers cuda:N only where it finds a GPU: its cuda test must be unsupported exactly when its
// description lists no cuda device (this machine has no GPU), and measured otherwise.
TEST_F(RunnerSupport, CudaTestsOnAHostWithoutTheDeviceAreUnsupportedAndCpuTestsMeasured) {
  write_local_fleet();
  std::string models = "  - {name: digits_cnn, file: " + model("digits_cnn.onnx") +
                       ", format: onnx, input_shape: [1, 8, 8]}\n";
  std::string launchers = "[\"null\", opencv-dnn]";
  const bool torch_built = fs::exists(build_file("dli-run-torch"));
  if (torch_built) {
    models += "  - {name: digits_cnn, file: " + model("digits_cnn.pt") + ", format: torchscript, input_shape: [1, 8, 8]}\n";
    launchers = "[\"null\", opencv-dnn, libtorch]";
  }
  dir.write("sweep.yaml", "name: e2e-devices\nfleet: fleet.yaml\nmodels:\n" + models + "launchers: " + launchers + R"(
batch_sizes: [1]
modes: [sync]
threads: [1]
devices: [cpu, cuda]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 120}
)");
  const auto run = run_sweep_with("sweep.yaml");
  EXPECT_EQ(run.exit_code, 0) << "unsupported tests are not failures\n" << run.output;
  EXPECT_NE(run.output.find(" 0 failed"), std::string::npos) << run.output;
  const std::string run_id = run_id_from(run.output);
  ASSERT_FALSE(run_id.empty()) << run.output;

  const auto runners = described_runners(run_id);
  bool torch_offers_cuda = false;
  if (runners.count("libtorch") == 1) {
    for (const Json& device : runners.at("libtorch").value("devices", Json::array())) {
      torch_offers_cuda = torch_offers_cuda || device.get<std::string>().rfind("cuda", 0) == 0;
    }
  }

  const std::string csv_text = read_file(dir.str("out/results.csv"));
  const CsvTable csv(csv_text);
  // null on both model files, opencv-dnn on the ONNX one, libtorch on the TorchScript one; each on cpu and cuda.
  const std::size_t expected = torch_built ? 8u : 4u;
  ASSERT_EQ(csv.size(), expected) << csv_text;
  const auto rows = planned_rows(run_id, csv);
  ASSERT_EQ(rows.size(), expected) << csv_text;
  std::map<std::string, int> per_device;
  for (const auto& planned : rows) {
    const std::string device = planned.spec.at("device"), framework = planned.spec.at("framework");
    const std::string status = csv.at(planned.row, "status"), error = csv.at(planned.row, "error");
    ++per_device[device];
    if (device == "cpu" || (framework == "libtorch" && torch_offers_cuda)) {
      EXPECT_EQ(status, "ok") << label(planned.spec) << ": " << error;
      EXPECT_EQ(error, "") << label(planned.spec);
    } else {
      ASSERT_EQ(device, "cuda");
      EXPECT_EQ(status, "unsupported") << label(planned.spec) << ": " << error;
      EXPECT_NE(error.find("cuda"), std::string::npos) << label(planned.spec) << ": " << error;
      EXPECT_NE(error.find(framework), std::string::npos) << label(planned.spec) << ": " << error;
    }
  }
  EXPECT_EQ(per_device["cpu"], static_cast<int>(expected / 2));
  EXPECT_EQ(per_device["cuda"], static_cast<int>(expected / 2));
}

// ---- d. accuracy end to end ---------------------------------------------------------------------------------------

class RunnerSupportAccuracy : public RunnerSupport {
 protected:
  // scripts/make_models.py's reference: the held-out accuracy of the trained network, computed in PyTorch.
  static Json reference() { return Json::parse(read_file(model("digits_ref.json"))); }

  // The accuracy results of a finished run, by framework.
  std::map<std::string, Json> accuracy_results(const std::string& run_id) const {
    std::map<std::string, Json> results;
    for (const auto& entry : fs::directory_iterator(host_dir(run_id) / "results")) {
      if (entry.path().extension() != ".json") continue;
      Json result = read_json(entry.path());
      if (result.at("spec").at("mode") != "accuracy") continue;
      const std::string framework = result.at("spec").at("framework");
      EXPECT_EQ(results.count(framework), 0u) << "two accuracy results for " << framework;
      results[framework] = std::move(result);
    }
    return results;
  }

  static void expect_reference_accuracy(const Json& result, const std::string& framework) {
    const Json ref = reference();
    SCOPED_TRACE(framework);
    ASSERT_EQ(result.at("status"), "ok") << result.dump(1);
    ASSERT_TRUE(result.at("accuracy").is_object()) << result.dump(1);
    const Json& accuracy = result.at("accuracy");
    EXPECT_EQ(accuracy.at("samples").get<long long>(), ref.at("test_rows").get<long long>());
    EXPECT_DOUBLE_EQ(accuracy.at("top1").get<double>(), ref.at("test_accuracy").get<double>());
    const double top5 = accuracy.at("top5").get<double>();
    EXPECT_GE(top5, accuracy.at("top1").get<double>());
    EXPECT_LE(top5, 1.0);
  }
};

// The set-up installs all four frameworks, so each must give the held-out figure: a conversion (ONNX, TorchScript) or
// a runner that changed quality would show here.
TEST_F(RunnerSupportAccuracy, DigitsCnnTop1EqualsTheReferenceInAllFourFrameworks) {
  write_local_fleet();
  dir.write("sweep.yaml", R"(name: e2e-accuracy
fleet: fleet.yaml
models:
  - {name: digits_cnn, file: )" + model("digits_cnn.onnx") + R"(, format: onnx, input_shape: [1, 8, 8]}
  - {name: digits_cnn, file: )" + model("digits_cnn.pt") + R"(, format: torchscript, input_shape: [1, 8, 8]}
launchers: [opencv-dnn, onnxruntime, libtorch, pytorch]
batch_sizes: [1]
modes: [sync]
threads: [1]
accuracy: [{model: digits_cnn, dataset: )" + model("digits_test.csv") + R"(, classes: 10}]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 120}
)");
  const auto run = run_sweep_with("sweep.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  ASSERT_FALSE(run_id.empty()) << run.output;

  const std::string csv_text = read_file(dir.str("out/results.csv"));
  const CsvTable csv(csv_text);
  ASSERT_EQ(csv.size(), 8u) << csv_text;  // per framework: one sync test and one accuracy test

  const auto results = accuracy_results(run_id);
  for (const char* framework : {"opencv-dnn", "onnxruntime", "libtorch", "pytorch"}) {
    ASSERT_EQ(results.count(framework), 1u) << framework;
    expect_reference_accuracy(results.at(framework), framework);
  }
}

// The same held-out samples as a folder of PGM images (docs/datasets.md, source 2) pack to the same dataset: the
// accuracy is the reference's too.
TEST_F(RunnerSupportAccuracy, DigitsImageFolderGivesTheSameTop1AsTheCsv) {
  write_local_fleet();
  dir.write("sweep.yaml", R"(name: e2e-accuracy-images
fleet: fleet.yaml
models:
  - {name: digits_cnn, file: )" + model("digits_cnn.onnx") + R"(, format: onnx, input_shape: [1, 8, 8]}
launchers: [opencv-dnn]
batch_sizes: [4]
modes: [sync]
threads: [1]
accuracy: [{model: digits_cnn, dataset: )" + model("digits_test") + R"(, classes: 10}]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 120}
)");
  const auto run = run_sweep_with("sweep.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  ASSERT_FALSE(run_id.empty()) << run.output;
  const auto results = accuracy_results(run_id);
  ASSERT_EQ(results.count("opencv-dnn"), 1u);
  // Batches of 4 over 355 samples: the last batch is padded, and the padding must not count.
  EXPECT_EQ(results.at("opencv-dnn").at("spec").at("batch"), 4);
  expect_reference_accuracy(results.at("opencv-dnn"), "opencv-dnn (image folder, batch 4)");
}

}  // namespace
}  // namespace dli::testing
