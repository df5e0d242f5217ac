#pragma once
// Slurm's command lines and outputs as dli writes and reads them (docs/slurm.md): pure functions, so that what is
// sent to and read from the scheduler is tested exactly, without a cluster.
#include <map>
#include <string>
#include <vector>

#include "dli/remote/host_shell.hpp"
#include "dli/remote/job_scheduler.hpp"
#include "dli/util/result.hpp"

namespace dli {

// sbatch's options for `request` (the script goes on its standard input): job_options and where the job starts
// and writes.
std::vector<std::string> sbatch_arguments(const JobRequest& request);
// What a job (sbatch) or a short command (srun) asks of the scheduler: one task on one node, and the settings.
std::vector<std::string> job_options(const SlurmJobSettings& settings);
// The job id in `sbatch --parsable`'s output ("12" or "12;cluster"); an Error when there is none.
Result<std::string> parse_sbatch_output(const std::string& output);

// squeue's options to ask for `ids`, whichever state they are in; parse_squeue reads what it prints.
std::vector<std::string> squeue_arguments(const std::vector<std::string>& ids);
std::map<std::string, JobRecord> parse_squeue(const std::string& output);
// sacct's options (allocations only, finished jobs too); parse_sacct reads what it prints.
std::vector<std::string> sacct_arguments(const std::vector<std::string>& ids);
std::map<std::string, JobRecord> parse_sacct(const std::string& output);

// What a job's record means for its host: waiting, running, or ended, with the host state and a reason.
AgentJob agent_job_of(const JobRecord& record);

// The batch script that runs the agent of `launch` on the node; no secret is in it, only the path of the
// credentials file written beside it. Exits 127 when the agent is not executable there.
std::string agent_batch_script(const AgentLaunch& launch);

}  // namespace dli
