#pragma once
// This machine's description for host.json and `dli-agent describe`.
#include <string>
#include <vector>

#include "dli/agent/runner_registry.hpp"
#include "dli/protocol/host_info.hpp"

namespace dli {

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

// Reads this machine (the I/O edge); lists the runners installed on it with what each said it can do.
HostInfo describe_this_host(const RunnerRegistry& runners);

}  // namespace dli
