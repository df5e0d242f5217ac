// Reading this machine for its description: /proc and /etc files (pure parsers), uname, the installed runners.
#include "dli/agent/host_description.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "dli/agent/accelerators.hpp"
#include "dli/util/version.hpp"

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

HostInfo describe_this_host(const RunnerRegistry& runners) {
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
  info.accelerators = describe_accelerators();
  for (const auto& runner : runners.runners()) {
    if (!runner.path.empty()) info.runners.push_back(runner.description);  // what is installed, working or not
  }
  return info;
}

}  // namespace dli
