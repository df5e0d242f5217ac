// The store fails under a running fleet (issue 9): an outage, a disk that fills up, a crowded server, a large load.
// Real sshd hosts in network namespaces, a real vsftpd store, the real dli-integrator and dli-agent. Each test
// asserts that every measured result ends in the store exactly once (or waits in its host's spool), and that
// host states and exit codes tell the truth. Figures are printed for the note.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "dli/store/store_curl.hpp"
#include "integration/ftp_store.hpp"
#include "support/csv_table.hpp"
#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/ssh_test_fleet.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_server.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// `hosts` SSH hosts and one more namespace for the store.
class StoreFaultFleet {
 public:
  StoreFaultFleet(int hosts, VsftpdOptions ftp_options) : hosts_(hosts), fleet_(hosts + 1) {
    ftp_options.netns = fleet_.bed().host(hosts).netns;
    ftp_options.address = fleet_.bed().host(hosts).address;
    ftp_ = std::make_unique<VsftpdServer>(ftp_options);
    const std::string credentials = work_.write(
        "credentials", "machine " + ftp_->address() + " login " + ftp_->user() + " password " + ftp_->password() + "\n");
    ::chmod(credentials.c_str(), 0600);
    ::setenv("DLI_CREDENTIALS_FILE", credentials.c_str(), 1);
    std::string yaml = "parallel: 16\nhosts:\n";
    for (int i = 0; i < hosts; ++i) {
      const auto target = fleet_.target(i);
      yaml += "  - name: " + host(i) + "\n    kind: ssh\n    address: " + target.address + "\n    port: " +
              std::to_string(target.port) + "\n    user: " + target.user + "\n    key_file: " + target.key_file +
              "\n    known_hosts: " + target.known_hosts + "\n    connect_timeout: 10\n    agent_path: " +
              DLI_AGENT_EXE + "\n    work_dir: " + work_.str("agent-" + host(i)) + "\n";
    }
    work_.write("fleet.yaml", yaml);
    work_.write("model.onnx", "not a model: the null framework reads nothing");
  }
  ~StoreFaultFleet() { ::unsetenv("DLI_CREDENTIALS_FILE"); }

  static std::string host(int i) { return "node-" + std::to_string(i); }
  // `tests` null tests per host (batch sizes 1..tests, sync), each about `requests` x `sleep_ms`.
  void write_sweep(int tests, int sleep_ms, int requests) const {
    std::string batches;
    for (int b = 1; b <= tests; ++b) batches += (b == 1 ? "" : ", ") + std::to_string(b);
    work_.write("sweep.yaml", "name: store-faults\nfleet: fleet.yaml\nmodels:\n  - {name: m, file: " +
                                  work_.str("model.onnx") + ", format: onnx, input_shape: [1, 8, 8]}\n" +
                                  "launchers:\n  - {framework: \"null\", params: {sleep_ms: " +
                                  std::to_string(sleep_ms) + "}}\nbatch_sizes: [" + batches +
                                  "]\nmodes: [sync]\nthreads: [1]\nmeasure: {iterations: " + std::to_string(requests) +
                                  ", min_seconds: 0, warmup_iterations: 0, timeout_seconds: 120}\n");
  }
  std::string url() const { return ftp_->url("store"); }
  std::string integrator_command(const std::string& arguments) const {
    return std::string(DLI_INTEGRATOR_EXE) + " " + arguments + " --store " + shell_quote(url());
  }
  // `dli-integrator run` in the background; its output goes to `log`, its exit code to `exit_code`.
  void start_run(const std::string& out) const {
    const auto started = run_command("(" + integrator_command("run " + shell_quote(work_.str("sweep.yaml")) +
                                                              " --no-progress --out " + shell_quote(work_.str(out))) +
                                     " > " + shell_quote(work_.str("run.log")) + " 2>&1; echo $? > " +
                                     shell_quote(work_.str("exit_code")) + ") > /dev/null 2>&1 &");
    ASSERT_EQ(started.exit_code, 0);
  }
  // Waits for the background run; its exit code, or -1 after `limit`.
  int wait_for_run(std::chrono::seconds limit) const {
    // The shell creates the file before it writes the number: wait for a whole line.
    const auto until = Clock::now() + limit;
    auto written = [&] { return read_file(work_.str("exit_code")).find('\n') != std::string::npos; };
    while (!written() && Clock::now() < until) std::this_thread::sleep_for(100ms);
    return written() ? std::stoi(read_file(work_.str("exit_code"))) : -1;
  }
  std::string run_log() const { return read_file(work_.str("run.log")); }
  // Each agent's own log in its work dir, for a failure's message.
  std::string agent_logs(const std::string& run_id) const {
    std::string logs;
    for (int i = 0; i < hosts_; ++i) {
      logs += "--- agent log of " + host(i) + ":\n" +
              read_file(work_.str("agent-" + host(i) + "/runs/" + run_id + "/agent.log"));
    }
    return logs;
  }
  std::string run_id() const {
    for (int i = 0; i < 600; ++i) {
      const std::string id = run_id_from("\n" + run_log());
      if (!id.empty() && id.find('\n') == std::string::npos) return id;
      std::this_thread::sleep_for(50ms);
    }
    return "";
  }
  // Results in the store, by host, read through the FTP server like any client.
  std::map<std::string, int> results_in_store(const std::string& run_id) const {
    std::map<std::string, int> counts;
    auto store = CurlStore::open(url(), ftp_store_options(*ftp_));
    if (!store) return counts;
    for (int i = 0; i < hosts_; ++i) {
      auto names = store.value()->list("runs/" + run_id + "/hosts/" + host(i) + "/results");
      if (names) counts[host(i)] = static_cast<int>(names.value().size());
    }
    return counts;
  }
  int total_results(const std::string& run_id) const {
    int total = 0;
    for (const auto& [name, count] : results_in_store(run_id)) total += count;
    return total;
  }
  // Results waiting in the hosts' spools (their work dirs are on this machine's file system).
  int spooled(const std::string& run_id) const {
    int count = 0;
    for (int i = 0; i < hosts_; ++i) {
      std::error_code error;
      for (const auto& entry : fs::directory_iterator(work_.str("agent-" + host(i) + "/runs/" + run_id + "/spool"), error)) {
        count += entry.path().filename().string().find(".result.json") != std::string::npos &&
                 entry.path().filename().string().find(".tmp.") == std::string::npos;
      }
    }
    return count;
  }
  // Every CSV row ok, and every test id once.
  void expect_all_ok(const std::string& out, int expected_rows) const {
    const CsvTable csv(read_file(work_.str(out + "/results.csv")));
    ASSERT_EQ(csv.size(), static_cast<std::size_t>(expected_rows));
    std::map<std::string, int> seen;
    for (std::size_t row = 0; row < csv.size(); ++row) {
      EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "host") << " " << csv.at(row, "error");
      ++seen[csv.at(row, "host") + "/" + csv.at(row, "task")];
    }
    for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key;
  }
  VsftpdServer& ftp() { return *ftp_; }
  const TempDir& work() const { return work_; }

 private:
  int hosts_;
  TempDir work_;
  SshTestFleet fleet_;
  std::unique_ptr<VsftpdServer> ftp_;
};

TEST(FleetStoreFaults, AStoreOutageOf15SecondsLosesNoResult) {
  StoreFaultFleet fleet(3, {});
  fleet.write_sweep(/*tests=*/8, /*sleep_ms=*/100, /*requests=*/8);  // 24 tests of about 1 s
  fleet.start_run("out");
  const std::string run_id = fleet.run_id();
  ASSERT_FALSE(run_id.empty()) << fleet.run_log();
  for (int i = 0; i < 600 && fleet.total_results(run_id) < 3; ++i) std::this_thread::sleep_for(50ms);
  const int before = fleet.total_results(run_id);
  ASSERT_GE(before, 3) << fleet.run_log();
  fleet.ftp().stop();
  std::this_thread::sleep_for(5s);
  const int waiting_mid_outage = fleet.spooled(run_id);
  std::this_thread::sleep_for(10s);
  const int waiting_at_end_of_outage = fleet.spooled(run_id);
  fleet.ftp().restart();
  const int exit_code = fleet.wait_for_run(300s);
  std::printf("outage 15 s: %d results in the store before it, %d waiting in spools after 5 s, %d after 15 s\n",
              before, waiting_mid_outage, waiting_at_end_of_outage);
  ASSERT_EQ(exit_code, 0) << fleet.run_log();
  EXPECT_GT(waiting_at_end_of_outage, 0) << "results were measured during the outage and waited";
  EXPECT_EQ(fleet.spooled(run_id), 0);
  fleet.expect_all_ok("out", 24);
  EXPECT_EQ(fleet.total_results(run_id), 24);
  const std::string log = fleet.run_log();
  EXPECT_NE(log.find("store unreachable"), std::string::npos) << log;
  EXPECT_NE(log.find("store reachable again after"), std::string::npos) << log;
}

TEST(FleetStoreFaults, AStoreThatFillsUpEndsTheRunAsAStoreFailureAndResumeLosesNothing) {
  VsftpdOptions options;
  options.home_size_kib = 4096;
  StoreFaultFleet fleet(2, options);
  fleet.write_sweep(/*tests=*/10, /*sleep_ms=*/60, /*requests=*/5);  // 20 tests of about 0.3 s
  fleet.start_run("out");
  const std::string run_id = fleet.run_id();
  ASSERT_FALSE(run_id.empty()) << fleet.run_log();
  for (int i = 0; i < 600 && fleet.total_results(run_id) < 2; ++i) std::this_thread::sleep_for(20ms);
  // Fill the disk through the server, as any other user of it would.
  auto filler = CurlStore::open(fleet.url(), ftp_store_options(fleet.ftp()));
  ASSERT_TRUE(filler.ok());
  int fillers = 0;
  for (; fillers < 64; ++fillers) {
    auto put = filler.value()->put("filler/" + std::to_string(fillers), std::string(256 * 1024, 'x'));
    if (!put) {
      EXPECT_EQ(put.error().kind, ErrorKind::kNoSpace) << put.error().message;
      break;
    }
  }
  // Then what is left, to the last few KiB: a result is a few KiB, and only the refused ones are its subject.
  for (int i = 0; i < 1024; ++i) {
    if (!filler.value()->put("filler/small-" + std::to_string(i), std::string(4096, 'x'))) break;
  }
  const int exit_code = fleet.wait_for_run(300s);
  const int measured = fleet.total_results(run_id);
  const int waiting = fleet.spooled(run_id);
  std::printf("full store: %d results published, %d waiting in spools, exit code %d\n", measured, waiting, exit_code);
  EXPECT_EQ(exit_code, 5) << fleet.run_log();
  EXPECT_NE(fleet.run_log().find("store-failed"), std::string::npos) << fleet.run_log();
  const auto status = run_command(fleet.integrator_command("status " + run_id));
  EXPECT_EQ(status.exit_code, 5) << status.output;
  EXPECT_NE(status.output.find("store-failed"), std::string::npos) << status.output;
  EXPECT_EQ(status.output.find("running"), std::string::npos) << "no host may look as if it still ran";
  const CsvTable csv(read_file(fleet.work().str("out/results.csv")));
  bool explained = false;  // the logs go with the first row that fails, not with each
  for (std::size_t row = 0; row < csv.size(); ++row) {
    if (csv.at(row, "status") != "ok") {
      EXPECT_EQ(csv.at(row, "status"), "not_run");
      const bool store_failed = csv.at(row, "error").find("store failed") != std::string::npos;
      EXPECT_TRUE(store_failed) << csv.at(row, "error")
                                << (explained ? "" : "\n" + fleet.run_log() + fleet.agent_logs(run_id));
      explained = explained || !store_failed;
    }
  }

  // Space again: resume publishes what waited and measures what was never started; nothing twice.
  for (int i = 0; i <= fillers; ++i) (void)filler.value()->remove("filler/" + std::to_string(i));
  for (int i = 0; i < 20; ++i) (void)filler.value()->remove("filler/small-" + std::to_string(i));
  const auto resumed = run_command(fleet.integrator_command("resume " + run_id + " --fleet " +
                                                            shell_quote(fleet.work().str("fleet.yaml")) + " --out " +
                                                            shell_quote(fleet.work().str("out2")) + " --no-progress"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  fleet.expect_all_ok("out2", 20);
  EXPECT_EQ(fleet.spooled(run_id), 0);
}

TEST(FleetStoreFaults, AFleetLargerThanTheServersConnectionLimitCompletes) {
  VsftpdOptions options;
  options.max_clients = 8;
  StoreFaultFleet fleet(12, options);
  fleet.write_sweep(/*tests=*/6, /*sleep_ms=*/20, /*requests=*/5);
  const auto began = Clock::now();
  fleet.start_run("out");
  const int exit_code = fleet.wait_for_run(600s);
  std::printf("12 hosts x 6 tests against max_clients=8: %.1f s\n", seconds_since(began));
  ASSERT_EQ(exit_code, 0) << fleet.run_log();
  fleet.expect_all_ok("out", 72);
}

TEST(FleetStoreFaults, TwentyFourHostsOfTwentyTestsOnOneServer) {
  StoreFaultFleet fleet(24, {});
  fleet.write_sweep(/*tests=*/20, /*sleep_ms=*/10, /*requests=*/3);
  const auto began = Clock::now();
  fleet.start_run("out");
  const int exit_code = fleet.wait_for_run(600s);
  std::printf("24 hosts x 20 tests on one vsftpd: %.1f s\n", seconds_since(began));
  ASSERT_EQ(exit_code, 0) << fleet.run_log();
  fleet.expect_all_ok("out", 480);
  EXPECT_EQ(fleet.total_results(fleet.run_id()), 480);
}

}  // namespace
}  // namespace dli::testing
