// A cluster node as a host: the agent is submitted as a batch job. The node is whichever the scheduler picks, so
// the files the agent needs at its start (credentials, task list) go into the host's work dir, on a filesystem the
// integrator and the nodes share (docs/slurm.md), before the job is submitted.
#include "dli/remote/host_shell_slurm.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/remote/slurm_text.hpp"
#include "dli/util/local_file.hpp"

namespace dli {

namespace {

class SlurmShell : public HostShell {
 public:
  SlurmShell(HostConfig host, std::shared_ptr<JobScheduler> scheduler)
      : host_(std::move(host)), scheduler_(std::move(scheduler)) {}

  Status start_agent(const AgentLaunch& launch) override {
    const std::string& work_dir = launch.args.work_dir;
    std::error_code error;
    std::filesystem::create_directories(work_dir, error);
    if (error) return Error{fmt::format("cannot create work dir {}: {}", work_dir, error.message())};
    const std::string secret = work_dir + "/" + credentials_file_name(launch.args.run_id);
    if (!launch.secret_netrc.empty()) {
      if (auto written = write_private_file(secret, launch.secret_netrc); !written) return written.error();
    }
    if (!launch.tasks_json.empty() && !launch.args.tasks_file.empty()) {
      // Best effort: without it the agent reads its task list from the store.
      std::ofstream(launch.args.tasks_file, std::ios::binary | std::ios::trunc) << launch.tasks_json;
    }
    JobRequest request;
    request.name = fmt::format("dli-{}-{}", launch.args.run_id, launch.args.host);
    request.script = agent_batch_script(launch);
    request.work_dir = work_dir;
    request.output_path = work_dir + "/" + agent_output_file_name(launch.args.run_id);
    request.settings = host_.slurm;
    auto submitted = scheduler_->submit(request);
    if (!submitted) {
      ::unlink(secret.c_str());  // no agent will start to remove it
      return submitted.error();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    job_id_ = submitted.value();
    known_.reset();
    spdlog::info("host {}: slurm job {} submitted", host_.name, job_id_);
    return {};
  }

  // A short command on a node of the host's kind: srun with the job's settings, waiting in the queue like any job.
  Result<CommandOutput> run(const std::vector<std::string>& argv, const std::string& stdin_data,
                            double timeout_seconds) override {
    // srun hands its environment to the job: the store's credentials stay out of it (they travel on stdin).
    std::vector<std::string> command = {"env", "-u", "DLI_STORE_USER", "-u", "DLI_STORE_PASSWORD",
                                        "-u", "DLI_CREDENTIALS_FILE", "srun", "--quiet"};
    for (auto& arg : job_options(host_.slurm)) command.push_back(std::move(arg));
    command.insert(command.end(), argv.begin(), argv.end());
    return local_->run(command, stdin_data, timeout_seconds);
  }

  std::optional<bool> agent_alive(int pid) override {
    (void)pid;  // on a node the integrator does not see: the scheduler says instead (agent_job)
    return std::nullopt;
  }

  std::string job_id() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return job_id_;
  }

  std::optional<AgentJob> agent_job() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (job_id_.empty()) return std::nullopt;
    auto records = scheduler_->states({job_id_});
    if (!records) {
      spdlog::debug("host {}: slurm job {}: {}", host_.name, job_id_, records.error().message);
      return known_;  // the last word stands; the heartbeats decide meanwhile
    }
    const auto found = records.value().find(job_id_);
    if (found == records.value().end()) return known_;
    known_ = agent_job_of(found->second);
    return known_;
  }

 private:
  const HostConfig host_;
  std::shared_ptr<JobScheduler> scheduler_;
  std::unique_ptr<HostShell> local_ = make_local_shell();  // runs srun
  mutable std::mutex mutex_;  // start_agent runs on a start thread, agent_job on the poll loop
  std::string job_id_;
  std::optional<AgentJob> known_;  // the scheduler's last word, kept while it cannot be asked
};

}  // namespace

std::unique_ptr<HostShell> make_slurm_shell(const HostConfig& host, std::shared_ptr<JobScheduler> scheduler) {
  return std::make_unique<SlurmShell>(host, std::move(scheduler));
}

}  // namespace dli
