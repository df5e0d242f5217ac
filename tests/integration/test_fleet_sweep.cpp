// End-to-end over a real fleet: SSH hosts in network namespaces, a vsftpd or SFTP store, the real binaries.
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dli/protocol/work_dir.hpp"
#include "integration/fleet_fixture.hpp"
#include "support/csv_table.hpp"
#include "support/host_status_files.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

class FleetSweep : public FleetWorkspace {};

// Every host's rows, by host name.
std::map<std::string, std::vector<std::size_t>> rows_by_host(const CsvTable& csv) {
  std::map<std::string, std::vector<std::size_t>> rows;
  for (std::size_t row = 0; row < csv.size(); ++row) rows[csv.at(row, "host")].push_back(row);
  return rows;
}

void expect_every_host_measured(const CsvTable& csv, int hosts, int tests_per_host) {
  const auto rows = rows_by_host(csv);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(hosts));
  for (const auto& [host, indices] : rows) {
    EXPECT_EQ(indices.size(), static_cast<std::size_t>(tests_per_host)) << host;
    for (std::size_t row : indices) {
      EXPECT_EQ(csv.at(row, "status"), "ok") << host << ": " << csv.at(row, "error");
      EXPECT_GT(std::stod(csv.at(row, "fps")), 0.0) << host;
    }
  }
}

// Scans every process's command line for `secret` until stopped: a password must never be an argument.
class CmdlineWatch {
 public:
  // Processes whose command line holds `exempt` (the integrator, given the password by the user) are not checked.
  explicit CmdlineWatch(std::string secret, std::string exempt = "") : secret_(std::move(secret)), exempt_(std::move(exempt)) {
    thread_ = std::thread([this] {
      while (!stop_) {
        scan();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  ~CmdlineWatch() { finish(); }
  std::string finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return found_;
  }
  int scans() const { return scans_; }

 private:
  void scan() {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return;
    while (dirent* entry = ::readdir(proc)) {
      if (!std::isdigit(static_cast<unsigned char>(entry->d_name[0]))) continue;
      const std::string process = std::string("/proc/") + entry->d_name;
      const std::string cmdline = read_file_quietly(process + "/cmdline");
      const std::string environment = read_file_quietly(process + "/environ");
      if (!found_.empty() || (!exempt_.empty() && cmdline.find(exempt_) != std::string::npos)) continue;
      if (cmdline.find(secret_) != std::string::npos) found_ = "command line: " + cmdline;
      if (environment.find(secret_) != std::string::npos) found_ = "environment of: " + cmdline;
      // A test process is the framework's code: not even the way to the credentials may reach it.
      if (cmdline.find("dli-run-") != std::string::npos && environment.find("DLI_CREDENTIALS_FILE") != std::string::npos) {
        found_ = "credentials file named in the environment of: " + cmdline;
      }
    }
    ::closedir(proc);
    ++scans_;
  }
  std::string secret_;
  std::string exempt_;
  std::atomic<bool> stop_{false};
  std::string found_;
  std::atomic<int> scans_{0};
  std::thread thread_;
};

// Files under `root` whose content holds `secret` (only the credential files the test itself wrote may).
std::vector<std::string> files_containing(const std::string& root, const std::string& secret) {
  std::vector<std::string> found;
  if (!fs::exists(root)) return found;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    if (read_file(entry.path().string()).find(secret) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

TEST_F(FleetSweep, ThreeSshHostsOverFtpMergeIntoOneTableWithoutLeakingThePassword) {
  start_ftp(/*tls=*/false);
  write_fleet();
  write_sweep();
  CmdlineWatch watch(ftp->password());
  const auto run = run_sweep(ftp_url());
  const std::string leaked = watch.finish();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const CsvTable csv(read_file(work.str("out/results.csv")));
  expect_every_host_measured(csv, kTestHosts, kTestsPerHost);
  const std::string html = read_file(work.str("out/results.html"));
  for (int i = 0; i < kTestHosts; ++i) EXPECT_NE(html.find(host_name(i)), std::string::npos) << host_name(i);
  // One heartbeat per host is left, its last: the agents removed what they replaced, the integrator its `starting`
  // (first-attempt agents do not list the heartbeats; docs/protocol.md 6).
  // The agents' own logs go last, after their last heartbeat's predecessor is removed: wait for them.
  const std::string run_id = run_id_from(run.output);
  const std::string run_dir = ftp_store_dir() + "/runs/" + run_id;
  for (int i = 0; i < kTestHosts; ++i) {
    const std::string agent_log = run_dir + "/hosts/" + host_name(i) + "/agent.log";
    for (int wait = 0; wait < 100 && !fs::exists(agent_log); ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(run_dir + "/status")) {
    left.push_back(entry.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  ASSERT_EQ(left.size(), static_cast<std::size_t>(kTestHosts)) << fmt::format("{}", fmt::join(left, " "));
  for (int i = 0; i < kTestHosts; ++i) {
    EXPECT_EQ(left[static_cast<std::size_t>(i)].rfind(host_name(i) + ".", 0), 0u) << left[static_cast<std::size_t>(i)];
    EXPECT_NE(left[static_cast<std::size_t>(i)].find(".done.json"), std::string::npos) << left[static_cast<std::size_t>(i)];
  }

  EXPECT_EQ(leaked, "") << "the store password reached a process that does not need it";
  EXPECT_GT(watch.scans(), 10);
  EXPECT_EQ(run.output.find(ftp->password()), std::string::npos) << "integrator output";
  // Nowhere in the store (results, logs, agent logs) nor in the agents' work dirs: each agent removed its 0600
  // credentials file when it ended.
  EXPECT_EQ(files_containing(ftp_store_dir(), ftp->password()), std::vector<std::string>{});
  for (int i = 0; i < kTestHosts; ++i) {
    const std::string dir = work.str("agent-" + host_name(i));
    EXPECT_EQ(files_containing(dir, ftp->password()), std::vector<std::string>{});
  }
  // The store has the whole run: each agent removed that run's files from its work dir after its log went up
  // (docs/protocol.md 8), and kept its model cache.
  for (int i = 0; i < kTestHosts; ++i) {
    const std::string dir = work.str("agent-" + host_name(i));
    const std::string scratch = run_folder(dir, run_id);
    for (int wait = 0; wait < 100 && fs::exists(scratch); ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_FALSE(fs::exists(scratch)) << scratch;
    EXPECT_FALSE(fs::exists(dir + "/" + agent_output_file_name(run_id))) << host_name(i);
    EXPECT_FALSE(fs::is_empty(dir + "/models")) << host_name(i);
  }
}

// A local agent is started by the integrator itself: the password in the integrator's environment must not be
// inherited by the agent (nor by its test processes); the agent reads it from a file it removes.
TEST_F(FleetSweep, LocalAgentGetsThePasswordThroughAFileItRemovesNotThroughItsEnvironment) {
  start_ftp(false);
  ::unsetenv("DLI_CREDENTIALS_FILE");
  ::setenv("DLI_STORE_USER", ftp->user().c_str(), 1);
  ::setenv("DLI_STORE_PASSWORD", ftp->password().c_str(), 1);
  work.write("fleet.yaml", "hosts:\n  - name: here\n    kind: local\n    work_dir: " + work.str("agent-here") + "\n");
  write_sweep(/*null_sleep_ms=*/20, /*iterations=*/10);
  CmdlineWatch watch(ftp->password(), "dli-integrator");
  const auto run = run_sweep(ftp_url());
  const std::string leaked = watch.finish();
  ::unsetenv("DLI_STORE_USER");
  ::unsetenv("DLI_STORE_PASSWORD");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(leaked, "") << "the store password reached a process that does not need it";
  EXPECT_GT(watch.scans(), 10);
  EXPECT_EQ(files_containing(work.str("agent-here"), ftp->password()), std::vector<std::string>{});
  EXPECT_EQ(files_containing(ftp_store_dir(), ftp->password()), std::vector<std::string>{});
}

TEST_F(FleetSweep, FtpsStoreCarriesAFullSweep) {
  start_ftp(/*tls=*/true);  // vsftpd keeps its default require_ssl_reuse=YES
  write_fleet();
  write_sweep();
  const auto run = run_sweep(ftps_url());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  expect_every_host_measured(CsvTable(read_file(work.str("out/results.csv"))), kTestHosts, kTestsPerHost);
}

TEST_F(FleetSweep, SftpStoreCarriesAFullSweep) {
  write_fleet();
  write_sweep();
  const auto run = run_sweep(sftp_url());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  expect_every_host_measured(CsvTable(read_file(work.str("out/results.csv"))), kTestHosts, kTestsPerHost);
}

TEST_F(FleetSweep, HostWithStoppedSshdIsUnreachableWhileTheOthersFinish) {
  start_ftp(false);
  write_fleet();
  write_sweep();
  fleet.sshd(1).stop();
  const auto run = run_sweep(ftp_url());
  ASSERT_EQ(run.exit_code, 3) << run.output;  // some hosts not reached
  const CsvTable csv(read_file(work.str("out/results.csv")));
  const auto rows = rows_by_host(csv);
  ASSERT_EQ(rows.at(host_name(1)).size(), static_cast<std::size_t>(kTestsPerHost));
  for (std::size_t row : rows.at(host_name(1))) EXPECT_EQ(csv.at(row, "status"), "not_run");
  for (int host : {0, 2}) {
    for (std::size_t row : rows.at(host_name(host))) EXPECT_EQ(csv.at(row, "status"), "ok");
  }
  const std::string status = latest_status_document(ftp_store_dir(), run_id_from(run.output), host_name(1));
  EXPECT_NE(status.find("\"unreachable\""), std::string::npos) << status;
}

TEST_F(FleetSweep, HostWhoseKeyChangedIsRefused) {
  start_ftp(false);
  write_fleet();
  write_sweep();
  fleet.sshd(0).regenerate_host_key();
  const auto run = run_sweep(ftp_url());
  ASSERT_EQ(run.exit_code, 3) << run.output;
  const std::string status = latest_status_document(ftp_store_dir(), run_id_from(run.output), host_name(0));
  EXPECT_NE(status.find("\"host-key-refused\""), std::string::npos) << status;
  EXPECT_NE(status.find("changed"), std::string::npos) << status;
  EXPECT_FALSE(fs::exists(work.str("agent-" + host_name(0)))) << "nothing may run on a host that failed its key check";
}

TEST_F(FleetSweep, HostsCheckVerifiesKeyAgentStoreAndDescribesEachHost) {
  start_ftp(false);
  write_fleet();
  const auto check = integrator("hosts check " + shell_quote(work.str("fleet.yaml")) + " --store " +
                                shell_quote(ftp_url()));
  ASSERT_EQ(check.exit_code, 0) << check.output;
  for (int i = 0; i < kTestHosts; ++i) {
    EXPECT_NE(check.output.find("== " + host_name(i) + " (ssh): ok"), std::string::npos) << check.output;
  }
  EXPECT_NE(check.output.find("framework:  opencv-dnn (OpenCV"), std::string::npos) << check.output;
  EXPECT_EQ(check.output.find(ftp->password()), std::string::npos);

  fleet.sshd(2).regenerate_host_key();
  const auto refused = integrator("hosts check " + shell_quote(work.str("fleet.yaml")) + " node-2 --store " +
                                  shell_quote(ftp_url()));
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("== node-2 (ssh): host-key-refused"), std::string::npos) << refused.output;
}

TEST_F(FleetSweep, IntegratorKilledMidRunThenResumeYieldsEveryResultExactlyOnce) {
  start_ftp(false);
  write_fleet();
  write_sweep(/*null_sleep_ms=*/100, /*iterations=*/8);  // null tests of about a second
  const std::string log = work.str("integrator.log");
  const auto started = run_command("exec " + std::string(DLI_INTEGRATOR_EXE) + " run " +
                                   shell_quote(work.str("sweep.yaml")) + " --store " + shell_quote(ftp_url()) +
                                   " --no-progress > " + shell_quote(log) + " 2>&1 & echo $!");
  const pid_t integrator_pid = std::stoi(started.output);
  // Wait for the first published result, then kill the integrator without warning.
  std::string run_id;
  bool some_result = false;
  for (int i = 0; i < 600 && !some_result; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const std::string output = read_file(log);
    const auto at = output.find("run ");
    if (run_id.empty() && at != std::string::npos && output.find(':', at) != std::string::npos) {
      run_id = output.substr(at + 4, output.find(':', at) - at - 4);
    }
    if (run_id.empty()) continue;
    const fs::path results = fs::path(ftp_store_dir()) / "runs" / run_id / "hosts" / host_name(0) / "results";
    some_result = fs::exists(results) && !fs::is_empty(results);
  }
  ASSERT_TRUE(some_result) << read_file(log);
  ASSERT_EQ(::kill(integrator_pid, SIGKILL), 0);
  ::waitpid(integrator_pid, nullptr, 0);  // not our child (the shell's): reaped by init; harmless if it fails

  const auto resumed = integrator("resume " + run_id + " --fleet " + shell_quote(work.str("fleet.yaml")) +
                                  " --store " + shell_quote(ftp_url()) + " --out " + shell_quote(work.str("out")) +
                                  " --no-progress");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  const CsvTable csv(read_file(work.str("out/results.csv")));
  expect_every_host_measured(csv, kTestHosts, kTestsPerHost);
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    EXPECT_TRUE(seen.insert({csv.at(row, "host"), csv.at(row, "task")}).second) << "duplicate row " << row;
  }

  const auto collected = integrator("collect " + run_id + " --store " + shell_quote(ftp_url()) + " --out " +
                                    shell_quote(work.str("collected")));
  ASSERT_EQ(collected.exit_code, 0) << collected.output;
  EXPECT_EQ(read_file(work.str("collected/results.csv")), read_file(work.str("out/results.csv")));
}

}  // namespace
}  // namespace dli::testing

namespace dli::testing {
namespace {

// The pid an agent reported in its heartbeat, once it runs; 0 if it never did within the wait.
int running_agent_pid(const std::string& store_dir, const std::string& run_id, const std::string& host) {
  for (int i = 0; i < 300; ++i) {
    const std::string status = latest_status_document(store_dir, run_id, host);
    const auto at = status.find("\"pid\":");
    if (status.find("\"running\"") != std::string::npos && at != std::string::npos) {
      const int pid = std::atoi(status.c_str() + at + 6);
      if (pid > 0) return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

TEST_F(FleetSweep, MixedFleetMarksAHostLostWhenItsAgentDiesWhileTheOthersFinish) {
  start_ftp(false);
  write_fleet(2);
  // This machine joins the two SSH hosts: a mixed fleet.
  work.write("fleet.yaml", read_file(work.str("fleet.yaml")) + "  - name: here\n    kind: local\n    work_dir: " +
                               work.str("agent-here") + "\n");
  write_sweep(/*null_sleep_ms=*/100, /*iterations=*/10);  // null tests of about a second
  const std::string log = work.str("integrator.log");
  // In the background, keeping its exit code: the test acts while the sweep runs.
  const auto started = run_command("(" + std::string(DLI_INTEGRATOR_EXE) + " run " +
                                   shell_quote(work.str("sweep.yaml")) + " --store " + shell_quote(ftp_url()) +
                                   " --out " + shell_quote(work.str("out")) + " --no-progress > " + shell_quote(log) +
                                   " 2>&1; echo $? > " + shell_quote(work.str("exit_code")) + ") > /dev/null 2>&1 &");
  ASSERT_EQ(started.exit_code, 0);
  std::string run_id;
  for (int i = 0; i < 200 && run_id.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string output = read_file(log);
    const auto at = output.find("\nrun ") == std::string::npos ? output.find("run ") : output.find("\nrun ") + 1;
    if (at != std::string::npos && output.find(':', at) != std::string::npos) {
      run_id = output.substr(at + 4, output.find(':', at) - at - 4);
    }
  }
  ASSERT_FALSE(run_id.empty()) << read_file(log);
  const int victim = running_agent_pid(ftp_store_dir(), run_id, host_name(1));
  ASSERT_GT(victim, 0) << read_file(log);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);  // no goodbye: only its silence tells

  for (int i = 0; i < 1200 && !fs::exists(work.str("exit_code")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(work.str("exit_code"))) << read_file(log);
  EXPECT_EQ(read_file(work.str("exit_code")), "3\n") << read_file(log);  // some hosts not reached
  const std::string status = latest_status_document(ftp_store_dir(), run_id, host_name(1));
  EXPECT_NE(status.find("\"lost\""), std::string::npos) << status;

  const CsvTable csv(read_file(work.str("out/results.csv")));
  const auto rows = rows_by_host(csv);
  for (const std::string& host : {host_name(0), std::string("here")}) {
    ASSERT_EQ(rows.at(host).size(), static_cast<std::size_t>(kTestsPerHost)) << host;
    for (std::size_t row : rows.at(host)) EXPECT_EQ(csv.at(row, "status"), "ok") << host;
  }
  int measured_before_loss = 0;
  for (std::size_t row : rows.at(host_name(1))) measured_before_loss += csv.at(row, "status") == "ok";
  EXPECT_LT(measured_before_loss, kTestsPerHost) << "the killed agent cannot have finished";

  const auto shown = integrator("status " + run_id + " --store " + shell_quote(ftp_url()));
  EXPECT_NE(shown.output.find(host_name(1) + "  lost"), std::string::npos) << shown.output;
}

}  // namespace
}  // namespace dli::testing
