// A frozen agent still holds its run when `resume` starts another (issue 9): the new agent does not run, says so
// in the host's status, and the integrator follows the old agent's heartbeat instead of waiting for the new one;
// once the old agent thaws and finishes, every result is there exactly once.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "e2e/sweep_fixture.hpp"
#include "support/csv_table.hpp"
#include "support/host_status_files.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class AgentConflict : public SweepWorkspace {
 protected:
  void write_slow_null_sweep() const {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the null framework reads nothing");
    // Six tests of about a second each.
    dir.write("sweep.yaml", "name: conflict\nfleet: fleet.yaml\nmodels:\n  - {name: m, file: " + dir.str("model.onnx") +
                                ", format: onnx, input_shape: [1, 8, 8]}\n"
                                "launchers:\n  - {framework: \"null\", params: {sleep_ms: 100}}\n"
                                "batch_sizes: [1, 2, 3]\nmodes: [sync, async]\nthreads: [2]\n"
                                "measure: {iterations: 10, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}\n");
  }
  int results_in_store(const std::string& run_id) const {
    int count = 0;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir.str("store/runs/" + run_id + "/hosts/local/results"), error)) {
      count += entry.path().extension() == ".json";
    }
    return count;
  }
  static int pid_in(const std::string& status) {
    const auto at = status.find("\"pid\":");
    return at == std::string::npos ? 0 : std::atoi(status.c_str() + at + 6);
  }
};

TEST_F(AgentConflict, ResumeWhileAFrozenAgentHoldsTheRunFollowsThatAgentAndLosesNothing) {
  write_slow_null_sweep();
  // The first integrator, in the background; its pid to kill it like a crashed one.
  const auto started = run_command("(" + std::string(DLI_INTEGRATOR_EXE) + " run " + shell_quote(dir.str("sweep.yaml")) +
                                   " --store " + shell_quote(store_url()) + " --out " + shell_quote(dir.str("out1")) +
                                   " --no-progress > " + shell_quote(dir.str("first.log")) + " 2>&1 & echo $! > " +
                                   shell_quote(dir.str("first.pid")) + ")");
  ASSERT_EQ(started.exit_code, 0);
  std::string run_id;
  for (int i = 0; i < 600 && run_id.empty(); ++i) {
    std::this_thread::sleep_for(50ms);
    run_id = run_id_from(read_file(dir.str("first.log")));
  }
  ASSERT_FALSE(run_id.empty()) << read_file(dir.str("first.log"));
  for (int i = 0; i < 600 && results_in_store(run_id) < 2; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_GE(results_in_store(run_id), 2) << read_file(dir.str("first.log"));
  const int frozen = pid_in(latest_status_document(dir.str("store"), run_id, "local"));
  ASSERT_GT(frozen, 0);
  ASSERT_EQ(::kill(frozen, SIGSTOP), 0);
  ASSERT_EQ(::kill(std::stoi(read_file(dir.str("first.pid"))), SIGKILL), 0);
  const int measured_before = results_in_store(run_id);

  // resume: the new agent meets the lock; the host is lost only after the frozen one's silence (5 s here).
  const auto began = std::chrono::steady_clock::now();
  const auto resumed = integrator("resume " + run_id + " --fleet " + shell_quote(dir.str("fleet.yaml")) + " --store " +
                                  shell_quote(store_url()) + " --out " + shell_quote(dir.str("out2")) +
                                  " --no-progress --lost-after 5");
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("resume against a frozen agent ended after %.1f s (lost after 5 s of silence)\n", took);
  EXPECT_EQ(resumed.exit_code, 3) << resumed.output;
  EXPECT_NE(resumed.output.find("another agent (pid " + std::to_string(frozen) + ") still runs this host's run"),
            std::string::npos)
      << resumed.output;
  EXPECT_LT(took, 60.0);
  const CsvTable partial(read_file(dir.str("out2/results.csv")));
  int ok = 0;
  for (std::size_t row = 0; row < partial.size(); ++row) {
    if (partial.at(row, "status") == "ok") {
      ++ok;
    } else {
      EXPECT_EQ(partial.at(row, "status"), "not_run");
      EXPECT_NE(partial.at(row, "error").find("host lost"), std::string::npos) << partial.at(row, "error");
    }
  }
  EXPECT_EQ(ok, measured_before) << "what was measured before the freeze is reported";

  // The frozen agent thaws and finishes its run: nothing it measured is lost, nothing is measured twice.
  ASSERT_EQ(::kill(frozen, SIGCONT), 0);
  for (int i = 0; i < 1200 && ::kill(frozen, 0) == 0; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_NE(::kill(frozen, 0), 0) << "the old agent ends";
  const auto collected = integrator("collect " + run_id + " --store " + shell_quote(store_url()) + " --out " +
                                    shell_quote(dir.str("out3")));
  EXPECT_EQ(collected.exit_code, 0) << collected.output;
  const CsvTable all(read_file(dir.str("out3/results.csv")));
  ASSERT_EQ(all.size(), 6u);
  for (std::size_t row = 0; row < all.size(); ++row) EXPECT_EQ(all.at(row, "status"), "ok");
  EXPECT_EQ(results_in_store(run_id), 6);
}

}  // namespace
}  // namespace dli::testing
