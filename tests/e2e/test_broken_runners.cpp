// End-to-end: the agent's reading of a runner that breaks the runner protocol (docs/runners.md 3.5). A runner here
// is a shell script installed as dli-run-null along $DLI_RUNNER_PATH, which the agent searches before its own
// folder; each script breaks the protocol one way, as a faulty framework wrapper would.
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

constexpr const char* kDescription =
    R"({"runner_protocol":2,"framework":"null","version":"broken 1","formats":["*"],"devices":["cpu"],)"
    R"("available":true,"reason":""})";

class BrokenRunner : public SweepWorkspace {
 protected:
  // A dli-run-null whose `describe` prints `describe_output` and whose `run` executes `run_body` with the request
  // path in $3 and the result path in $5.
  void install_runner(const std::string& run_body, const std::string& describe_output = kDescription) const {
    const std::string path = dir.str("runners/dli-run-null");
    dir.write("runners/dli-run-null", "#!/bin/sh\ncase \"$1\" in\n  describe) echo '" + describe_output +
                                          "' ;;\n  run)\n" + run_body + "\n ;;\nesac\n");
    ::chmod(path.c_str(), 0755);
  }

  void write_null_sweep() const {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the null framework reads nothing");
    dir.write("sweep.yaml", R"(name: e2e-broken
fleet: fleet.yaml
models:
  - {name: m, file: model.onnx, format: onnx, input_shape: [4]}
launchers: ["null"]
batch_sizes: [1]
modes: [sync]
threads: [1]
measure: {iterations: 3, min_seconds: 0, warmup_iterations: 1, timeout_seconds: 3}
)");
  }

  // The one row of the sweep's CSV, after a run with the broken runner and `environment` set.
  CsvTable run_with_broken_runner(int expected_exit, const std::string& environment = "") const {
    write_null_sweep();
    const auto run = run_command(environment + " DLI_RUNNER_PATH=" + shell_quote(dir.str("runners")) + " " +
                                 std::string(DLI_INTEGRATOR_EXE) + " run " + shell_quote(dir.str("sweep.yaml")) +
                                 " --store " + shell_quote(store_url()) + " --out " + shell_quote(out_dir()) +
                                 " --no-progress");
    EXPECT_EQ(run.exit_code, expected_exit) << run.output;
    CsvTable csv(read_file(dir.str("out/results.csv")));
    EXPECT_EQ(csv.size(), 1u);
    return csv;
  }
};

TEST_F(BrokenRunner, ExitingWithoutAResultIsAFailureNamingIt) {
  install_runner("echo 'framework exploded' >&2; exit 0");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "failed");
  EXPECT_EQ(csv.at(0, "error"), "exited with code 0 and wrote no result: framework exploded");
}

TEST_F(BrokenRunner, AMalformedResultIsAFailure) {
  install_runner("printf '{\"runner_protocol\": 2, \"status\": ' > \"$5\"; exit 0");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "failed");
  EXPECT_EQ(csv.at(0, "error").rfind("malformed result: ", 0), 0u) << csv.at(0, "error");
}

TEST_F(BrokenRunner, AResultWithoutItsMeasurementIsAFailure) {
  install_runner(R"(echo '{"runner_protocol":2,"status":"ok","reason":"","framework_version":"x"}' > "$5")");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "failed");
  EXPECT_EQ(csv.at(0, "error"), "malformed result: result: status ok without 'measurement'");
}

TEST_F(BrokenRunner, AnotherProtocolVersionIsAFailureNamingBoth) {
  install_runner(R"(echo '{"runner_protocol":3,"status":"ok","reason":"","framework_version":"x"}' > "$5")");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "failed");
  EXPECT_EQ(csv.at(0, "error"), "malformed result: runner protocol 3; this build speaks 2");
}

TEST_F(BrokenRunner, AnExitCodeThatContradictsTheResultIsAFailure) {
  install_runner(R"(echo '{"runner_protocol":2,"status":"unsupported","reason":"no","framework_version":"x"}' > "$5"
exit 0)");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "failed");
  EXPECT_EQ(csv.at(0, "error"), "exited with code 0 but its result says unsupported");
}

TEST_F(BrokenRunner, AnUnsupportedAnswerIsRecordedWithItsReasonAndIsNotAFailure) {
  install_runner(R"(echo '{"runner_protocol":2,"status":"unsupported","reason":"no such engine here","framework_version":"x"}' > "$5"
exit 3)");
  const CsvTable csv = run_with_broken_runner(0);
  EXPECT_EQ(csv.at(0, "status"), "unsupported");
  EXPECT_EQ(csv.at(0, "error"), "no such engine here");
}

TEST_F(BrokenRunner, ACrashIsRecordedWithItsSignal) {
  install_runner("kill -SEGV $$");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "crashed");
  EXPECT_EQ(csv.at(0, "error"), "killed by signal 11 (SIGSEGV)");
}

TEST_F(BrokenRunner, AHangIsKilledAtTheTimeout) {
  install_runner("sleep 60");
  const CsvTable csv = run_with_broken_runner(1);
  EXPECT_EQ(csv.at(0, "status"), "timeout");
  EXPECT_EQ(csv.at(0, "error"), "exceeded 3 s; process group killed");
}

TEST_F(BrokenRunner, ARunnerWhoseDescribeIsGarbageIsNotStartedAndItsTestsAreUnsupported) {
  install_runner("touch " + shell_quote(dir.str("started")), "this is not json");
  const CsvTable csv = run_with_broken_runner(0);
  EXPECT_EQ(csv.at(0, "status"), "unsupported");
  EXPECT_NE(csv.at(0, "error").find("dli-run-null describe: "), std::string::npos) << csv.at(0, "error");
  EXPECT_FALSE(std::filesystem::exists(dir.str("started"))) << "a runner that cannot describe itself is never started";
}

TEST_F(BrokenRunner, TheRunnerSeesNoStoreCredentials) {
  // A runner is the framework's code: it needs no store access, so the agent hands it a scrubbed environment.
  install_runner("env > " + shell_quote(dir.str("runner.env")) + "; exit 1");
  run_with_broken_runner(1, "DLI_STORE_USER=bench DLI_STORE_PASSWORD=s3cret-word DLI_CREDENTIALS_FILE=/nowhere");
  const std::string environment = read_file(dir.str("runner.env"));
  EXPECT_EQ(environment.find("s3cret-word"), std::string::npos) << environment;
  EXPECT_EQ(environment.find("DLI_STORE_"), std::string::npos) << environment;
  EXPECT_EQ(environment.find("DLI_CREDENTIALS_FILE"), std::string::npos) << environment;
  EXPECT_NE(environment.find("DLI_RUNNER_PROTOCOL=2"), std::string::npos) << environment;
  EXPECT_NE(environment.find("PATH="), std::string::npos) << environment;
}

}  // namespace
}  // namespace dli::testing
