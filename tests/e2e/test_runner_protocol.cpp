// End-to-end: the real C++ runner executables through the runner protocol (docs/runners.md): `describe`'s document,
// `run --request R --result O` with its exit codes (section 3.4) and result files (3.3), the null runner's injected
// faults as the agent sees them (a signal, a hang, an exit without a result), and usage errors.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/assess.hpp"
#include "dli/protocol/runner_protocol.hpp"
#include "dli/util/version.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kBuildDir = DLI_BUILD_DIR;
const std::string kRunNull = kBuildDir + "/dli-run-null";

// How a runner process ended, and what it printed.
struct Exit {
  bool exited = false;    // ended by exit(); `code` is its status
  int code = -1;
  bool signaled = false;  // killed by a signal; `signal` is which
  int signal = 0;
  bool timed_out = false;  // still running at the limit: killed by the test
  std::string out;
  std::string err;
};

std::string describe_exit(const Exit& exit) {
  std::string text = exit.timed_out  ? "timed out"
                     : exit.exited   ? "exited with code " + std::to_string(exit.code)
                     : exit.signaled ? "killed by signal " + std::to_string(exit.signal)
                                     : "did not end";
  return text + "\n--- stdout ---\n" + exit.out + "\n--- stderr ---\n" + exit.err;
}

// Runs `argv` (no shell) with stdin from /dev/null, stdout and stderr to files in `dir`, core dumps off; kills it
// when it is still running after `limit`. The agent's view of a runner: waitpid's status.
Exit run_process(const TempDir& dir, const std::vector<std::string>& argv,
                 std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const std::string out_path = dir.str("stdout.txt");
  const std::string err_path = dir.str("stderr.txt");
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  Exit result;
  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork failed: " << errno;
    return result;
  }
  if (pid == 0) {  // the child: async-signal-safe calls only
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      ADD_FAILURE() << "waitpid failed: " << errno;
      return result;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);  // our own child, by its id
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!result.timed_out) {
    result.exited = WIFEXITED(status);
    result.code = result.exited ? WEXITSTATUS(status) : -1;
    result.signaled = WIFSIGNALED(status);
    result.signal = result.signaled ? WTERMSIG(status) : 0;
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

// A sync test of digits_cnn for the null runner (it reads no model file).
RunnerRequest null_request(std::map<std::string, std::string> params = {}) {
  RunnerRequest request;
  TestSpec& spec = request.spec;
  spec.id = "00000000000000aa";
  spec.host = "local";
  spec.model.name = "digits_cnn";
  spec.model.format = "onnx";
  spec.model.precision = "fp32";
  spec.model.input_shape = {1, 8, 8};
  spec.model.file_name = "digits_cnn.onnx";
  spec.framework = "null";
  spec.params = std::move(params);
  spec.batch = 2;
  spec.mode = Mode::kSync;
  spec.threads = 1;
  spec.requests = 1;
  spec.device = "cpu";
  spec.measure.iterations = 10;
  spec.measure.min_seconds = 0;
  spec.measure.warmup_iterations = 1;
  spec.measure.timeout_seconds = 60;
  request.model_path = (fs::path(DLI_MODELS_DIR) / "digits_cnn.onnx").string();
  return request;
}

class RunnerProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_regular_file(kRunNull)) << "no dli-run-null at " << kRunNull << " (DLI_BUILD_DIR)";
    fs::create_directories(dir.path() / "work");
  }

  std::string request_file(const json& request) const { return dir.write("work/request.json", request.dump(2)); }
  std::string result_file() const { return dir.str("work/result.json"); }

  // `dli-run-null run --request R --result O` on `request`.
  Exit run(const json& request, std::chrono::milliseconds limit = std::chrono::seconds(60)) const {
    return run_process(dir, {kRunNull, "run", "--request", request_file(request), "--result", result_file()}, limit);
  }

  // The result file, read and checked by the agent's own decoder (which also requires an ok result to carry what
  // its mode produces).
  RunnerResult read_result(Mode mode = Mode::kSync) const {
    return runner_result_from_json(json::parse(read_file(result_file())), mode);
  }

  // Only the request, the result and its request times are left in the working folder: the temporary files were
  // renamed.
  void expect_no_leftovers() const {
    for (const auto& entry : fs::directory_iterator(dir.path() / "work")) {
      const std::string name = entry.path().filename().string();
      EXPECT_TRUE(name == "request.json" || name == "result.json" || name == "result.json.times")
          << "left behind: " << name;
    }
  }

  TempDir dir;
};

TEST_F(RunnerProtocol, NullDescribePrintsOneValidDescription) {
  const Exit exit = run_process(dir, {kRunNull, "describe"});
  ASSERT_TRUE(exit.exited && exit.code == 0) << describe_exit(exit);
  // Nothing but the document on stdout: it parses whole.
  const json doc = json::parse(exit.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << describe_exit(exit);
  const RunnerDescription description = runner_description_from_json(doc);
  EXPECT_EQ(doc.at("runner_protocol"), kRunnerProtocolVersion);
  EXPECT_EQ(description.framework, "null");
  EXPECT_EQ(description.version, std::string("dli ") + kVersion);
  EXPECT_EQ(description.formats, std::vector<std::string>{"*"});
  EXPECT_EQ(description.devices, std::vector<std::string>{"cpu"});
  EXPECT_TRUE(description.available);
  EXPECT_TRUE(description.reason.empty()) << description.reason;
}

TEST_F(RunnerProtocol, EveryBuiltCppRunnerDescribesItselfValidly) {
  const std::vector<std::pair<std::string, std::string>> runners = {
      {"dli-run-null", "null"}, {"dli-run-opencv", "opencv-dnn"}, {"dli-run-torch", "libtorch"},
      {"dli-run-command", "command"}};
  int found = 0;
  for (const auto& [executable, framework] : runners) {
    const std::string path = kBuildDir + "/" + executable;
    if (!fs::is_regular_file(path)) continue;  // built only where its framework is installed
    ++found;
    SCOPED_TRACE(executable);
    const Exit exit = run_process(dir, {path, "describe"});
    ASSERT_TRUE(exit.exited && exit.code == 0) << describe_exit(exit);
    const json doc = json::parse(exit.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << describe_exit(exit);
    const RunnerDescription description = runner_description_from_json(doc);
    EXPECT_EQ(description.framework, framework);
    if (description.available) {
      EXPECT_FALSE(description.version.empty());
      EXPECT_FALSE(description.formats.empty());
      EXPECT_FALSE(description.devices.empty());
    } else {
      EXPECT_FALSE(description.reason.empty()) << "not available must say why";
    }
  }
  EXPECT_GE(found, 2) << "dli-run-null and dli-run-opencv are always built here";
}

TEST_F(RunnerProtocol, NullRunMeasuresExitsZeroAndWritesAnOkResult) {
  const RunnerRequest request = null_request({{"sleep_ms", "1"}});
  const Exit exit = run(to_json(request));
  ASSERT_TRUE(exit.exited) << describe_exit(exit);
  EXPECT_EQ(exit.code, runner_exit::kOk) << describe_exit(exit);
  const RunnerResult result = read_result();
  EXPECT_EQ(result.status, RunnerStatus::kOk) << result.reason;
  EXPECT_TRUE(result.reason.empty());
  EXPECT_EQ(result.framework_version, std::string("dli ") + kVersion) << "as in describe";
  ASSERT_TRUE(result.measurement.has_value());
  // The times travel beside the result in binary; the agent computes the figures from them (runner protocol 2).
  RawMeasurement raw = *result.measurement;
  ASSERT_EQ(raw.times_file, "result.json.times");
  std::int64_t total = 0;
  for (const auto count : raw.stream_counts) total += count;
  raw.request_seconds = decode_request_times(read_file((dir.path() / "work" / raw.times_file).string()), total);
  const Measurement figures = assess(raw, request.spec);
  EXPECT_GE(figures.iterations, request.spec.measure.iterations);
  EXPECT_GE(figures.request.min, 0.001);
  EXPECT_NEAR(figures.throughput.fps, 2 / figures.throughput.latency_s, 1e-9 * figures.throughput.fps);
  EXPECT_FALSE(result.accuracy.has_value());
  EXPECT_TRUE(exit.out.empty()) << "logs go to stderr, never stdout: " << exit.out;
  expect_no_leftovers();
}

TEST_F(RunnerProtocol, AnotherProtocolVersionFailsNamingBothVersions) {
  json request = to_json(null_request());
  request["runner_protocol"] = kRunnerProtocolVersion + 1;
  const Exit exit = run(request);
  ASSERT_TRUE(exit.exited) << describe_exit(exit);
  EXPECT_EQ(exit.code, runner_exit::kFailed) << describe_exit(exit);
  const RunnerResult result = read_result();
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("protocol 3"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("speaks 2"), std::string::npos) << result.reason;
  EXPECT_FALSE(result.measurement.has_value());
}

TEST_F(RunnerProtocol, CudaForTheNullRunnerIsUnsupportedWithExitThree) {
  RunnerRequest request = null_request();
  request.spec.device = "cuda";
  const Exit exit = run(to_json(request));
  ASSERT_TRUE(exit.exited) << describe_exit(exit);
  EXPECT_EQ(exit.code, runner_exit::kUnsupported) << describe_exit(exit);
  const RunnerResult result = read_result();
  EXPECT_EQ(result.status, RunnerStatus::kUnsupported);
  EXPECT_NE(result.reason.find("cuda"), std::string::npos) << result.reason;
  expect_no_leftovers();
}

TEST_F(RunnerProtocol, BadParamsAndUnreadableRequestsFailWithExitOne) {
  const Exit bad_param = run(to_json(null_request({{"sleep_ms", "soon"}})));
  ASSERT_TRUE(bad_param.exited) << describe_exit(bad_param);
  EXPECT_EQ(bad_param.code, runner_exit::kFailed) << describe_exit(bad_param);
  RunnerResult result = read_result();
  EXPECT_EQ(result.status, RunnerStatus::kFailed);
  EXPECT_NE(result.reason.find("sleep_ms"), std::string::npos) << result.reason;

  // Not JSON, and a request without its spec: a failed result saying so, exit 1.
  for (const std::string& text : {std::string("{ not json"), std::string(R"({"runner_protocol": 1})")}) {
    const std::string request = dir.write("work/request.json", text);
    const Exit exit = run_process(dir, {kRunNull, "run", "--request", request, "--result", result_file()});
    ASSERT_TRUE(exit.exited) << describe_exit(exit);
    EXPECT_EQ(exit.code, runner_exit::kFailed) << text << "\n" << describe_exit(exit);
    result = read_result();
    EXPECT_EQ(result.status, RunnerStatus::kFailed);
    EXPECT_FALSE(result.reason.empty());
  }
  const std::string missing = dir.str("work/no-such-request.json");
  const Exit exit = run_process(dir, {kRunNull, "run", "--request", missing, "--result", result_file()});
  ASSERT_TRUE(exit.exited) << describe_exit(exit);
  EXPECT_EQ(exit.code, runner_exit::kFailed) << describe_exit(exit);
  EXPECT_NE(read_result().reason.find(missing), std::string::npos);
}

TEST_F(RunnerProtocol, AResultThatCannotBeWrittenIsExitOne) {
  const std::string request = request_file(to_json(null_request()));
  const Exit exit =
      run_process(dir, {kRunNull, "run", "--request", request, "--result", dir.str("no/such/folder/result.json")});
  ASSERT_TRUE(exit.exited) << describe_exit(exit);
  EXPECT_EQ(exit.code, runner_exit::kFailed) << describe_exit(exit);
}

// The faults: what the agent must record as crashed, timeout, failed (docs/runners.md 3.5). None writes a result.

TEST_F(RunnerProtocol, CrashFaultDiesBySigsegv) {
  const Exit exit = run(to_json(null_request({{"fault", "crash"}})));
  ASSERT_TRUE(exit.signaled) << describe_exit(exit);
  EXPECT_EQ(exit.signal, SIGSEGV) << describe_exit(exit);
  EXPECT_NE(exit.err.find("fault=crash"), std::string::npos) << "says so first: " << exit.err;
  EXPECT_FALSE(fs::exists(result_file()));
}

TEST_F(RunnerProtocol, AbortFaultDiesBySigabrt) {
  const Exit exit = run(to_json(null_request({{"fault", "abort"}})));
  ASSERT_TRUE(exit.signaled) << describe_exit(exit);
  EXPECT_EQ(exit.signal, SIGABRT) << describe_exit(exit);
  EXPECT_FALSE(fs::exists(result_file()));
}

TEST_F(RunnerProtocol, HangFaultBlocksUntilKilled) {
  const Exit exit = run(to_json(null_request({{"fault", "hang"}})), std::chrono::milliseconds(1500));
  EXPECT_TRUE(exit.timed_out) << describe_exit(exit);
  EXPECT_NE(exit.err.find("fault=hang"), std::string::npos) << exit.err;
  EXPECT_FALSE(fs::exists(result_file()));
}

// Exit code 3 means "unsupported, result written with status unsupported" (3.4). The exit fault ends the process
// with code 3 during load and writes no result: it fakes a runner breaking the protocol, and only the missing result
// tells the agent so ("exited with code 3 and wrote no result", 3.5), never a real unsupported.
TEST_F(RunnerProtocol, ExitFaultEndsWithCodeThreeAndNoResult) {
  const Exit exit = run(to_json(null_request({{"fault", "exit"}})));
  ASSERT_TRUE(exit.exited) << describe_exit(exit);
  EXPECT_EQ(exit.code, 3) << describe_exit(exit);
  EXPECT_NE(exit.err.find("fault=exit"), std::string::npos) << exit.err;
  EXPECT_FALSE(fs::exists(result_file())) << "a code-3 exit with an unsupported result would be a real refusal";
}

TEST_F(RunnerProtocol, UsageErrorsExitTwoAndPrintNothingOnStdout) {
  const std::string request = request_file(to_json(null_request()));
  const std::vector<std::vector<std::string>> usages = {
      {kRunNull},
      {kRunNull, "frobnicate"},
      {kRunNull, "describe", "--verbose"},
      {kRunNull, "run"},
      {kRunNull, "run", "--request", request},
      {kRunNull, "run", "--result", result_file(), "--request", request},
      {kRunNull, "run", "--request", request, "--result", result_file(), "extra"},
  };
  for (const auto& argv : usages) {
    std::string line;
    for (const auto& arg : argv) line += arg + " ";
    SCOPED_TRACE(line);
    const Exit exit = run_process(dir, argv);
    ASSERT_TRUE(exit.exited) << describe_exit(exit);
    EXPECT_EQ(exit.code, runner_exit::kUsage) << describe_exit(exit);
    EXPECT_TRUE(exit.out.empty()) << exit.out;
    EXPECT_NE(exit.err.find("usage"), std::string::npos) << exit.err;
    EXPECT_FALSE(fs::exists(result_file())) << "a usage error runs nothing";
  }
}

}  // namespace
}  // namespace dli::testing
