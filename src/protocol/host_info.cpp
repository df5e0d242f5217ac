#include "dli/protocol/host_info.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace dli {

nlohmann::json to_json(const HostInfo& info) {
  nlohmann::json runners = nlohmann::json::array();
  for (const auto& runner : info.runners) runners.push_back(to_json(runner));
  nlohmann::json accelerators = nlohmann::json::array();
  for (const auto& accelerator : info.accelerators) accelerators.push_back(to_json(accelerator));
  nlohmann::json json = {{"hostname", info.hostname},         {"cpu_model", info.cpu_model},
          {"logical_cpus", info.logical_cpus}, {"physical_cores", info.physical_cores},
          {"sockets", info.sockets},           {"memory_kb", info.memory_kb},
          {"os", info.os},                     {"kernel", info.kernel},
          {"arch", info.arch},                 {"agent_version", info.agent_version},
          {"accelerators", accelerators},      {"runners", runners}};
  if (info.gemm_peak) json["gemm_peak"] = to_json(*info.gemm_peak);  // optional: added within protocol 3
  return json;
}

HostInfo host_info_from_json(const nlohmann::json& json) {
  try {
    HostInfo info;
    info.hostname = json.at("hostname").get<std::string>();
    info.cpu_model = json.at("cpu_model").get<std::string>();
    info.logical_cpus = json.at("logical_cpus").get<int>();
    info.physical_cores = json.at("physical_cores").get<int>();
    info.sockets = json.at("sockets").get<int>();
    info.memory_kb = json.at("memory_kb").get<long long>();
    info.os = json.at("os").get<std::string>();
    info.kernel = json.at("kernel").get<std::string>();
    info.arch = json.at("arch").get<std::string>();
    info.agent_version = json.at("agent_version").get<std::string>();
    for (const auto& accelerator : json.at("accelerators")) info.accelerators.push_back(accelerator_from_json(accelerator));
    for (const auto& runner : json.at("runners")) info.runners.push_back(runner_description_from_json(runner));
    if (json.contains("gemm_peak")) info.gemm_peak = gemm_peak_from_json(json.at("gemm_peak"));
    return info;
  } catch (const std::exception& error) {
    throw std::runtime_error(std::string("host description: ") + error.what());
  }
}

std::string format_host_info(const HostInfo& info) {
  std::string text = fmt::format(
      "hostname:   {}\ncpu:        {}\ncores:      {} logical, {} physical, {} sockets\nmemory:     {:.1f} GiB\n"
      "os:         {}\nkernel:     {} ({})\nagent:      {}\n",
      info.hostname, info.cpu_model, info.logical_cpus, info.physical_cores, info.sockets,
      static_cast<double>(info.memory_kb) / (1024.0 * 1024.0), info.os, info.kernel, info.arch, info.agent_version);
  if (info.accelerators.empty()) text += "gpus:       none\n";
  for (const auto& accelerator : info.accelerators) {
    text += fmt::format("gpu {}:      {}\n", accelerator.index, format_accelerator(accelerator));
  }
  if (info.gemm_peak) {
    text += fmt::format("gemm peak:  {:.1f} GFLOP/s ({}, n {}, {} threads; {})\n", info.gemm_peak->gflops,
                        info.gemm_peak->method, info.gemm_peak->n, info.gemm_peak->threads, info.gemm_peak->library);
  }
  for (const auto& runner : info.runners) {
    text += runner.available ? fmt::format("framework:  {} ({}; formats {}; devices {})\n", runner.framework,
                                           runner.version, fmt::join(runner.formats, ", "),
                                           fmt::join(runner.devices, ", "))
                             : fmt::format("framework:  {} unavailable: {}\n", runner.framework, runner.reason);
  }
  return text;
}

}  // namespace dli
