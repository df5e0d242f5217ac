// A fleet host's agent killed mid-run, for real: every process of its session (the agent and its runner) gets
// SIGKILL once it has published some results. The integrator must mark the host lost within a bound, let the
// other hosts finish, keep what the host published, and report the rest of its tests not_run (exit code 3).
#include <chrono>
#include <cstdio>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "integration/fault_fixture.hpp"
#include "support/process_session.hpp"

namespace dli::testing {
namespace {

// The integrator asks an SSH host whether its agent lives at most every 10 s (SshShellOptions), polling every
// 0.5 s; the bound leaves room for a loaded 2-core machine.
constexpr double kDetectBoundSeconds = 40;

TEST_F(FleetFaults, AHostWhoseAgentIsKilledIsLostAndKeepsWhatItPublished) {
  start_ftp(false);
  write_null_sweep(/*hosts=*/3, /*launchers=*/4, /*sleep_ms=*/30, /*iterations=*/15);  // 8 tests of ~0.5 s a host
  auto run = start_run(ftp_url());
  const std::string run_id = wait_for_run();
  ASSERT_FALSE(run_id.empty()) << run->output();
  const std::string victim = host_name(1);
  const int agent = running_agent_pid(run_id, victim);
  ASSERT_GT(agent, 0) << run->output();
  ASSERT_TRUE(eventually([&] { return results_of(run_id, victim).size() >= 2; }, std::chrono::seconds(120)))
      << run->output();

  // Its session: the agent (started with setsid) and the runner it is waiting for.
  const int killed = kill_session(agent);
  const auto killed_at = std::chrono::steady_clock::now();
  EXPECT_GE(killed, 1);
  EXPECT_TRUE(session_members(agent).empty()) << "something of the agent survived SIGKILL";
  const std::set<std::string> published_at_kill = results_of(run_id, victim);
  ASSERT_LT(published_at_kill.size(), static_cast<std::size_t>(tests_per_host()))
      << "the agent finished before it could be killed: the test proves nothing";

  double detected = -1;
  eventually(
      [&] {
        const auto status = status_of(run_id, victim);
        if (detected < 0 && status && status->state == HostState::kLost) detected = seconds_since(killed_at);
        return run->exit_code().has_value();
      },
      std::chrono::seconds(180));
  ASSERT_TRUE(run->exit_code().has_value()) << "the integrator did not finish\n" << run->output();
  std::printf("host %s: agent killed after %zu results; marked lost %.1f s later; run ended %.1f s after the kill\n",
              victim.c_str(), published_at_kill.size(), detected, seconds_since(killed_at));
  EXPECT_EQ(*run->exit_code(), 3) << run->output();  // a host was lost
  ASSERT_GE(detected, 0) << "never marked lost\n" << run->output();
  EXPECT_LT(detected, kDetectBoundSeconds);
  const auto status = status_of(run_id, victim);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reason, "agent process exited without finishing");

  // What it published stays, once; nothing more appeared but, at most, the one whose rename was already on its
  // way to the server when the agent died.
  const std::set<std::string> published = results_of(run_id, victim);
  for (const auto& id : published_at_kill) EXPECT_EQ(published.count(id), 1u) << id;
  EXPECT_LE(published.size(), published_at_kill.size() + 1);

  const CsvTable csv(read_file(work.str("out/results.csv")));
  EXPECT_EQ(duplicate_rows(csv), std::vector<std::string>{});
  const auto rows = csv_rows_by_host(csv);
  for (const std::string& host : {host_name(0), host_name(2)}) {
    ASSERT_EQ(rows.at(host).size(), static_cast<std::size_t>(tests_per_host())) << host;
    for (std::size_t row : rows.at(host)) EXPECT_EQ(csv.at(row, "status"), "ok") << host << csv.at(row, "error");
  }
  ASSERT_EQ(rows.at(victim).size(), static_cast<std::size_t>(tests_per_host()));
  for (std::size_t row : rows.at(victim)) {
    const bool was_published = published.count(csv.at(row, "task")) == 1;
    EXPECT_EQ(csv.at(row, "status"), was_published ? "ok" : "not_run") << csv.at(row, "task");
  }
}

}  // namespace
}  // namespace dli::testing
