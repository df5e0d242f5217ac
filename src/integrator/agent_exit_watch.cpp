#include "dli/integrator/agent_exit_watch.hpp"

#include <spdlog/spdlog.h>

namespace dli {

namespace {

// How long one wait on a shell lasts before the thread looks whether it should stop: the longest the
// destructor can take when an agent outlives the run's following (a host called lost while its agent hangs).
constexpr std::chrono::milliseconds kStopCheck{200};

}  // namespace

AgentExitWatch::AgentExitWatch(const std::vector<HostShell*>& shells) {
  for (HostShell* shell : shells) threads_.emplace_back([this, shell] { watch(shell); });
}

AgentExitWatch::~AgentExitWatch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  for (auto& thread : threads_) thread.join();
}

void AgentExitWatch::watch(HostShell* shell) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
    }
    const auto exited = shell->wait_agent_exit(std::chrono::steady_clock::now() + kStopCheck);
    if (!exited) return;  // this shell cannot tell: the store's statuses alone say when the agent ends
    if (*exited) {
      spdlog::debug("an agent exited: reading the statuses now");
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++exits_;
        exited_at_[shell] = std::chrono::steady_clock::now();
      }
      wake_.notify_all();
      return;
    }
  }
}

void AgentExitWatch::sleep(std::chrono::duration<double> period) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, period, [&] { return exits_ > reported_; });
  reported_ = exits_;
}

std::optional<std::chrono::steady_clock::time_point> AgentExitWatch::exited_at(const HostShell* shell) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = exited_at_.find(shell);
  if (found == exited_at_.end()) return std::nullopt;
  return found->second;
}

}  // namespace dli
