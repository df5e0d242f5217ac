#include "dli/host_info.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "dli/launcher.hpp"
#include "dli/version.hpp"

namespace dli {

namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// "key : value" lines of /proc files.
std::pair<std::string, std::string> split_field(const std::string& line) {
  const auto colon = line.find(':');
  if (colon == std::string::npos) return {trim(line), ""};
  return {trim(line.substr(0, colon)), trim(line.substr(colon + 1))};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

CpuSummary parse_cpuinfo(const std::string& text) {
  CpuSummary summary;
  std::set<std::pair<std::string, std::string>> cores;
  std::set<std::string> sockets;
  std::string physical_id;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto [key, value] = split_field(line);
    if (key == "processor") {
      ++summary.logical;
      physical_id.clear();
    } else if (key == "model name" && summary.model.empty()) {
      summary.model = value;
    } else if (key == "physical id") {
      physical_id = value;
      sockets.insert(value);
    } else if (key == "core id") {
      cores.insert({physical_id, value});
    }
  }
  summary.physical_cores = static_cast<int>(cores.size());
  summary.sockets = static_cast<int>(sockets.size());
  return summary;
}

long long parse_meminfo_total_kb(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto [key, value] = split_field(line);
    if (key == "MemTotal") return std::stoll(value);
  }
  return 0;
}

std::string parse_os_release_pretty_name(const std::string& text) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::string prefix = "PRETTY_NAME=";
    if (line.compare(0, prefix.size(), prefix) != 0) continue;
    std::string value = line.substr(prefix.size());
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return "";
}

HostInfo describe_this_host() {
  HostInfo info;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) info.hostname = name;
  const CpuSummary cpu = parse_cpuinfo(read_text("/proc/cpuinfo"));
  info.cpu_model = cpu.model;
  info.logical_cpus = cpu.logical > 0 ? cpu.logical : static_cast<int>(std::thread::hardware_concurrency());
  info.physical_cores = cpu.physical_cores;
  info.sockets = cpu.sockets;
  info.memory_kb = parse_meminfo_total_kb(read_text("/proc/meminfo"));
  info.os = parse_os_release_pretty_name(read_text("/etc/os-release"));
  struct utsname uts {};
  if (::uname(&uts) == 0) {
    info.kernel = uts.release;
    info.arch = uts.machine;
  }
  info.agent_version = kVersion;
  for (const auto& launcher_name : launcher_names()) {
    auto launcher = make_launcher(launcher_name);
    if (launcher) info.launchers.push_back({launcher_name, launcher->version()});
  }
  return info;
}

nlohmann::json to_json(const HostInfo& info) {
  nlohmann::json launchers = nlohmann::json::array();
  for (const auto& launcher : info.launchers) launchers.push_back({{"name", launcher.name}, {"version", launcher.version}});
  return {{"hostname", info.hostname},         {"cpu_model", info.cpu_model},
          {"logical_cpus", info.logical_cpus}, {"physical_cores", info.physical_cores},
          {"sockets", info.sockets},           {"memory_kb", info.memory_kb},
          {"os", info.os},                     {"kernel", info.kernel},
          {"arch", info.arch},                 {"agent_version", info.agent_version},
          {"launchers", launchers}};
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
    for (const auto& launcher : json.at("launchers")) {
      info.launchers.push_back({launcher.at("name").get<std::string>(), launcher.at("version").get<std::string>()});
    }
    return info;
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(std::string("host description: ") + error.what());
  }
}

std::string format_host_info(const HostInfo& info) {
  std::string text = fmt::format(
      "hostname:   {}\ncpu:        {}\ncores:      {} logical, {} physical, {} sockets\nmemory:     {:.1f} GiB\n"
      "os:         {}\nkernel:     {} ({})\nagent:      {}\n",
      info.hostname, info.cpu_model, info.logical_cpus, info.physical_cores, info.sockets,
      static_cast<double>(info.memory_kb) / (1024.0 * 1024.0), info.os, info.kernel, info.arch, info.agent_version);
  for (const auto& launcher : info.launchers) text += fmt::format("launcher:   {} {}\n", launcher.name, launcher.version);
  return text;
}

}  // namespace dli
