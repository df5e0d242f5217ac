#include "dli/agent/host_load.hpp"

#include <algorithm>
#include <sstream>

namespace dli {

std::optional<CpuTicks> parse_cpu_ticks(const std::string& proc_stat) {
  std::istringstream in(proc_stat);
  std::string label;
  if (!(in >> label) || label != "cpu") return std::nullopt;
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice)
  std::int64_t value[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int read = 0;
  while (read < 8 && in >> value[read]) ++read;
  if (read < 4) return std::nullopt;
  CpuTicks ticks;
  ticks.busy = value[0] + value[1] + value[2] + value[5] + value[6] + value[7];
  ticks.total = ticks.busy + value[3] + value[4];
  return ticks;
}

std::optional<ProcessTicks> parse_process_ticks(const std::string& pid_stat) {
  const auto open = pid_stat.find('(');
  const auto close = pid_stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  ProcessTicks process;
  process.name = pid_stat.substr(open + 1, close - open - 1);
  // After ") ": state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
  // cutime cstime priority nice num_threads itrealvalue starttime(22)
  std::istringstream rest(pid_stat.substr(close + 1));
  std::string field;
  std::int64_t utime = 0, stime = 0;
  for (int number = 3; number <= 22; ++number) {
    if (!(rest >> field)) return std::nullopt;
    try {
      if (number == 14) utime = std::stoll(field);
      if (number == 15) stime = std::stoll(field);
      if (number == 22) process.start = std::stoll(field);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  process.ticks = utime + stime;
  return process;
}

double parse_load_1m(const std::string& proc_loadavg) {
  std::istringstream in(proc_loadavg);
  double load = -1;
  if (!(in >> load)) return -1;
  return load;
}

namespace {

std::int64_t field_of(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string name;
  std::int64_t value = 0;
  std::string rest;
  while (in >> name >> value) {
    std::getline(in, rest);
    if (name == key) return value;
  }
  return -1;
}

}  // namespace

MemoryReading parse_meminfo(const std::string& proc_meminfo) {
  MemoryReading reading;
  reading.available_kb = field_of(proc_meminfo, "MemAvailable:");
  const std::int64_t total = field_of(proc_meminfo, "SwapTotal:");
  const std::int64_t free = field_of(proc_meminfo, "SwapFree:");
  if (total >= 0 && free >= 0) reading.swap_used_kb = total - free;
  return reading;
}

std::int64_t parse_swapped_pages(const std::string& proc_vmstat) {
  const std::int64_t in = field_of(proc_vmstat, "pswpin");
  const std::int64_t out = field_of(proc_vmstat, "pswpout");
  if (in < 0 || out < 0) return -1;
  return in + out;
}

std::string combined_governor(const std::vector<std::string>& governors) {
  std::string combined;
  for (const auto& governor : governors) {
    if (governor.empty()) continue;
    if (combined.empty()) {
      combined = governor;
    } else if (combined != governor) {
      return "mixed";
    }
  }
  return combined;
}

double other_cpu_share(const CpuTicks& before, const CpuTicks& after, std::int64_t own_ticks) {
  const std::int64_t total = after.total - before.total;
  if (total <= 0) return -1;
  const std::int64_t others = std::max<std::int64_t>(0, after.busy - before.busy - own_ticks);
  return std::min(1.0, static_cast<double>(others) / static_cast<double>(total));
}

std::vector<BusyProcess> busiest_processes(const std::map<int, ProcessTicks>& before,
                                           const std::map<int, ProcessTicks>& after, const std::vector<int>& own,
                                           double ticks_per_second, std::size_t limit) {
  std::vector<BusyProcess> used;
  for (const auto& [pid, process] : after) {
    if (std::find(own.begin(), own.end(), pid) != own.end()) continue;
    const auto earlier = before.find(pid);
    // A pid reused by a process started since is a new process: all its ticks are the test's time.
    const bool same = earlier != before.end() && earlier->second.start == process.start;
    const std::int64_t ticks = process.ticks - (same ? earlier->second.ticks : 0);
    if (ticks <= 0) continue;
    used.push_back({pid, process.name, static_cast<double>(ticks) / ticks_per_second});
  }
  std::sort(used.begin(), used.end(), [](const BusyProcess& a, const BusyProcess& b) {
    return a.cpu_seconds != b.cpu_seconds ? a.cpu_seconds > b.cpu_seconds : a.pid < b.pid;
  });
  if (used.size() > limit) used.resize(limit);
  return used;
}

}  // namespace dli
