#include "dli/remote/job_state_batch.hpp"

#include <mutex>
#include <optional>
#include <set>

#include "dli/remote/slurm_text.hpp"
#include "dli/util/clock.hpp"

namespace dli {

namespace {

class BatchedScheduler : public JobScheduler {
 public:
  BatchedScheduler(std::shared_ptr<JobScheduler> inner, double interval_seconds)
      : inner_(std::move(inner)), interval_seconds_(interval_seconds) {}

  Result<std::string> submit(const JobRequest& request) override { return inner_->submit(request); }
  Status cancel(const std::vector<std::string>& ids) override { return inner_->cancel(ids); }

  Result<std::map<std::string, JobRecord>> states(const std::vector<std::string>& ids) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = SteadyClock::now();
    bool fresh = asked_once_ && seconds_between(asked_at_, now) < interval_seconds_;
    for (const auto& id : ids) {
      if (watched_.insert(id).second && ended_.count(id) == 0) fresh = false;  // new: not in the last answer
    }
    if (!fresh) {
      std::vector<std::string> open;
      for (const auto& id : watched_) {
        if (ended_.count(id) == 0) open.push_back(id);
      }
      auto answer = inner_->states(open);
      // A failed question waits its interval too: a controller that does not answer must not stall every poll.
      asked_once_ = true;
      asked_at_ = now;
      if (!answer) {
        failure_ = answer.error();
        return answer.error();
      }
      failure_.reset();
      for (const auto& id : open) records_.erase(id);  // forgotten ones are absent from the answer
      for (auto& [id, record] : answer.value()) {
        if (agent_job_of(record).phase == AgentJob::Phase::kEnded) ended_.insert(id);
        records_[id] = std::move(record);
      }
    }
    if (failure_) return *failure_;
    std::map<std::string, JobRecord> wanted;
    for (const auto& id : ids) {
      if (const auto found = records_.find(id); found != records_.end()) wanted.emplace(id, found->second);
    }
    return wanted;
  }

 private:
  const std::shared_ptr<JobScheduler> inner_;
  const double interval_seconds_;
  std::mutex mutex_;  // the shells of all hosts ask from the poll loop and the start threads
  std::set<std::string> watched_;
  std::set<std::string> ended_;
  std::map<std::string, JobRecord> records_;
  std::optional<Error> failure_;  // the last question's, while it is fresh
  bool asked_once_ = false;
  SteadyClock::time_point asked_at_{};
};

}  // namespace

std::shared_ptr<JobScheduler> make_batched_scheduler(std::shared_ptr<JobScheduler> inner, double interval_seconds) {
  return std::make_shared<BatchedScheduler>(std::move(inner), interval_seconds);
}

std::shared_ptr<JobScheduler> shared_slurm_scheduler() {
  static const std::shared_ptr<JobScheduler> shared = make_batched_scheduler(make_slurm_scheduler(), 2.0);
  return shared;
}

}  // namespace dli
