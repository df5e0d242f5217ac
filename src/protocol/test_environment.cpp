#include "dli/protocol/test_environment.hpp"

#include <fmt/format.h>

#include "protocol_fields.hpp"

namespace dli {

std::vector<std::string> environment_warnings(const TestEnvironment& environment) {
  std::vector<std::string> warnings;
  if (!environment.governor.empty() && environment.governor != "performance") {
    warnings.push_back(fmt::format("CPU frequency governor is '{}', not 'performance'", environment.governor));
  }
  if (environment.build_type != "Release") {
    warnings.push_back(fmt::format("dli build type is '{}', not 'Release'",
                                   environment.build_type.empty() ? "none" : environment.build_type));
  }
  if (environment.other_cpu_share > kBusyShare) {
    std::string who;
    for (const auto& process : environment.busiest) {
      who += fmt::format("{}{} ({:.1f} s)", who.empty() ? "" : ", ", process.name, process.cpu_seconds);
    }
    warnings.push_back(fmt::format("host busy: other processes used {:.0f}% of its CPU time during the test{}",
                                   100 * environment.other_cpu_share, who.empty() ? "" : ": " + who));
  }
  if (environment.swapped_pages > 0) {
    warnings.push_back(fmt::format("swap used: {} pages swapped during the test", environment.swapped_pages));
  }
  return warnings;
}

namespace protocol_detail {

nlohmann::json encode_environment(const TestEnvironment& environment) {
  nlohmann::json busiest = nlohmann::json::array();
  for (const auto& process : environment.busiest) {
    busiest.push_back({{"pid", process.pid}, {"name", valid_utf8(process.name)},
                       {"cpu_s", finite_or_null(process.cpu_seconds)}});
  }
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& warning : environment.warnings) warnings.push_back(valid_utf8(warning));
  return {{"cpu_model", valid_utf8(environment.cpu_model)},
          {"sockets", environment.sockets},
          {"cores", environment.cores},
          {"logical_cpus", environment.logical_cpus},
          {"os", valid_utf8(environment.os)},
          {"kernel", valid_utf8(environment.kernel)},
          {"build_type", environment.build_type},
          {"governor", valid_utf8(environment.governor)},
          {"boost", environment.boost},
          {"load_1m", finite_or_null(environment.load_1m)},
          {"mem_available_kb", environment.mem_available_kb},
          {"swap_used_kb", environment.swap_used_kb},
          {"swapped_pages", environment.swapped_pages},
          {"other_cpu_share", finite_or_null(environment.other_cpu_share)},
          {"busiest", busiest},
          {"warnings", warnings},
          {"runner_cpus", environment.runner_cpus},
          {"agent_cpu", environment.agent_cpu}};
}

template <typename Json>
TestEnvironment decode_environment(const BasicFieldReader<Json>& fields) {
  TestEnvironment environment;
  environment.cpu_model = fields.string("cpu_model");
  environment.sockets = fields.integer("sockets");
  environment.cores = fields.integer("cores");
  environment.logical_cpus = fields.integer("logical_cpus");
  environment.os = fields.string("os");
  environment.kernel = fields.string("kernel");
  environment.build_type = fields.string("build_type");
  environment.governor = fields.string("governor");
  environment.boost = fields.string("boost");
  environment.load_1m = fields.number("load_1m");
  environment.mem_available_kb = fields.int64("mem_available_kb");
  environment.swap_used_kb = fields.int64("swap_used_kb");
  environment.swapped_pages = fields.int64("swapped_pages");
  environment.other_cpu_share = fields.number("other_cpu_share");
  for (const auto& process : fields.objects("busiest")) {
    environment.busiest.push_back({process.integer("pid"), process.string("name"), process.number("cpu_s")});
  }
  environment.warnings = fields.strings("warnings");
  // Optional: results of agents older than pinning have neither.
  if (fields.has("runner_cpus")) environment.runner_cpus = fields.string("runner_cpus");
  if (fields.has("agent_cpu")) environment.agent_cpu = fields.integer("agent_cpu");
  return environment;
}

template TestEnvironment decode_environment(const FieldReader&);
template TestEnvironment decode_environment(const FastFieldReader&);

}  // namespace protocol_detail

}  // namespace dli
