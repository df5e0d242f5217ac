#pragma once
// The host around one test, recorded by the agent in the test's result (docs/protocol.md 4.5), so that a figure can
// be judged on its own: was the clock governed for speed, was the build optimised, did anything else run meanwhile.
#include <cstdint>
#include <string>
#include <vector>

namespace dli {

struct BusyProcess {
  int pid = 0;
  std::string name;
  double cpu_seconds = 0;  // used during the test
};

struct TestEnvironment {
  // The machine, repeated from host.json so that a result stands alone.
  std::string cpu_model;
  int sockets = 0, cores = 0, logical_cpus = 0;
  std::string os, kernel;
  std::string build_type;  // dli's CMAKE_BUILD_TYPE ("Release", "Debug", ...)
  std::string governor;    // cpufreq scaling governor of every CPU; "mixed" when they differ; "" unknown (no cpufreq)
  std::string boost;       // "on", "off"; "" unknown
  // Just before the test.
  double load_1m = -1;               // /proc/loadavg; -1 unknown
  std::int64_t mem_available_kb = -1;
  std::int64_t swap_used_kb = -1;
  // During the test, from /proc at its start and its end (nothing is sampled while it runs).
  std::int64_t swapped_pages = 0;    // pages swapped in or out (/proc/vmstat pswpin + pswpout)
  double other_cpu_share = -1;       // CPU time of every other process / (wall time x logical CPUs); -1 unknown
  std::vector<BusyProcess> busiest;  // the other processes that used the most CPU, at most three
  std::vector<std::string> warnings;
  // measure.pin_cpus: the CPUs the runner was restricted to, in the kernel's list format ("0-2", "0,2"), and the
  // one the agent kept meanwhile; "" and -1 when nothing was pinned.
  std::string runner_cpus;
  int agent_cpu = -1;
};

// The share of the host's CPU time other processes may take during a test before it counts as busy.
inline constexpr double kBusyShare = 0.05;

// Warnings a reader must see next to the figure: governor not `performance`, build not Release, host busy, swap
// used. Pure: from the fields above.
std::vector<std::string> environment_warnings(const TestEnvironment& environment);

}  // namespace dli
