// The integrator killed mid-run (SIGKILL), for real. The agents do not need it: they finish and publish everything,
// and `resume` then only collects. When the agents are killed too, `resume` measures only what is missing: every
// test ends with exactly one result, and the results published before the kill are not measured again.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "integration/fault_fixture.hpp"
#include "support/process_session.hpp"

namespace dli::testing {
namespace {

class IntegratorKilled : public FleetFaults {
 protected:
  // Starts the sweep, waits for `results` results on `host`, then SIGKILLs the integrator. The run's id.
  std::string run_then_kill_integrator(const std::string& host, std::size_t results) {
    write_null_sweep(/*hosts=*/3, /*launchers=*/3, /*sleep_ms=*/30, /*iterations=*/15);  // 6 tests of ~0.5 s a host
    run_ = start_run(ftp_url());
    const std::string run_id = wait_for_run();
    if (run_id.empty()) return "";
    if (!eventually([&] { return results_of(run_id, host).size() >= results; }, std::chrono::seconds(120))) return "";
    run_->kill_now();
    return run_id;
  }

  CommandOutput resume(const std::string& run_id) const {
    return integrator("resume " + run_id + " --fleet " + shell_quote(work.str("fleet.yaml")) + " --store " +
                      shell_quote(ftp_url()) + " --out " + shell_quote(work.str("out")) + " --no-progress");
  }

  // Every host has one result per planned test, and results.csv one ok row per test.
  void expect_every_test_measured_once(const std::string& run_id) const {
    for (int i = 0; i < kTestHosts; ++i) {
      EXPECT_EQ(results_of(run_id, host_name(i)), planned_ids(run_id, host_name(i))) << host_name(i);
    }
    const CsvTable csv(read_file(work.str("out/results.csv")));
    EXPECT_EQ(csv.size(), static_cast<std::size_t>(kTestHosts * tests_per_host()));
    EXPECT_EQ(duplicate_rows(csv), std::vector<std::string>{});
    for (std::size_t row = 0; row < csv.size(); ++row) {
      EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "host") << " " << csv.at(row, "error");
    }
  }

  std::unique_ptr<BackgroundCommand> run_;
};

TEST_F(IntegratorKilled, TheAgentsFinishWithoutItAndResumeOnlyCollects) {
  start_ftp(false);
  const std::string run_id = run_then_kill_integrator(host_name(0), 1);
  ASSERT_FALSE(run_id.empty()) << run_->output();
  ASSERT_EQ(run_->exit_code(), -1) << "killed by a signal";

  const auto killed_at = std::chrono::steady_clock::now();
  const bool all_done = eventually(
      [&] {
        for (int i = 0; i < kTestHosts; ++i) {
          const auto status = status_of(run_id, host_name(i));
          if (!status || status->state != HostState::kDone) return false;
        }
        return true;
      },
      std::chrono::seconds(120));
  ASSERT_TRUE(all_done) << "the agents did not finish without the integrator";
  std::printf("agents finished %.1f s after the integrator was killed\n", seconds_since(killed_at));
  std::map<std::string, std::string> before;  // what resume must leave alone: heartbeats and results
  for (int i = 0; i < kTestHosts; ++i) {
    before[host_name(i)] = read_file((host_dir(run_id, host_name(i)) / "status.json").string());
    for (const auto& [id, text] : result_texts(run_id, host_name(i))) before[host_name(i) + "/" + id] = text;
  }

  const auto resumed = resume(run_id);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resume " + run_id + ": 0 hosts with tests left to measure"), std::string::npos)
      << resumed.output;
  // No agent was started again: one would have rewritten its host's heartbeat (and measured nothing).
  for (int i = 0; i < kTestHosts; ++i) {
    EXPECT_EQ(read_file((host_dir(run_id, host_name(i)) / "status.json").string()), before[host_name(i)])
        << host_name(i);
    for (const auto& [id, text] : result_texts(run_id, host_name(i))) {
      EXPECT_EQ(text, before[host_name(i) + "/" + id]) << host_name(i) << " " << id;
    }
  }
  expect_every_test_measured_once(run_id);
}

TEST_F(IntegratorKilled, WithTheAgentsKilledTooResumeMeasuresOnlyWhatIsMissing) {
  start_ftp(false);
  const std::string run_id = run_then_kill_integrator(host_name(0), 2);
  ASSERT_FALSE(run_id.empty()) << run_->output();
  for (int i = 0; i < kTestHosts; ++i) {
    const int agent = running_agent_pid(run_id, host_name(i), std::chrono::seconds(5));
    if (agent <= 0) continue;  // already done (a fast host): then nothing is missing there
    kill_session(agent);
    EXPECT_TRUE(session_members(agent).empty()) << host_name(i);
  }
  std::map<std::string, std::map<std::string, std::string>> before;
  std::size_t missing = 0;
  for (int i = 0; i < kTestHosts; ++i) {
    before[host_name(i)] = result_texts(run_id, host_name(i));
    missing += static_cast<std::size_t>(tests_per_host()) - before[host_name(i)].size();
  }
  ASSERT_GT(missing, 0u) << "every agent had finished: nothing for resume to do";

  const auto started = std::chrono::steady_clock::now();
  const auto resumed = resume(run_id);
  std::printf("resume measured the %zu missing tests in %.1f s\n", missing, seconds_since(started));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_every_test_measured_once(run_id);
  // A result published before the kill is the one kept: the resumed agents skipped those tests. (A result whose
  // upload was in flight at the kill may have landed after the snapshot; it is then absent from `before`.)
  for (const auto& [host, texts] : before) {
    const auto after = result_texts(run_id, host);
    for (const auto& [id, text] : texts) EXPECT_EQ(after.at(id), text) << host << " " << id << " measured again";
  }
}

}  // namespace
}  // namespace dli::testing
