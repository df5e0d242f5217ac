#pragma once
// A batch scheduler as the integrator uses it to run agents on a cluster (docs/slurm.md): submit a job, ask the
// state of its jobs, cancel them. The real one runs Slurm's commands (make_slurm_scheduler); tests of the classes
// above it may give another.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/util/result.hpp"

namespace dli {

// One batch job: what runs, where its output goes, and what it asks of the scheduler.
struct JobRequest {
  std::string name;         // the job's name in the queue: dli-<run>-<host>
  std::string script;       // the batch script, given to sbatch on its standard input (never on its command line)
  std::string work_dir;     // the job starts there
  std::string output_path;  // the job's stdout and stderr
  SlurmJobSettings settings;
};

// The scheduler's word on one job, as its commands print it.
struct JobRecord {
  std::string id;
  std::string state;      // Slurm's state name: PENDING, RUNNING, TIMEOUT, ...
  std::string reason;     // why it waits or ended (squeue's reason; "None" when none)
  std::string nodes;      // where it runs or ran; empty while pending
  std::string partition;
  std::string features;   // the constraint it was submitted with
  std::string time_limit;
  int exit_code = -1;     // the batch script's exit status once ended; -1 unknown
  int signal = 0;         // the signal that ended it, when one did
};

class JobScheduler {
 public:
  virtual ~JobScheduler() = default;
  // Submits `request`; the job's id. Error kinds: kAgentMissing never (the job finds that out), kOther when the
  // scheduler refused the job (its message says why: an unknown partition, an invalid feature, ...), kUnreachable
  // when its commands cannot run or reach the controller.
  virtual Result<std::string> submit(const JobRequest& request) = 0;
  // The records of the jobs in `ids` that the scheduler still knows, by id; a job it has forgotten is absent.
  virtual Result<std::map<std::string, JobRecord>> states(const std::vector<std::string>& ids) = 0;
  // Cancels the jobs in `ids`; those already ended are no error.
  virtual Status cancel(const std::vector<std::string>& ids) = 0;
};

struct SlurmCommands {
  // sbatch, squeue, sacct and scancel: found through PATH unless a folder is named.
  std::string bin_dir;
  double timeout_seconds = 60;  // each command; a controller that does not answer is unreachable
};

std::unique_ptr<JobScheduler> make_slurm_scheduler(const SlurmCommands& commands = {});

}  // namespace dli
