#pragma once
// Many hosts' shells ask one scheduler about their jobs: the questions are answered together, one query for every
// job asked about, at most once per interval, so that the load on the cluster's controller does not grow with the
// number of hosts the integrator follows (each polls twice a second).
#include <memory>

#include "dli/remote/job_scheduler.hpp"

namespace dli {

// A job that has ended is never asked about again: its last record stands.
std::shared_ptr<JobScheduler> make_batched_scheduler(std::shared_ptr<JobScheduler> inner, double interval_seconds);

// The process's one batched Slurm scheduler (every slurm host's shell shares it), asking every 2 s at most.
std::shared_ptr<JobScheduler> shared_slurm_scheduler();

}  // namespace dli
