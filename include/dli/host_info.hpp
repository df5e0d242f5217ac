#pragma once
// What a host is: CPU, cores, memory, OS, kernel, frameworks. Reported by `dli-agent describe`, shown by
// `dli-integrator hosts check`, and recorded with results so a table row can be traced to its machine.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dli {

struct LauncherInfo {
  std::string name;
  std::string version;
};

struct HostInfo {
  std::string hostname;
  std::string cpu_model;
  int logical_cpus = 0;
  int physical_cores = 0;  // distinct (physical id, core id) pairs; 0 when /proc/cpuinfo does not say
  int sockets = 0;
  long long memory_kb = 0;
  std::string os;      // PRETTY_NAME of /etc/os-release
  std::string kernel;  // uname -r
  std::string arch;    // uname -m
  std::string agent_version;
  std::vector<LauncherInfo> launchers;
};

// Pure parsers of the kernel's text files, tested on samples.
struct CpuSummary {
  std::string model;
  int logical = 0;
  int physical_cores = 0;
  int sockets = 0;
};
CpuSummary parse_cpuinfo(const std::string& text);
long long parse_meminfo_total_kb(const std::string& text);  // MemTotal, 0 if absent
std::string parse_os_release_pretty_name(const std::string& text);

// Reads this machine (the I/O edge).
HostInfo describe_this_host();

nlohmann::json to_json(const HostInfo& info);
HostInfo host_info_from_json(const nlohmann::json& json);  // throws std::runtime_error on a malformed document
std::string format_host_info(const HostInfo& info);        // multi-line text for a person

}  // namespace dli
