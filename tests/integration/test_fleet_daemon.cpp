// `dli-integrator daemon` over the namespace fleet (three SSH hosts, an FTP store that also takes the site): two
// scheduled sweeps are run and published; the daemon is SIGKILLed mid-run and restarted, and resumes that run (same
// id, every test measured once) instead of running the sweep twice; SIGHUP refuses a broken lab file and takes a
// changed one; SIGTERM drains while the agents go on, and the next daemon collects the run.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/daemon/daemon_state.hpp"
#include "integration/fault_fixture.hpp"
#include "support/daemon_lab.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class DaemonFleet : public FleetFaults {
 protected:
  void write_sweeps() {
    write_null_sweep(kTestHosts, /*launchers=*/1, /*sleep_ms=*/100, /*iterations=*/10);  // 2 tests of ~1 s a host
    const std::string sweep = read_file(work.str("sweep.yaml"));
    for (const std::string name : {"alpha", "beta", "gamma"}) {
      std::string text = sweep;
      text.replace(text.find("fleet-faults"), std::string("fleet-faults").size(), name);
      work.write(name + ".yaml", text);
    }
  }

  // Each sweep due once a year: at once for a lab the daemon does not know yet.
  void write_lab(const std::vector<std::string>& sweeps, const std::string& schedule = "0 3 1 1 *") const {
    work.write("lab.yaml", daemon_lab_yaml(ftp_url(), ftp->url("site"), sweeps, schedule, "UTC"));
  }

  std::unique_ptr<BackgroundCommand> start_daemon(const std::string& log) const {
    return testing::start_daemon(work.str("lab.yaml"), work.str(log));
  }

  DaemonState state() const { return daemon_state_or_empty(work.str("state/daemon-state.json")); }

  std::size_t results_in(const std::string& run_id) const {
    std::size_t count = 0;
    for (int i = 0; i < kTestHosts; ++i) count += results_of(run_id, host_name(i)).size();
    return count;
  }

  std::vector<std::string> runs_in_store() const { return run_ids_in(runs_dir()); }

  // The run of `sweep` once its process runs and a result of it is in the store; empty after `limit`.
  std::string wait_mid_run(const std::string& sweep) const {
    std::string run_id;
    eventually(
        [&] {
          const DaemonState now = state();
          const ActiveRun* run = now.find_active(sweep);
          if (run != nullptr && run->pid > 0 && results_in(run->run_id) >= 1) run_id = run->run_id;
          return !run_id.empty();
        },
        90s);
    return run_id;
  }

  // One result per planned test on every host, and one ok row per test in the run's CSV.
  void expect_measured_once(const std::string& run_id) const {
    for (int i = 0; i < kTestHosts; ++i) {
      EXPECT_EQ(results_of(run_id, host_name(i)), planned_ids(run_id, host_name(i))) << run_id << " " << host_name(i);
    }
    const CsvTable csv(read_file(work.str("state/reports/" + run_id + "/results.csv")));
    EXPECT_EQ(csv.size(), static_cast<std::size_t>(kTestHosts * tests_per_host())) << run_id;
    for (std::size_t row = 0; row < csv.size(); ++row) EXPECT_EQ(csv.at(row, "status"), "ok") << run_id;
  }
};

TEST_F(DaemonFleet, TwoScheduledSweepsSurviveAKillAReloadAndADrain) {
  start_ftp(false);
  write_sweeps();
  write_lab({"alpha", "beta"});
  auto daemon = start_daemon("daemon1.log");

  const std::string alpha = wait_mid_run("alpha");
  ASSERT_FALSE(alpha.empty()) << daemon->output();
  daemon->kill_now();
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
  EXPECT_EQ(after.sweeps.at("alpha").last_exit_code, 0) << read_file(work.str("state/logs/" + alpha + ".log"));
  const std::string beta = after.sweeps.at("beta").last_run_id;
  EXPECT_EQ(after.sweeps.at("beta").last_exit_code, 0);
  EXPECT_EQ(runs_in_store(), (std::vector<std::string>{alpha, beta})) << "a sweep ran twice";
  expect_measured_once(alpha);
  expect_measured_once(beta);
  EXPECT_NE(daemon->output().find("resumed run " + alpha), std::string::npos) << daemon->output();
  EXPECT_EQ(occurrences(daemon->output(), "daemon: published"), 2) << "published after each run\n" << daemon->output();
  EXPECT_TRUE(fs::exists(ftp->home() + "/site/index.html"));

  // A broken lab file is refused, the old one keeps running; a changed one is taken.
  write_lab({"alpha", "beta", "gamma"}, "0 3 1 13 *");
  ::kill(daemon->pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return daemon->output().find("reload refused") != std::string::npos; }, 20s))
      << daemon->output();
  EXPECT_NE(daemon->output().find("lab.yaml:7:"), std::string::npos) << daemon->output();
  EXPECT_FALSE(daemon->exit_code().has_value());
  write_lab({"alpha", "beta", "gamma"});
  ::kill(daemon->pid(), SIGHUP);
  const std::string gamma = wait_mid_run("gamma");
  ASSERT_FALSE(gamma.empty()) << daemon->output();

  // SIGTERM drains: the daemon ends, the agents go on, the next daemon collects.
  ::kill(daemon->pid(), SIGTERM);
  EXPECT_EQ(daemon->wait_for_exit(20s), 0) << daemon->output();
  ASSERT_NE(state().find_active("gamma"), nullptr);
  EXPECT_TRUE(eventually([&] { return results_in(gamma) == static_cast<std::size_t>(kTestHosts * tests_per_host()); },
                         60s))
      << "the agents went on";
  const auto once = integrator("daemon " + shell_quote(work.str("lab.yaml")) + " --once");
  EXPECT_EQ(once.exit_code, 0) << once.output;
  EXPECT_EQ(state().sweeps.at("gamma").last_run_id, gamma);
  EXPECT_TRUE(state().active.empty());
  EXPECT_EQ(runs_in_store(), (std::vector<std::string>{alpha, beta, gamma}));
  expect_measured_once(gamma);
  const std::string metrics = read_file(work.str("state/dli.prom"));
  EXPECT_NE(metrics.find("dli_tests_ok_total{sweep=\"alpha\"} 6\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("dli_hosts_lost_total{sweep=\"gamma\"} 0\n"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace dli::testing
