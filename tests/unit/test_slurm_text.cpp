// Slurm's command lines and outputs as dli writes and reads them: exact arguments, records and host states.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/remote/slurm_text.hpp"

namespace dli {
namespace {

using Strings = std::vector<std::string>;

JobRecord record(const std::string& state, const std::string& reason = "None", const std::string& nodes = "n1",
                 int exit_code = 0, int signal = 0) {
  JobRecord r;
  r.id = "42";
  r.state = state;
  r.reason = reason;
  r.nodes = nodes;
  r.time_limit = "1:00";
  r.exit_code = exit_code;
  r.signal = signal;
  return r;
}

TEST(SlurmText, SbatchArgumentsCarryEverySettingAndNoScript) {
  JobRequest request;
  request.name = "dli-run1-node-a";
  request.work_dir = "/shared/w";
  request.output_path = "/shared/w/agent-run1.out";
  request.settings = {"gpu", "vision", "bench", "1:30:00", "a100|h100", "gpu:1", true};
  EXPECT_EQ(sbatch_arguments(request),
            (Strings{"--parsable", "--job-name=dli-run1-node-a", "--chdir=/shared/w",
                     "--output=/shared/w/agent-run1.out", "--nodes=1", "--ntasks=1", "--partition=gpu", "--account=vision", "--qos=bench",
                     "--time=1:30:00", "--constraint=a100|h100", "--gres=gpu:1", "--exclusive"}));
}

TEST(SlurmText, EmptySettingsLeaveTheClustersDefaults) {
  SlurmJobSettings settings;
  settings.exclusive = false;
  EXPECT_EQ(job_options(settings), (Strings{"--nodes=1", "--ntasks=1"}));
}

TEST(SlurmText, SbatchOutputGivesTheJobId) {
  EXPECT_EQ(parse_sbatch_output("1234\n").value(), "1234");
  EXPECT_EQ(parse_sbatch_output("1234;cluster-b\n").value(), "1234");
  EXPECT_FALSE(parse_sbatch_output("sbatch: error: Batch job submission failed\n").ok());
}

TEST(SlurmText, SqueueIsAskedForEveryStateOfTheJobs) {
  EXPECT_EQ(squeue_arguments({"12", "13"}),
            (Strings{"--noheader", "--states=all", "--jobs=12,13",
                     "--Format=JobID:|,State:|,NodeList:|,Partition:|,TimeLimit:|,exit_code:|,Reason:|,Feature:|"}));
}

TEST(SlurmText, SqueueLinesBecomeRecords) {
  // As squeue 22.05 prints them (a cancelled job's status is 143 << 8; a feature expression holds '|').
  const auto records = parse_squeue(
      "12|PENDING|(null)|bench|1:00|0|ReqNodeNotAvail, UnavailableNodes:n2|gpu|\n"
      "13|CANCELLED|n2|bench|UNLIMITED|36608|None|fast|gpu|\n"
      "14|FAILED|n1|bench|1:00|768|NonZeroExitCode||\n"
      "garbage\n");
  ASSERT_EQ(records.size(), 3u);
  const JobRecord& pending = records.at("12");
  EXPECT_EQ(pending.state, "PENDING");
  EXPECT_EQ(pending.nodes, "");
  EXPECT_EQ(pending.partition, "bench");
  EXPECT_EQ(pending.reason, "ReqNodeNotAvail, UnavailableNodes:n2");
  EXPECT_EQ(pending.features, "gpu");
  const JobRecord& cancelled = records.at("13");
  EXPECT_EQ(cancelled.features, "fast|gpu");
  EXPECT_EQ(cancelled.exit_code, 143);
  EXPECT_EQ(cancelled.time_limit, "UNLIMITED");
  EXPECT_EQ(records.at("14").exit_code, 3);
  EXPECT_EQ(records.at("14").features, "");
}

TEST(SlurmText, SacctLinesBecomeRecordsWithoutSteps) {
  EXPECT_EQ(sacct_arguments({"7"}), (Strings{"--noheader", "--parsable2", "--allocations", "--jobs=7",
                                            "--format=JobID,State,NodeList,Partition,Timelimit,ExitCode,Reason"}));
  const auto records = parse_sacct(
      "7|CANCELLED by 0|n1|bench|00:01:00|0:15|None\n"
      "7.batch|CANCELLED|n1||||\n"
      "8|TIMEOUT|n2|bench|00:01:00|0:0|None\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at("7").state, "CANCELLED");
  EXPECT_EQ(records.at("7").signal, 15);
  EXPECT_EQ(records.at("8").state, "TIMEOUT");
  EXPECT_EQ(records.at("8").time_limit, "00:01:00");
}

TEST(SlurmText, PendingWaitsWithItsReason) {
  const AgentJob job = agent_job_of(record("PENDING", "Resources", ""));
  EXPECT_EQ(job.phase, AgentJob::Phase::kWaiting);
  EXPECT_EQ(job.id, "42");
  EXPECT_EQ(job.reason, "slurm job 42 PENDING (Resources)");
  EXPECT_EQ(agent_job_of(record("PENDING", "None", "")).reason, "slurm job 42 PENDING");
  EXPECT_EQ(agent_job_of(record("SUSPENDED")).phase, AgentJob::Phase::kWaiting);
  EXPECT_EQ(agent_job_of(record("REQUEUED")).phase, AgentJob::Phase::kWaiting);
}

TEST(SlurmText, RunningIsLeftToTheHeartbeats) {
  EXPECT_EQ(agent_job_of(record("RUNNING")).phase, AgentJob::Phase::kRunning);
  EXPECT_EQ(agent_job_of(record("COMPLETING")).phase, AgentJob::Phase::kRunning);
  EXPECT_EQ(agent_job_of(record("")).phase, AgentJob::Phase::kRunning);
}

TEST(SlurmText, EndedJobsMapToHostStatesWithReasons) {
  struct Case {
    JobRecord record;
    HostState state;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {record("TIMEOUT"), HostState::kLost, "slurm job 42 TIMEOUT on n1: time limit 1:00 reached (slurm.time)"},
      {record("CANCELLED", "None", "n1", 0, 15), HostState::kLost, "slurm job 42 CANCELLED on n1"},
      {record("CANCELLED", "None", ""), HostState::kLost, "slurm job 42 CANCELLED"},
      {record("NODE_FAIL"), HostState::kLost, "slurm job 42 NODE_FAIL on n1"},
      {record("PREEMPTED"), HostState::kLost, "slurm job 42 PREEMPTED on n1"},
      {record("BOOT_FAIL"), HostState::kLost, "slurm job 42 BOOT_FAIL on n1"},
      {record("OUT_OF_MEMORY"), HostState::kFailed, "slurm job 42 OUT_OF_MEMORY on n1 (exit code 0)"},
      {record("FAILED", "NonZeroExitCode", "n1", 3), HostState::kFailed, "slurm job 42 FAILED on n1 (exit code 3)"},
      {record("FAILED", "None", "n1", 0, 9), HostState::kFailed, "slurm job 42 FAILED on n1 (signal 9)"},
      {record("FAILED", "NonZeroExitCode", "n1", 127), HostState::kAgentMissing,
       "slurm job 42 FAILED on n1: dli-agent is not an executable file there (exit code 127; the job's output says "
       "which path)"},
      {record("COMPLETED"), HostState::kLost,
       "slurm job 42 COMPLETED on n1: the agent ended without a final heartbeat"},
  };
  for (const auto& c : cases) {
    const AgentJob job = agent_job_of(c.record);
    EXPECT_EQ(job.phase, AgentJob::Phase::kEnded) << c.record.state;
    EXPECT_EQ(to_string(job.ended_as), to_string(c.state)) << c.record.state;
    EXPECT_EQ(job.reason, c.reason);
  }
}

TEST(SlurmText, BatchScriptCarriesNoSecretOnlyItsFile) {
  AgentLaunch launch;
  launch.agent_exe = "/shared/bin/dli-agent";
  launch.args.store_url = "ftp://store.lab/dli";
  launch.args.run_id = "r1";
  launch.args.host = "node-a";
  launch.args.work_dir = "/shared/w";
  launch.secret_netrc = "machine store.lab login u password hunter2\n";
  const std::string script = agent_batch_script(launch);
  EXPECT_EQ(script.find("hunter2"), std::string::npos);
  EXPECT_EQ(script.rfind("#!/bin/sh\n", 0), 0u);
  EXPECT_NE(script.find("if [ ! -x '/shared/bin/dli-agent' ]; then"), std::string::npos) << script;
  EXPECT_NE(script.find("  exit 127\n"), std::string::npos);
  EXPECT_NE(script.find("unset DLI_STORE_USER DLI_STORE_PASSWORD DLI_CREDENTIALS_FILE\n"), std::string::npos);
  EXPECT_NE(script.find("export DLI_CREDENTIALS_FILE='/shared/w/store-r1.netrc'\n"), std::string::npos);
  EXPECT_NE(script.find("exec '/shared/bin/dli-agent' 'run' '--store' 'ftp://store.lab/dli'"), std::string::npos)
      << script;
  launch.secret_netrc.clear();
  EXPECT_EQ(agent_batch_script(launch).find("export DLI_CREDENTIALS_FILE"), std::string::npos);
}

}  // namespace
}  // namespace dli
