#pragma once
// A cluster node as a host (kind slurm, docs/slurm.md): the agent runs as a batch job, followed through the same
// heartbeats as any agent, with the scheduler's word on the job besides.
#include <memory>

#include "dli/config/config.hpp"
#include "dli/remote/host_shell.hpp"
#include "dli/remote/job_scheduler.hpp"

namespace dli {

// `scheduler`: shared by the shells of a run's hosts (shared_slurm_scheduler): it batches their questions.
std::unique_ptr<HostShell> make_slurm_shell(const HostConfig& host, std::shared_ptr<JobScheduler> scheduler);

}  // namespace dli
