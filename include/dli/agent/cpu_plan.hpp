#pragma once
// Which CPUs a test's runner and the agent get when measure.pin_cpus is on (docs/methodology.md, "The host around a
// test"), as pure functions over the CPUs the agent may use (tests/unit/test_cpu_plan.cpp); cpu_affinity.cpp applies
// them.
#include <string>
#include <vector>

namespace dli {

struct CpuPlan {
  std::vector<int> runner;  // the runner's CPUs; empty: nothing pinned
  int agent = -1;           // the agent's CPU while the test measures; -1: not pinned
};

// `allowed`: the CPUs the agent may use, ascending (sched_getaffinity). With fewer than two there is nothing to
// separate: nothing is pinned. Otherwise the agent keeps the last one and the runner gets the first
// min(threads, n - 1) of the others: its framework runs `threads` threads, and more CPUs than that would only let
// the scheduler move them around.
CpuPlan plan_cpus(const std::vector<int>& allowed, int threads);

// The kernel's list format (as /proc/<pid>/status Cpus_allowed_list): ascending, runs of consecutive CPUs as
// "first-last", e.g. {0, 1, 2, 5, 7, 8} -> "0-2,5,7-8"; "" for none.
std::string format_cpu_list(std::vector<int> cpus);

}  // namespace dli
