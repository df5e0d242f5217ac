// End-to-end: the real dli-run-command running real command lines through /bin/sh, among them the worked example
// configs/examples/command/torch_utils_benchmark.py timing mobilenet_v2 with torch.utils.benchmark
// (Debian's /usr/bin/python3 with python3-torch).
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/assess.hpp"
#include "dli/protocol/runner_protocol.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#ifndef DLI_RUN_COMMAND_EXE
// tests/CMakeLists.txt defines it as $<TARGET_FILE:dli-run-command>; without it every test here fails, saying so.
#define DLI_RUN_COMMAND_EXE ""
#endif

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

TestSpec test_spec_of(const Json& request) { return runner_request_from_json(request).spec; }

const std::string kExampleDir = std::string(DLI_SOURCE_DIR) + "/configs/examples/command";
const std::string kExampleScriptPlaceholder = "/opt/dli/command/torch_utils_benchmark.py";

// params.command of configs/examples/command/sweep.yaml (a folded `>-` block: its lines joined by spaces), with
// the script where this checkout has it: the test runs the example's own command line.
std::string example_command() {
  std::istringstream sweep(read_file(kExampleDir + "/sweep.yaml"));
  std::string line, command;
  bool inside = false;
  while (std::getline(sweep, line)) {
    if (line.find("command: >-") != std::string::npos) {
      inside = true;
    } else if (inside && line.rfind("        ", 0) == 0) {
      command += (command.empty() ? "" : " ") + line.substr(line.find_first_not_of(' '));
    } else if (inside) {
      break;
    }
  }
  const auto at = command.find(kExampleScriptPlaceholder);
  if (at == std::string::npos) return "false # sweep.yaml has no command naming " + kExampleScriptPlaceholder;
  return command.replace(at, kExampleScriptPlaceholder.size(), shell_quote(kExampleDir + "/torch_utils_benchmark.py"));
}

struct RunnerRun {
  int exit_code = -1;
  std::string output;  // the runner's and the command's stdout and stderr: the test log
  Json result;         // null when no result file was written
};

class CommandRunner : public ::testing::Test {
 protected:
  TempDir dir;

  void SetUp() override {
    ASSERT_TRUE(fs::is_regular_file(DLI_RUN_COMMAND_EXE))
        << "no dli-run-command at '" << DLI_RUN_COMMAND_EXE << "' (DLI_RUN_COMMAND_EXE)";
  }

  // A sync test of mobilenet_v2.pt on the CPU whose params.command is `command`.
  Json request(const std::string& command) const {
    return {
        {"runner_protocol", kRunnerProtocolVersion},
        {"spec",
         {{"id", "00c0ffee00c0ffee"},
          {"host", "local"},
          {"model",
           {{"name", "mobilenet_v2"},
            {"format", "torchscript"},
            {"precision", "fp32"},
            {"input_shape", {3, 224, 224}},
            {"file_name", "mobilenet_v2.pt"},
            {"sha256", std::string(64, '0')},
            {"config_name", ""},
            {"config_sha256", ""}}},
          {"framework", "command"},
          {"params", {{"command", command}}},
          {"batch", 1},
          {"mode", "sync"},
          {"threads", 2},
          {"requests", 1},
          {"device", "cpu"},
          {"dataset", {{"name", ""}, {"sha256", ""}}},
          {"measure",
           {{"iterations", 10}, {"min_s", 0.2}, {"warmup_iterations", 2}, {"warmup_s", 0}, {"timeout_s", 300}}}}},
        {"model_path", std::string(DLI_MODELS_DIR) + "/mobilenet_v2.pt"},
        {"config_path", ""},
        {"dataset_path", ""},
    };
  }

  RunnerRun run(const Json& request_json) const {
    dir.write("request.json", request_json.dump(2));
    RunnerRun run;
    const auto output = run_command("cd " + shell_quote(dir.str()) + " && " + shell_quote(DLI_RUN_COMMAND_EXE) +
                                    " run --request request.json --result result.json");
    run.exit_code = output.exit_code;
    run.output = output.output;
    const std::string text = read_file_quietly(dir.str("result.json"));
    if (!text.empty()) run.result = Json::parse(text, nullptr, false);
    return run;
  }
  RunnerRun run_command_line(const std::string& command) const { return run(request(command)); }

  // A complete, consistent result of the default request (sync, batch 1, 10 iterations, 0.2 s): request times of
  // 20, 21, ... 29 ms. Tests spoil one thing at a time.
  static Json good_result() {
    return Json::parse(R"({
      "runner_protocol": 2, "status": "ok", "reason": "", "framework_version": "LabTool 2.0",
      "measurement": {
        "framework_version": "LabTool 2.0", "load_s": 0.5, "first_inference_s": 0.05, "warmup_iterations": 2,
        "wall_s": 0.245, "stop_reason": "min_reached",
        "request_times": {"counts": [10],
                          "seconds": [0.020, 0.021, 0.022, 0.023, 0.024, 0.025, 0.026, 0.027, 0.028, 0.029]}
      },
      "accuracy": null,
      "details": {"timing": "the lab's own"}
    })");
  }

  // The command copies `canned` to {result} and exits `code`.
  RunnerRun run_canned(const Json& canned, int code = 0) const {
    const std::string path = dir.write("canned.json", canned.dump());
    return run_command_line("cp " + shell_quote(path) + " {result} && exit " + std::to_string(code));
  }
  RunnerRun run_canned_text(const std::string& canned) const {
    const std::string path = dir.write("canned.json", canned);
    return run_command_line("cp " + shell_quote(path) + " {result}");
  }
};

std::string reason_of(const RunnerRun& run) {
  return run.result.is_object() && run.result.contains("reason") ? run.result["reason"].dump() : "(no result)";
}

// Every result dli-run-command leaves is a complete runner protocol result.
void expect_protocol_result(const RunnerRun& run, const std::string& status, int exit_code) {
  EXPECT_EQ(run.exit_code, exit_code) << run.output;
  ASSERT_TRUE(run.result.is_object()) << run.output;
  EXPECT_EQ(run.result.value("runner_protocol", 0), kRunnerProtocolVersion);
  EXPECT_EQ(run.result.value("status", ""), status) << reason_of(run) << "\n" << run.output;
  EXPECT_TRUE(run.result.contains("reason") && run.result["reason"].is_string());
  EXPECT_TRUE(run.result.contains("framework_version") && run.result["framework_version"].is_string());
  EXPECT_TRUE(run.result.contains("measurement"));
  EXPECT_TRUE(run.result.contains("accuracy"));
  if (status != "ok") {
    EXPECT_FALSE(run.result["reason"].get<std::string>().empty());
    EXPECT_TRUE(run.result["measurement"].is_null());
  }
}

void expect_reason_contains(const RunnerRun& run, const std::string& part) {
  const std::string reason = run.result.is_object() ? run.result.value("reason", "") : "";
  EXPECT_NE(reason.find(part), std::string::npos) << "reason: " << reason << "\n" << run.output;
}

TEST_F(CommandRunner, DescribesItselfAsTheCommandFramework) {
  const auto output = run_command(shell_quote(DLI_RUN_COMMAND_EXE) + " describe 2>/dev/null");
  ASSERT_EQ(output.exit_code, 0) << output.output;
  const Json described = Json::parse(output.output);
  EXPECT_EQ(described["runner_protocol"], kRunnerProtocolVersion);
  EXPECT_EQ(described["framework"], "command");
  EXPECT_EQ(described["version"].get<std::string>().rfind("dli-run-command ", 0), 0u) << described;
  EXPECT_EQ(described["formats"], Json::array({"*"}));
  EXPECT_EQ(described["devices"], Json::array({"*"}));
  EXPECT_EQ(described["available"], true);
  EXPECT_EQ(described["reason"], "");
}

TEST_F(CommandRunner, TorchUtilsBenchmarkExampleMeasuresMobilenetV2) {
  const std::string command = example_command();
  ASSERT_EQ(command.rfind("/usr/bin/python3 ", 0), 0u) << command;
  Json req = request(command);
  req["spec"]["params"]["formats"] = "torchscript";
  req["spec"]["params"]["devices"] = "cpu";
  const RunnerRun run = this->run(req);
  expect_protocol_result(run, "ok", 0);
  ASSERT_TRUE(run.result["measurement"].is_object()) << run.output;
  const Json& m = run.result["measurement"];
  EXPECT_EQ(m["framework_version"].get<std::string>().rfind("PyTorch 1.", 0) == 0 ||
                m["framework_version"].get<std::string>().rfind("PyTorch 2.", 0) == 0,
            true)
      << m["framework_version"];
  EXPECT_NE(m["framework_version"].get<std::string>().find("torch.utils.benchmark"), std::string::npos);
  EXPECT_GE(m["warmup_iterations"].get<int>(), 2);
  EXPECT_GE(m["wall_s"].get<double>(), 0.2);
  // The agent's figures from the raw times (runner protocol 2).
  const RunnerResult decoded = runner_result_from_json(run.result, Mode::kSync);
  const Measurement figures = assess(*decoded.measurement, test_spec_of(req));
  EXPECT_GE(figures.iterations, 10);
  const double median = figures.request.median;
  EXPECT_GT(median, 1e-4) << "mobilenet_v2 on a CPU takes milliseconds";
  EXPECT_LT(median, 5.0);
  EXPECT_DOUBLE_EQ(figures.throughput.fps, 1.0 / median);
  EXPECT_GT(m["load_s"].get<double>(), 0.0);
  EXPECT_GT(m["first_inference_s"].get<double>(), 0.0);
  EXPECT_GT(m["peak_rss_kb"].get<long>(), 10000) << "torch and the model take tens of MB";
  EXPECT_EQ(run.result["details"]["timing"], "torch.utils.benchmark blocked_autorange, per-block means");
  EXPECT_EQ(run.result["details"]["intra_op_threads"], "2");
  // The command's output goes to the test log.
  EXPECT_NE(run.output.find("torch_utils_benchmark: ok"), std::string::npos) << run.output;
}

TEST_F(CommandRunner, TorchUtilsBenchmarkExampleAnswersAsyncModeUnsupported) {
  Json req = request(example_command());
  req["spec"]["mode"] = "async";
  req["spec"]["requests"] = 2;
  const RunnerRun run = this->run(req);
  expect_protocol_result(run, "unsupported", 3);
  expect_reason_contains(run, "mode async is not supported");  // the command's own reason is kept
}

TEST_F(CommandRunner, TorchUtilsBenchmarkExampleReportsAModelItCannotLoad) {
  Json req = request(example_command());
  req["model_path"] = std::string(DLI_MODELS_DIR) + "/mobilenet_v2.onnx";  // not TorchScript
  const RunnerRun run = this->run(req);
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "command exited with code 1: RuntimeError");  // the adapter's own reason is kept
}

TEST_F(CommandRunner, PlaceholdersReachTheCommandAsOneWordEach) {
  Json req = request("printf '%s\\n' {model} {config} {batch} {threads} {requests} {device} {mode} {format} "
                     "{input_shape} {iterations} {min_s} {warmup_iterations} {warmup_s} {request} {result} "
                     "{{literal}} > words.txt && exit 3");
  req["model_path"] = dir.str("lab's models/mobile net.pt");
  const RunnerRun run = this->run(req);
  expect_protocol_result(run, "unsupported", 3);
  const std::vector<std::string> expected = {dir.str("lab's models/mobile net.pt"),
                                             "",
                                             "1",
                                             "2",
                                             "1",
                                             "cpu",
                                             "sync",
                                             "torchscript",
                                             "3,224,224",
                                             "10",
                                             "0.2",
                                             "2",
                                             "0",
                                             dir.str("request.json"),
                                             dir.str("result.json"),
                                             "{literal}"};
  std::string lines;
  for (const auto& word : expected) lines += word + "\n";
  EXPECT_EQ(read_file_quietly(dir.str("words.txt")), lines);
}

TEST_F(CommandRunner, ExitCodeThreeWithoutAResultIsUnsupported) {
  const RunnerRun run = run_command_line("echo 'this lab tool cannot do that' >&2; exit 3");
  expect_protocol_result(run, "unsupported", 3);
  EXPECT_EQ(run.result["reason"], "the command exited with code 3");
  EXPECT_NE(run.output.find("this lab tool cannot do that"), std::string::npos) << "stderr goes to the log";
}

TEST_F(CommandRunner, ExitCodeThreeWithAnOkResultDisagreesAndFails) {
  const RunnerRun run = run_canned(good_result(), 3);
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "exited with code 3 but its result says ok");
}

TEST_F(CommandRunner, ACompleteResultIsAcceptedAndItsPeakMemoryFilledIn) {
  const RunnerRun run = run_canned(good_result());
  expect_protocol_result(run, "ok", 0);
  EXPECT_EQ(run.result["measurement"]["request_times"]["counts"], Json::array({10}));
  EXPECT_EQ(run.result["details"]["timing"], "the lab's own");
  ASSERT_TRUE(run.result["measurement"].contains("peak_rss_kb"));
  EXPECT_GT(run.result["measurement"]["peak_rss_kb"].get<long>(), 0) << "the command's own peak, from getrusage";

  Json with_rss = good_result();
  with_rss["measurement"]["peak_rss_kb"] = 123456;
  const RunnerRun kept = run_canned(with_rss);
  expect_protocol_result(kept, "ok", 0);
  EXPECT_EQ(kept.result["measurement"]["peak_rss_kb"], 123456) << "a figure the command gives is kept";
}

TEST_F(CommandRunner, AResultThatIsNotJsonIsMalformed) {
  const RunnerRun run = run_canned_text("fps: 812.5\n");
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "the command's result is malformed: not valid JSON");
}

TEST_F(CommandRunner, IncompleteOrInconsistentResultsAreMalformed) {
  struct Case {
    std::string what;
    std::function<void(Json&)> spoil;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"no stop reason", [](Json& r) { r["measurement"].erase("stop_reason"); },
       "result: missing field 'measurement.stop_reason'"},
      {"text time", [](Json& r) { r["measurement"]["request_times"]["seconds"][0] = "0.02"; },
       "result: field 'measurement.request_times.seconds[0]' expected number, got string"},
      {"negative time", [](Json& r) { r["measurement"]["request_times"]["seconds"][4] = -0.01; },
       "measurement.request_times.seconds' expected finite times >= 0"},
      {"counts", [](Json& r) { r["measurement"]["request_times"]["counts"] = {11}; },
       "expected 11 times (the sum of counts)"},
      {"too few",
       [](Json& r) {
         r["measurement"]["request_times"] = {{"counts", {5}}, {"seconds", {0.02, 0.02, 0.02, 0.02, 0.02}}};
       },
       "fewer than the test's measure.iterations 10"},
      {"too short", [](Json& r) { r["measurement"]["wall_s"] = 0.1; }, "shorter than the test's measure.min_s"},
      {"zero wall", [](Json& r) { r["measurement"]["wall_s"] = 0; }, "wall_s is 0, not above 0"},
      {"no measurement", [](Json& r) { r["measurement"] = nullptr; }, "result: status ok without 'measurement'"},
      {"version", [](Json& r) { r["runner_protocol"] = 1; }, "runner protocol 1; this build speaks 2"},
      {"status", [](Json& r) { r["status"] = "great"; },
       R"(result: field 'status' expected ok, unsupported or failed, got "great")"},
      {"details", [](Json& r) { r["details"]["threads"] = 2; },
       "result: field 'details.threads' expected string, got integer"},
  };
  for (const auto& each : cases) {
    SCOPED_TRACE(each.what);
    Json spoiled = good_result();
    each.spoil(spoiled);
    const RunnerRun run = run_canned(spoiled);
    expect_protocol_result(run, "failed", 1);
    expect_reason_contains(run, "the command's result is malformed: ");
    expect_reason_contains(run, each.reason);
  }
}

TEST_F(CommandRunner, AnAccuracyResultIsCheckedAgainstTheDataset) {
  // A packed dataset (docs/runners.md 5) of 5 samples: only its header is read here.
  const std::string header = R"({"count": 5, "shape": [1, 8, 8], "classes": 10})";
  std::string packed = "DLIDATA1";
  for (int shift = 0; shift < 32; shift += 8) packed += static_cast<char>((header.size() >> shift) & 0xff);
  packed += header;
  Json req = request("cp canned.json {result}");
  req["spec"]["mode"] = "accuracy";
  req["dataset_path"] = dir.write("digits.dlidata", packed);

  Json accurate = good_result();
  accurate["measurement"] = nullptr;
  accurate["accuracy"] = {{"samples", 5}, {"top1", 0.8}, {"top5", 1.0}};
  dir.write("canned.json", accurate.dump());
  const RunnerRun ok = run(req);
  expect_protocol_result(ok, "ok", 0);
  EXPECT_EQ(ok.result["accuracy"]["top1"], 0.8);

  accurate["accuracy"]["samples"] = 4;
  dir.write("canned.json", accurate.dump());
  const RunnerRun short_count = run(req);
  expect_protocol_result(short_count, "failed", 1);
  expect_reason_contains(short_count, "accuracy.samples is 4 but the dataset has 5");

  accurate["accuracy"] = {{"samples", 5}, {"top1", 0.9}, {"top5", 0.8}};
  dir.write("canned.json", accurate.dump());
  expect_reason_contains(run(req), "accuracy.top1 (0.9) is above accuracy.top5 (0.8)");
}

TEST_F(CommandRunner, ExitCodeZeroWithAResultSayingFailedIsFailed) {
  Json failed = good_result();
  failed["status"] = "failed";
  failed["reason"] = "engine build failed";
  failed["measurement"] = nullptr;
  const RunnerRun run = run_canned(failed);
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "exited with code 0 but its result says failed: engine build failed");
}

TEST_F(CommandRunner, ANonZeroExitFails) {
  const RunnerRun run = run_command_line("echo 'engine build failed' >&2; exit 7");
  expect_protocol_result(run, "failed", 1);
  EXPECT_EQ(run.result["reason"], "command exited with code 7");
  EXPECT_NE(run.output.find("engine build failed"), std::string::npos) << "its stderr is in the log";

  const RunnerRun missing = run_command_line("/nonexistent/benchmark_app -m {model}");
  expect_protocol_result(missing, "failed", 1);
  expect_reason_contains(missing, "command exited with code 127 (the shell found no such command)");
}

TEST_F(CommandRunner, ACommandKilledByASignalFails) {
  const RunnerRun run = run_command_line("kill -KILL $$");
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "killed by signal 9 (SIGKILL)");
}

TEST_F(CommandRunner, ExitCodeZeroWithoutAResultFails) {
  dir.write("result.json", good_result().dump());  // a stale result of an earlier run is not taken
  const RunnerRun run = run_command_line("true");
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "exited with code 0 but wrote no result");
}

TEST_F(CommandRunner, AFormatOrDeviceTheCommandDoesNotOfferIsUnsupportedWithoutRunningIt) {
  Json req = request("touch " + shell_quote(dir.str("marker")) + "; exit 0");
  req["spec"]["params"]["formats"] = "onnx, openvino";
  const RunnerRun format = run(req);
  expect_protocol_result(format, "unsupported", 3);
  expect_reason_contains(format, "does not take format torchscript (its formats: onnx, openvino)");
  EXPECT_FALSE(fs::exists(dir.str("marker"))) << "the command must not run";

  req["spec"]["params"]["formats"] = "torchscript";
  req["spec"]["params"]["devices"] = "cuda";
  const RunnerRun device = run(req);
  expect_protocol_result(device, "unsupported", 3);
  expect_reason_contains(device, "does not run on device cpu (its devices: cuda)");
  EXPECT_FALSE(fs::exists(dir.str("marker"))) << "the command must not run";
}

TEST_F(CommandRunner, AnUnknownPlaceholderFailsWithoutRunning) {
  const RunnerRun run = run_command_line("touch " + shell_quote(dir.str("marker")) + " {dir}/bench.py");
  expect_protocol_result(run, "failed", 1);
  expect_reason_contains(run, "parameter 'command': unknown placeholder {dir}");
  EXPECT_FALSE(fs::exists(dir.str("marker")));
}

TEST_F(CommandRunner, BadRequestsFail) {
  Json no_command = request("true");
  no_command["spec"]["params"].erase("command");
  expect_reason_contains(run(no_command), "parameter 'command' is required");

  Json unknown = request("true");
  unknown["spec"]["params"]["shell"] = "bash";
  expect_reason_contains(run(unknown), "unknown parameter 'shell'");

  Json other_version = request("true");
  other_version["runner_protocol"] = kRunnerProtocolVersion + 1;
  const RunnerRun refused = run(other_version);
  expect_protocol_result(refused, "failed", 1);
  expect_reason_contains(refused, "runner protocol 3; this build speaks 2");
}

}  // namespace
}  // namespace dli::testing
