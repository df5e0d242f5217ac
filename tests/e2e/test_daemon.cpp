// `dli-integrator daemon` with the real binaries on this machine (a local host, a file:// store): two scheduled
// sweeps run one after the other and are published after each; a daemon killed mid-run is followed by one that
// resumes the run instead of starting its slot again; SIGHUP takes a changed lab file and refuses a broken one;
// SIGTERM drains (the agent goes on) and the next daemon collects the run.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dli/daemon/daemon_state.hpp"
#include "e2e/sweep_fixture.hpp"
#include "support/background_command.hpp"
#include "support/daemon_lab.hpp"
#include "support/csv_table.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kTestsPerRun = 3;

class DaemonSchedule : public SweepWorkspace {
 protected:
  void SetUp() override {
    write_local_fleet();
    dir.write("model.onnx", "not a model: the null framework reads nothing");
    for (const std::string name : {"alpha", "beta", "gamma"}) {
      // Three tests of about a second each.
      dir.write(name + ".yaml", "name: " + name + "\nfleet: fleet.yaml\nmodels:\n  - {name: m, file: model.onnx, "
                                "format: onnx, input_shape: [1, 8, 8]}\n"
                                "launchers:\n  - {framework: \"null\", params: {sleep_ms: 100}}\n"
                                "batch_sizes: [1, 2, 3]\nmodes: [sync]\nthreads: [1]\n"
                                "measure: {iterations: 10, min_seconds: 0, warmup_iterations: 0, timeout_seconds: 60}\n");
    }
  }

  void write_lab(const std::vector<std::string>& sweeps, const std::string& schedule = "0 3 1 1 *") const {
    dir.write("lab.yaml", daemon_lab_yaml(store_url(), "site", sweeps, schedule, "Europe/Berlin"));
  }

  std::unique_ptr<BackgroundCommand> start_daemon(const std::string& log) const {
    return testing::start_daemon(dir.str("lab.yaml"), dir.str(log));
  }

  DaemonState state() const { return daemon_state_or_empty(dir.str("state/daemon-state.json")); }

  int results_of(const std::string& run_id) const {
    int count = 0;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir.str("store/runs/" + run_id + "/hosts/local/results"), error)) {
      count += entry.path().extension() == ".json";
    }
    return count;
  }

  std::vector<std::string> runs_in_store() const { return run_ids_in(dir.str("store/runs")); }

  // The run of `sweep` once its process runs and has published a result; empty after `limit`.
  std::string wait_mid_run(const std::string& sweep, std::chrono::seconds limit = 60s) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      const DaemonState now = state();
      const ActiveRun* run = now.find_active(sweep);
      if (run != nullptr && run->pid > 0 && results_of(run->run_id) >= 1) return run->run_id;
      std::this_thread::sleep_for(50ms);
    }
    return "";
  }

  template <class Condition>
  static bool eventually(Condition condition, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(100ms);
    }
    return true;
  }

  // Every planned test of the run measured once: one result each in the store, one ok row each in its CSV.
  void expect_measured_once(const std::string& run_id) const {
    EXPECT_EQ(results_of(run_id), kTestsPerRun) << run_id;
    const CsvTable csv(read_file(dir.str("state/reports/" + run_id + "/results.csv")));
    ASSERT_EQ(csv.size(), static_cast<std::size_t>(kTestsPerRun)) << run_id;
    for (std::size_t row = 0; row < csv.size(); ++row) EXPECT_EQ(csv.at(row, "status"), "ok") << run_id;
  }
};

TEST_F(DaemonSchedule, RunsTwoSweepsSurvivesAKillReloadsAndDrains) {
  write_lab({"alpha", "beta"});
  auto daemon = start_daemon("daemon1.log");

  // Killed mid-run: its run id is in the state file, and the next daemon resumes that run.
  const std::string alpha = wait_mid_run("alpha");
  ASSERT_FALSE(alpha.empty()) << daemon->output();
  daemon->kill_now();
  ASSERT_NE(state().find_active("alpha"), nullptr);
  daemon = start_daemon("daemon2.log");
  ASSERT_TRUE(eventually(
      [&] {
        const DaemonState now = state();
        return now.sweeps.count("alpha") && now.sweeps.at("alpha").runs == 1 && now.sweeps.count("beta") &&
               now.sweeps.at("beta").runs == 1;
      },
      120s))
      << daemon->output();
  const DaemonState after = state();
  EXPECT_EQ(after.sweeps.at("alpha").last_run_id, alpha);
  EXPECT_EQ(after.sweeps.at("alpha").last_exit_code, 0);
  const std::string beta = after.sweeps.at("beta").last_run_id;
  EXPECT_EQ(runs_in_store(), (std::vector<std::string>{alpha, beta})) << "a slot ran twice";
  expect_measured_once(alpha);
  expect_measured_once(beta);
  EXPECT_NE(daemon->output().find("resumed run " + alpha), std::string::npos) << daemon->output();
  EXPECT_EQ(occurrences(daemon->output(), "daemon: published"), 2) << daemon->output();
  EXPECT_TRUE(fs::is_symlink(dir.str("site")));
  EXPECT_TRUE(fs::exists(dir.str("site/index.html")));

  const auto status = integrator("daemon status " + shell_quote(dir.str("lab.yaml")));
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_NE(status.output.find("daemon: running (pid " + std::to_string(daemon->pid()) + ")"), std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("sweep alpha: '0 3 1 1 *' in Europe/Berlin\n  next "), std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("+01:00 Europe/Berlin"), std::string::npos) << status.output;

  // A broken lab file is refused, and the one loaded before keeps running.
  write_lab({"alpha", "beta", "gamma"}, "0 99 * * *");
  ::kill(daemon->pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon->output().find("reload refused") != std::string::npos; }, 20s))
      << daemon->output();
  EXPECT_NE(daemon->output().find("lab.yaml:6:"), std::string::npos) << "file:line:column\n" << daemon->output();
  EXPECT_FALSE(daemon->exit_code().has_value());
  // A changed one is taken: the new sweep runs.
  write_lab({"alpha", "beta", "gamma"});
  ::kill(daemon->pid(), SIGHUP);
  const std::string gamma = wait_mid_run("gamma");
  ASSERT_FALSE(gamma.empty()) << daemon->output();

  // SIGTERM drains: the daemon ends at once, the agent goes on, the next daemon collects the run.
  ::kill(daemon->pid(), SIGTERM);
  EXPECT_EQ(daemon->wait_for_exit(20s), 0) << daemon->output();
  ASSERT_NE(state().find_active("gamma"), nullptr);
  EXPECT_TRUE(eventually([&] { return results_of(gamma) == kTestsPerRun; }, 60s)) << "the agent went on";
  const auto once = integrator("daemon " + shell_quote(dir.str("lab.yaml")) + " --once");
  EXPECT_EQ(once.exit_code, 0) << once.output;
  const DaemonState last = state();
  EXPECT_TRUE(last.active.empty());
  EXPECT_EQ(last.sweeps.at("gamma").runs, 1);
  EXPECT_EQ(last.sweeps.at("gamma").last_run_id, gamma);
  EXPECT_EQ(runs_in_store(), (std::vector<std::string>{alpha, beta, gamma}));
  expect_measured_once(gamma);

  const std::string metrics = read_file(dir.str("state/dli.prom"));
  EXPECT_NE(metrics.find("# TYPE dli_runs_total counter\n"), std::string::npos) << metrics;
  for (const std::string sweep : {"alpha", "beta", "gamma"}) {
    EXPECT_NE(metrics.find("dli_runs_total{sweep=\"" + sweep + "\"} 1\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("dli_tests_ok_total{sweep=\"" + sweep + "\"} 3\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("dli_last_success_timestamp_seconds{sweep=\"" + sweep + "\"} "), std::string::npos);
  }
  const auto stopped = integrator("daemon status " + shell_quote(dir.str("lab.yaml")));
  EXPECT_NE(stopped.output.find("daemon: not running"), std::string::npos) << stopped.output;
}

TEST_F(DaemonSchedule, ABadLabFileIsRefusedWithItsPlaceAndExitCode2) {
  write_lab({"alpha"}, "0 2 * *");
  const auto started = integrator("daemon " + shell_quote(dir.str("lab.yaml")));
  EXPECT_EQ(started.exit_code, 2);
  EXPECT_NE(started.output.find(dir.str("lab.yaml") + ":6:"), std::string::npos) << started.output;
  EXPECT_NE(started.output.find("expected five fields"), std::string::npos) << started.output;
  EXPECT_FALSE(fs::exists(dir.str("state"))) << "nothing is written";
}

TEST_F(DaemonSchedule, RunTakesTheIdTheDaemonChoseAndNeverOneTheStoreHas) {
  const std::string sweep = shell_quote(dir.str("alpha.yaml"));
  const std::string options = " --store " + shell_quote(store_url()) + " --out " + shell_quote(out_dir()) + " --no-progress";
  const auto first = integrator("run " + sweep + " --run-id 20261121-020000-alpha" + options);
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(runs_in_store(), std::vector<std::string>{"20261121-020000-alpha"});
  const auto again = integrator("run " + sweep + " --run-id 20261121-020000-alpha" + options);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("the store already has run 20261121-020000-alpha: `resume` it"), std::string::npos)
      << again.output;
  const auto bad = integrator("run " + sweep + " --run-id ../x" + options);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST_F(DaemonSchedule, OneDaemonPerStateFolder) {
  write_lab({"alpha"}, "0 3 1 1 *");
  auto first = start_daemon("first.log");
  ASSERT_FALSE(wait_mid_run("alpha").empty()) << first->output();
  // Under systemd (JOURNAL_STREAM set) a line starts with its syslog priority for journald: <3> is an error.
  const auto second = run_command("JOURNAL_STREAM=8:12345 " + std::string(DLI_INTEGRATOR_EXE) + " daemon " +
                                  shell_quote(dir.str("lab.yaml")));
  EXPECT_EQ(second.exit_code, 8) << second.output;
  EXPECT_EQ(second.output.rfind("<3>daemon: another daemon uses the state folder " + dir.str("state"), 0), 0u)
      << second.output;
  ::kill(first->pid(), SIGTERM);
  EXPECT_EQ(first->wait_for_exit(20s), 0) << first->output();
  const std::string run_id = state().active.empty() ? "" : state().active[0].run_id;
  EXPECT_TRUE(eventually([&] { return results_of(run_id) == kTestsPerRun; }, 60s)) << "the agent ends before the test";
}

}  // namespace
}  // namespace dli::testing
