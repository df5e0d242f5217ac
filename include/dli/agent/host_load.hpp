#pragma once
// Readings of /proc and /sys that say how busy a host is around a test, as pure functions over the files' text
// (tests/unit/test_host_load.cpp); environment_probe.cpp reads the files.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dli/protocol/test_environment.hpp"

namespace dli {

// /proc/stat's aggregate "cpu" line, in clock ticks: busy = user + nice + system + irq + softirq + steal
// (idle and iowait are not busy).
struct CpuTicks {
  std::int64_t busy = 0;
  std::int64_t total = 0;
};
std::optional<CpuTicks> parse_cpu_ticks(const std::string& proc_stat);

// /proc/<pid>/stat: the command name (between the parentheses, which may hold anything) and utime + stime in ticks.
struct ProcessTicks {
  std::string name;
  std::int64_t ticks = 0;
  // When it started (clock ticks after boot): with the pid, what makes it the same process in two readings. Not
  // the name: a kernel worker's name follows its current work ("kworker/0:1-events", "kworker/0:1-mm_percpu_wq").
  std::int64_t start = 0;
};
std::optional<ProcessTicks> parse_process_ticks(const std::string& pid_stat);

double parse_load_1m(const std::string& proc_loadavg);  // -1 when unreadable

struct MemoryReading {
  std::int64_t available_kb = -1;
  std::int64_t swap_used_kb = -1;  // SwapTotal - SwapFree
};
MemoryReading parse_meminfo(const std::string& proc_meminfo);

std::int64_t parse_swapped_pages(const std::string& proc_vmstat);  // pswpin + pswpout; -1 when absent

// One governor for all CPUs, "mixed" when they differ, "" when none is known.
std::string combined_governor(const std::vector<std::string>& governors);

// The share of the host's CPU time that other processes used between two readings: every busy tick less the ticks
// of `own_ticks` (the test's process tree and the agent), over the ticks the host had (-1 when it had none).
double other_cpu_share(const CpuTicks& before, const CpuTicks& after, std::int64_t own_ticks);

// The `limit` processes that used the most ticks between two readings (by pid), leaving out `own` pids; ticks are
// converted to seconds with `ticks_per_second`. Processes absent from `before` started meanwhile: all their ticks.
std::vector<BusyProcess> busiest_processes(const std::map<int, ProcessTicks>& before,
                                           const std::map<int, ProcessTicks>& after, const std::vector<int>& own,
                                           double ticks_per_second, std::size_t limit = 3);

}  // namespace dli
