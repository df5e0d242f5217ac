#pragma once
// The batch jobs a run submitted (kind slurm), recorded in the store (docs/protocol.md 4.8) so that any later
// process can cancel them: `dli-integrator cancel RUN` (docs/slurm.md).
#include <map>
#include <string>
#include <vector>

#include "dli/store/store.hpp"
#include "dli/util/result.hpp"

namespace dli {

// Adds `job_id` to the jobs recorded for `host` in `run_id` (each attempt of the host submits one).
Status record_scheduler_job(Store& store, const std::string& run_id, const std::string& host,
                            const std::string& job_id);
// Every recorded job of the run, by host; hosts without jobs are absent.
Result<std::map<std::string, std::vector<std::string>>> recorded_scheduler_jobs(Store& store,
                                                                                const std::string& run_id);

}  // namespace dli
