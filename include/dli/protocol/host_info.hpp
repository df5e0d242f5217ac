#pragma once
// What a host is (host.json, docs/protocol.md): CPU, cores, memory, OS, kernel, frameworks. Reported by
// `dli-agent describe`, shown by `dli-integrator hosts check`, and recorded with results so a table row can be
// traced to its machine.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/protocol/accelerator.hpp"
#include "dli/protocol/gemm_peak.hpp"
#include "dli/protocol/runner_protocol.hpp"

namespace dli {

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
  std::vector<Accelerator> accelerators;   // GPUs; empty on a host without one
  std::vector<RunnerDescription> runners;  // the installed runners, as each describes itself
  std::optional<GemmPeak> gemm_peak;       // measured by the agent before its tests; absent from `describe`
};

nlohmann::json to_json(const HostInfo& info);
HostInfo host_info_from_json(const nlohmann::json& json);  // throws std::runtime_error on a malformed document
std::string format_host_info(const HostInfo& info);        // multi-line text for a person

}  // namespace dli
