#pragma once
// Wakes the integrator's poll loop the moment an agent exits, where its host shell can tell (an SSH host: the
// start command's channel closes when the agent does), so that the end of a sweep is seen at once instead of at
// the next status poll, at no cost to the store. Elsewhere the loop simply sleeps its poll interval.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dli/remote/host_shell.hpp"

namespace dli {

class AgentExitWatch {
 public:
  // One thread per shell that can watch its agent; the shells must outlive this object.
  explicit AgentExitWatch(const std::vector<HostShell*>& shells);
  ~AgentExitWatch();  // stops the watching threads (within a fraction of a second) and joins them
  AgentExitWatch(const AgentExitWatch&) = delete;
  AgentExitWatch& operator=(const AgentExitWatch&) = delete;

  // Sleeps for `period`, or until an agent exits that no earlier sleep returned for.
  void sleep(std::chrono::duration<double> period);
  // When the agent `shell` started was seen to exit; nullopt while it runs, or where the shell cannot tell.
  std::optional<std::chrono::steady_clock::time_point> exited_at(const HostShell* shell) const;

 private:
  void watch(HostShell* shell);

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  int exits_ = 0;     // agents seen to exit
  int reported_ = 0;  // of them, those a sleep() has returned for
  std::map<const HostShell*, std::chrono::steady_clock::time_point> exited_at_;
  std::vector<std::thread> threads_;
};

}  // namespace dli
