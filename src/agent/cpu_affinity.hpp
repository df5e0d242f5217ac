#pragma once
// The agent's side of measure.pin_cpus: the CPUs it may use, and its own threads moved to one CPU while a test
// measures (cpu_plan.hpp chooses the CPUs; run_child restricts the runner). Private to the agent.
#include <vector>

namespace dli {

// The CPUs this process may use (sched_getaffinity), ascending; empty when unreadable.
std::vector<int> allowed_cpus();

// While it lives, every thread of the agent's process runs on `cpu` alone; then on `restore` again. Every thread,
// not only the caller: the publisher's thread wakes during a test too, and must not wake on the runner's CPUs.
// Threads started meanwhile inherit their starter's CPU. `cpu` -1: changes nothing.
class AgentPinned {
 public:
  AgentPinned(int cpu, std::vector<int> restore);
  ~AgentPinned();
  AgentPinned(const AgentPinned&) = delete;
  AgentPinned& operator=(const AgentPinned&) = delete;
  // Whether the calling thread was moved (a kernel may refuse: a cpuset changed since allowed_cpus()).
  bool pinned() const { return pinned_; }

 private:
  std::vector<int> restore_;
  bool tried_ = false;
  bool pinned_ = false;
};

}  // namespace dli
