#include "cpu_affinity.hpp"

#include <sched.h>
#include <sys/types.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>

namespace dli {

namespace {

namespace fs = std::filesystem;

cpu_set_t set_of(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int cpu : cpus) {
    if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &set);
  }
  return set;
}

// Every thread of this process (/proc/self/task): a thread that ends meanwhile is simply skipped. Returns whether
// the calling thread's own affinity was set.
bool set_every_thread(const std::vector<int>& cpus) {
  const cpu_set_t set = set_of(cpus);
  const pid_t self = ::gettid();
  bool own = false;
  std::error_code error;
  for (fs::directory_iterator entry("/proc/self/task", error), end; !error && entry != end; entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t tid = static_cast<pid_t>(std::stol(name));
    const bool set_it = ::sched_setaffinity(tid, sizeof set, &set) == 0;
    if (tid == self) own = set_it;
  }
  if (error) own = ::sched_setaffinity(0, sizeof set, &set) == 0;  // no /proc: the caller at least
  return own;
}

}  // namespace

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return {};
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

AgentPinned::AgentPinned(int cpu, std::vector<int> restore) : restore_(std::move(restore)) {
  if (cpu < 0 || restore_.empty()) return;
  tried_ = true;
  pinned_ = set_every_thread({cpu});
}

AgentPinned::~AgentPinned() {
  if (tried_) set_every_thread(restore_);  // also after a partial failure: no thread stays moved
}

}  // namespace dli
