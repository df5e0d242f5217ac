// A fleet of kind slurm against a real Slurm started by the test (tests/support/slurm_cluster.hpp): the agents run
// as batch jobs, followed through the store's heartbeats and the scheduler's word; the real binaries throughout.
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/background_command.hpp"
#include "support/csv_table.hpp"
#include "support/host_status_files.hpp"
#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/slurm_cluster.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_server.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

class SlurmFleet : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto missing = SlurmCluster::missing()) GTEST_SKIP() << *missing;
    // n1, n2: the `bench` partition's nodes; n3: the only `slow` node, drained with no slurmd.
    cluster = std::make_unique<SlurmCluster>(
        std::vector<SlurmNode>{{"n1", "fast", true}, {"n2", "fast", true}, {"n3", "slow", false}},
        std::vector<std::string>{"PartitionName=bench Nodes=n1,n2 MaxTime=INFINITE State=UP",
                                 "PartitionName=all Nodes=n1,n2,n3 Default=YES MaxTime=INFINITE State=UP"});
  }

  TempDir dir;
  std::unique_ptr<SlurmCluster> cluster;

  std::string store_dir() const { return dir.str("store"); }
  std::string store_url() const { return "file://" + store_dir(); }

  // A slurm host entry; the work dir is on this machine, which the "nodes" share.
  std::string slurm_host(const std::string& name, const std::string& labels,
                         const std::string& agent = DLI_AGENT_EXE) const {
    return "  - name: " + name + "\n    kind: slurm\n    work_dir: " + dir.str("work-" + name) +
           "\n    agent_path: " + agent + "\n    labels: " + labels + "\n";
  }

  // digits_cnn on the null runner: what costs nothing to measure; `launcher` may make it hang.
  void write_sweep(const std::string& hosts, const std::string& launcher = "\"null\"") const {
    dir.write("fleet.yaml", "hosts:\n" + hosts);
    dir.write("sweep.yaml", "name: slurm-sweep\nfleet: fleet.yaml\nmodels:\n  - name: digits_cnn\n    file: " +
                                std::string(DLI_MODELS_DIR) + "/digits_cnn.onnx\n    format: onnx\n" +
                                "    input_shape: [1, 8, 8]\nlaunchers: [" + launcher + "]\nbatch_sizes: [1, 2]\n" +
                                "modes: [sync]\nthreads: [1]\n" +
                                "measure: {iterations: 3, min_seconds: 0, warmup_iterations: 0, "
                                "timeout_seconds: 50}\n");
  }

  std::unique_ptr<BackgroundCommand> start_run(const std::string& run_id) const {
    return std::make_unique<BackgroundCommand>(
        std::vector<std::string>{DLI_INTEGRATOR_EXE, "run", dir.str("sweep.yaml"), "--store", store_url(), "--out",
                                 dir.str("out"), "--no-progress", "--no-history", "--run-id", run_id,
                                 "--lost-after", "3", "--start-timeout", "3", "--heartbeat", "0.5"},
        dir.str("run.out"));
  }

  // The host's newest heartbeat document (empty JSON object when none).
  nlohmann::json status_of(const std::string& run_id, const std::string& host) const {
    const std::string text = latest_status_document(store_dir(), run_id, host);
    return text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
  }

  // Waits until the host's heartbeat satisfies `wanted`, at most `limit`.
  template <class Wanted>
  nlohmann::json wait_status(const std::string& run_id, const std::string& host, Wanted wanted,
                             seconds limit = seconds(20)) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    nlohmann::json status = status_of(run_id, host);
    while (!wanted(status) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      status = status_of(run_id, host);
    }
    return status;
  }

  // The batch jobs the run recorded for the host (docs/protocol.md 4.7), in the store whose folder is `store`.
  static std::vector<std::string> jobs_of_store(const std::string& store, const std::string& run_id,
                                                const std::string& host) {
    std::vector<std::string> ids;
    const std::string text = read_file(store + "/runs/" + run_id + "/hosts/" + host + "/jobs.json");
    if (text.empty()) return ids;
    const auto document = nlohmann::json::parse(text);
    for (const auto& job : document.at("jobs")) ids.push_back(job.at("id").get<std::string>());
    return ids;
  }
  std::vector<std::string> jobs_of(const std::string& run_id, const std::string& host) const {
    return jobs_of_store(store_dir(), run_id, host);
  }
};

TEST_F(SlurmFleet, SweepRunsAsBatchJobsWithTheirSettingsAndMergesLikeALocalHost) {
  write_sweep(slurm_host("node-a", "{slurm.partition: bench, slurm.constraint: fast, slurm.time: \"10\"}") +
              slurm_host("node-b", "{slurm.partition: bench, slurm.exclusive: \"false\"}") +
              "  - {name: here, kind: local, work_dir: " + dir.str("work-here") + "}\n");
  const auto run = run_command(std::string(DLI_INTEGRATOR_EXE) + " run " + shell_quote(dir.str("sweep.yaml")) +
                               " --store " + shell_quote(store_url()) + " --out " + shell_quote(dir.str("out")) +
                               " --no-progress --no-history");
  ASSERT_EQ(run.exit_code, 0) << run.output << cluster->log("slurmctld.log");
  const CsvTable csv(read_file(dir.str("out/results.csv")));
  std::map<std::string, int> ok_rows;
  for (std::size_t row = 0; row < csv.size(); ++row) {
    EXPECT_EQ(csv.at(row, "status"), "ok") << csv.at(row, "host") << ": " << csv.at(row, "error");
    ok_rows[csv.at(row, "host")] += csv.at(row, "status") == "ok";
  }
  EXPECT_EQ(ok_rows, (std::map<std::string, int>{{"here", 2}, {"node-a", 2}, {"node-b", 2}}));
  EXPECT_NE(read_file(dir.str("out/results.html")).find("node-a"), std::string::npos);

  const std::string run_id = run_id_from(run.output);
  const auto a_jobs = jobs_of(run_id, "node-a");
  const auto b_jobs = jobs_of(run_id, "node-b");
  ASSERT_EQ(a_jobs.size(), 1u);
  ASSERT_EQ(b_jobs.size(), 1u);
  EXPECT_TRUE(jobs_of(run_id, "here").empty());
  // What the scheduler was asked for, as it shows the jobs.
  EXPECT_EQ(cluster->job_field(a_jobs[0], "Partition"), "bench");
  EXPECT_EQ(cluster->job_field(a_jobs[0], "Feature"), "fast");
  EXPECT_EQ(cluster->job_field(a_jobs[0], "TimeLimit"), "10:00");
  EXPECT_EQ(cluster->job_field(a_jobs[0], "Name"), "dli-" + run_id + "-node-a");
  EXPECT_EQ(cluster->job_field(a_jobs[0], "State"), "COMPLETED");
  EXPECT_EQ(cluster->job_field(b_jobs[0], "Partition"), "bench");
  EXPECT_EQ(cluster->job_field(b_jobs[0], "State"), "COMPLETED");
  // The job's output went to the work dir; the agent, whose whole run the store has, removed it with its scratch.
  EXPECT_EQ(cluster->job_field(a_jobs[0], "STDOUT"), dir.str("work-node-a/agent-" + run_id + ".out"));
  for (const std::string work : {"work-node-a", "work-node-b", "work-here"}) {
    EXPECT_FALSE(fs::exists(dir.str(work + "/agent-" + run_id + ".out"))) << work;
    EXPECT_FALSE(fs::exists(dir.str(work + "/runs/" + run_id))) << work;
    EXPECT_FALSE(fs::exists(dir.str(work + "/tasks-" + run_id + ".json"))) << work;
  }
}

TEST_F(SlurmFleet, PendingJobWaitsWithItsReasonPastTheSilenceLimitAndCancelEndsIt) {
  write_sweep(slurm_host("node-slow", "{slurm.constraint: slow}"));
  const std::string run_id = "slurm-pending";
  auto run = start_run(run_id);
  const auto waiting = wait_status(run_id, "node-slow", [](const nlohmann::json& s) {
    return s.value("reason", "").find("ReqNodeNotAvail") != std::string::npos;
  });
  ASSERT_EQ(waiting.value("state", ""), "starting") << waiting.dump() << run->output();
  const auto jobs = jobs_of(run_id, "node-slow");
  ASSERT_EQ(jobs.size(), 1u) << run->output();
  EXPECT_EQ(waiting.value("reason", ""), "slurm job " + jobs[0] + " PENDING (ReqNodeNotAvail, UnavailableNodes:n3)");
  EXPECT_EQ(cluster->job_field(jobs[0], "State"), "PENDING");

  // Far past --start-timeout and --lost-after (3 s): a queued job is not lost.
  std::this_thread::sleep_for(seconds(5));
  EXPECT_EQ(status_of(run_id, "node-slow").value("state", ""), "starting") << run->output();
  EXPECT_FALSE(run->exit_code().has_value()) << run->output();

  const auto cancel = run_command(std::string(DLI_INTEGRATOR_EXE) + " cancel " + run_id + " --store " +
                                  shell_quote(store_url()));
  ASSERT_EQ(cancel.exit_code, 0) << cancel.output;
  EXPECT_NE(cancel.output.find("host node-slow: slurm job " + jobs[0] + " cancelled"), std::string::npos)
      << cancel.output;
  EXPECT_EQ(cluster->job_field(jobs[0], "State"), "CANCELLED");
  // The integrator that follows the run ends it: the host lost, with why.
  ASSERT_EQ(run->wait_for_exit(seconds(20)), std::optional<int>(3)) << run->output();
  const auto lost = status_of(run_id, "node-slow");
  EXPECT_EQ(lost.value("state", ""), "lost");
  EXPECT_NE(lost.value("reason", "").find("slurm job " + jobs[0]), std::string::npos) << lost.dump();
  std::string reason = lost.value("reason", "");
  for (char& c : reason) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(reason.find("cancel"), std::string::npos) << lost.dump();  // by whichever said it first
}

TEST_F(SlurmFleet, AJobCancelledWhileItRunsAndAMissingAgentAreHostStatesWithReasons) {
  write_sweep(slurm_host("node-busy", "{slurm.partition: bench}") +
                  slurm_host("node-bare", "{slurm.partition: bench}", "/nonexistent/dli-agent"),
              "{framework: \"null\", params: {fault: hang}}");
  const std::string run_id = "slurm-cancelled";
  // Store credentials in the integrator's environment must not reach the job's (sbatch hands its own on).
  ::setenv("DLI_STORE_PASSWORD", "hunter2-slurm", 1);
  auto run = start_run(run_id);
  ::unsetenv("DLI_STORE_PASSWORD");
  const auto running = wait_status(run_id, "node-busy", [](const nlohmann::json& s) {
    return s.value("state", "") == "running" && !s.value("current_test", "").empty();
  });
  ASSERT_EQ(running.value("state", ""), "running") << running.dump() << run->output();
  const auto jobs = jobs_of(run_id, "node-busy");
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(cluster->job_field(jobs[0], "State"), "RUNNING");
  const std::string environment = read_file_quietly("/proc/" + std::to_string(running.value("pid", 0)) + "/environ");
  EXPECT_NE(environment.find("SLURM_JOB_ID=" + jobs[0]), std::string::npos) << "the agent runs as the job";
  EXPECT_EQ(environment.find("hunter2-slurm"), std::string::npos);
  const auto cancelled = cluster->command("scancel " + jobs[0]);
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.output;

  ASSERT_EQ(run->wait_for_exit(seconds(30)), std::optional<int>(3)) << run->output();
  const auto busy = status_of(run_id, "node-busy");
  EXPECT_EQ(busy.value("state", ""), "lost");
  const std::string reason = busy.value("reason", "");
  const std::string cancelled_as = "slurm job " + jobs[0] + " CANCELLED on n";
  EXPECT_TRUE(reason == cancelled_as + "1" || reason == cancelled_as + "2") << busy.dump();
  const auto bare = status_of(run_id, "node-bare");
  EXPECT_EQ(bare.value("state", ""), "agent-missing") << bare.dump();
  EXPECT_NE(bare.value("reason", "").find("exit code 127"), std::string::npos) << bare.dump();
  // The run's page names each host's fate.
  const std::string html = read_file(dir.str("out/results.html"));
  EXPECT_NE(html.find("CANCELLED"), std::string::npos);
}

TEST_F(SlurmFleet, HostsCheckDescribesANodeThroughSrun) {
  write_sweep(slurm_host("node-a", "{slurm.partition: bench, slurm.constraint: fast}"));
  const auto check = run_command(std::string(DLI_INTEGRATOR_EXE) + " hosts check " +
                                 shell_quote(dir.str("fleet.yaml")) + " --store " + shell_quote(store_url()));
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("== node-a (slurm): ok"), std::string::npos) << check.output;
}

TEST_F(SlurmFleet, AnFtpStoresPasswordReachesTheJobOnlyAsAPrivateFileTheAgentRemoves) {
  VsftpdServer ftp;
  write_sweep(slurm_host("node-a", "{slurm.partition: bench}"));
  // The password in the integrator's environment (docs/stores.md); DLI_MARKER shows where an environment goes.
  const auto run = run_command("DLI_MARKER=env-marker-77 DLI_STORE_USER=" + shell_quote(ftp.user()) +
                               " DLI_STORE_PASSWORD=" + shell_quote(ftp.password()) + " " + DLI_INTEGRATOR_EXE +
                               " run " + shell_quote(dir.str("sweep.yaml")) + " --store " +
                               shell_quote(ftp.url("store")) + " --out " + shell_quote(dir.str("out")) +
                               " --no-progress --no-history");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string run_id = run_id_from(run.output);
  EXPECT_EQ(CsvTable(read_file(dir.str("out/results.csv"))).size(), 2u);
  // The agent removed its credentials file. Slurm keeps each job's script and environment in its state and spool
  // folders (the marker is there): the password is not, nor in the job's output.
  EXPECT_FALSE(fs::exists(dir.str("work-node-a/store-" + run_id + ".netrc")));
  const std::string searched = shell_quote(cluster->folder()) + " " + shell_quote(dir.str("work-node-a"));
  EXPECT_NE(run_command("grep -rl env-marker-77 " + searched).output, "");
  EXPECT_EQ(run_command("grep -rl -F " + shell_quote(ftp.password()) + " " + searched).output, "")
      << "the password is in these files";
  const auto jobs = jobs_of_store(ftp.home() + "/store", run_id, "node-a");
  ASSERT_EQ(jobs.size(), 1u);
  const auto script = cluster->command("scontrol write batch_script " + jobs[0] + " -");
  EXPECT_NE(script.output.find("export DLI_CREDENTIALS_FILE="), std::string::npos) << script.output;
}

}  // namespace
}  // namespace dli::testing
