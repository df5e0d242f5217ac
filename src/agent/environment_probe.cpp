#include "environment_probe.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#ifndef DLI_BUILD_TYPE
#define DLI_BUILD_TYPE ""
#endif

namespace dli {

namespace {

namespace fs = std::filesystem;

// /proc and /sys files, read with plain read(2): a process may end while its stat is read, and the stream library
// then throws (ESRCH from inside its buffer); here that is simply an empty reading.
std::string read_text(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return text;
}

std::string first_word(const std::string& text) {
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!word.empty()) break;
      continue;
    }
    word += c;
  }
  return word;
}

std::string governor_of_cpus() {
  std::vector<std::string> governors;
  std::error_code error;
  for (fs::directory_iterator entry("/sys/devices/system/cpu", error), end; !error && entry != end;
       entry.increment(error)) {
    const std::string name = entry->path().filename().string();
    if (name.size() < 4 || name.compare(0, 3, "cpu") != 0 || !std::isdigit(static_cast<unsigned char>(name[3]))) continue;
    governors.push_back(first_word(read_text(entry->path().string() + "/cpufreq/scaling_governor")));
  }
  return combined_governor(governors);
}

std::string boost_state() {
  const std::string boost = first_word(read_text("/sys/devices/system/cpu/cpufreq/boost"));
  if (boost == "1") return "on";
  if (boost == "0") return "off";
  const std::string no_turbo = first_word(read_text("/sys/devices/system/cpu/intel_pstate/no_turbo"));
  if (no_turbo == "0") return "on";
  if (no_turbo == "1") return "off";
  return "";
}

// Every process's /proc/PID/stat, twice a test and between the test's end and the next one's start: the fewest
// system calls it can be (each process: open relative to /proc, one read, close), since a host's agent pays them
// for every process on the machine (2-4 ms a test on a small VM with std::filesystem and a read to EOF).
std::map<int, ProcessTicks> process_ticks() {
  std::map<int, ProcessTicks> processes;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return processes;
  const int proc_fd = ::dirfd(proc);
  std::string text;
  char path[sizeof(dirent::d_name) + 8];
  char buffer[2048];  // a stat line is well under 1 KiB; a longer one is read on
  while (const dirent* entry = ::readdir(proc)) {
    const char* name = entry->d_name;
    if (name[0] < '0' || name[0] > '9' || std::strspn(name, "0123456789") != std::strlen(name)) continue;
    std::snprintf(path, sizeof path, "%s/stat", name);
    const int fd = ::openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // ended meanwhile
    text.clear();
    for (;;) {
      const ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      text.append(buffer, static_cast<std::size_t>(got));
      if (static_cast<std::size_t>(got) < sizeof buffer) break;  // procfs gives a stat line in one read
    }
    ::close(fd);
    if (auto ticks = parse_process_ticks(text)) processes.emplace(std::atoi(name), std::move(*ticks));
  }
  ::closedir(proc);
  return processes;
}

double own_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

EnvironmentProbe::EnvironmentProbe(const HostInfo& host)
    : ticks_per_second_(static_cast<double>(std::max(1L, ::sysconf(_SC_CLK_TCK)))) {
  base_.cpu_model = host.cpu_model;
  base_.sockets = host.sockets;
  base_.cores = host.physical_cores;
  base_.logical_cpus = host.logical_cpus;
  base_.os = host.os;
  base_.kernel = host.kernel;
  base_.build_type = DLI_BUILD_TYPE;
}

void EnvironmentProbe::before_test() {
  try {
    base_.governor = governor_of_cpus();
    base_.boost = boost_state();
    base_.load_1m = parse_load_1m(read_text("/proc/loadavg"));
    const MemoryReading memory = parse_meminfo(read_text("/proc/meminfo"));
    base_.mem_available_kb = memory.available_kb;
    base_.swap_used_kb = memory.swap_used_kb;
    swapped_before_ = parse_swapped_pages(read_text("/proc/vmstat"));
    processes_before_ = process_ticks();
    agent_cpu_before_ = own_cpu_seconds();
    cpu_before_ = parse_cpu_ticks(read_text("/proc/stat"));  // last: the window starts as close to the test as it can
  } catch (const std::exception&) {
    cpu_before_.reset();  // no reading is worth a test: the environment then says "unknown"
  }
}

TestEnvironment EnvironmentProbe::after_test(double test_cpu_seconds) {
  try {
    return read_after_test(test_cpu_seconds);
  } catch (const std::exception&) {
    TestEnvironment unknown = base_;  // the test's result matters more than any reading of the host
    unknown.warnings = environment_warnings(unknown);
    return unknown;
  }
}

TestEnvironment EnvironmentProbe::read_after_test(double test_cpu_seconds) {
  const auto cpu_after = parse_cpu_ticks(read_text("/proc/stat"));
  const double agent_cpu = own_cpu_seconds() - agent_cpu_before_;
  TestEnvironment environment = base_;
  if (cpu_before_ && cpu_after) {
    const auto own = static_cast<std::int64_t>(std::llround((test_cpu_seconds + agent_cpu) * ticks_per_second_));
    environment.other_cpu_share = other_cpu_share(*cpu_before_, *cpu_after, own);
  }
  const std::int64_t swapped_after = parse_swapped_pages(read_text("/proc/vmstat"));
  if (swapped_before_ >= 0 && swapped_after >= swapped_before_) environment.swapped_pages = swapped_after - swapped_before_;
  environment.busiest =
      busiest_processes(processes_before_, process_ticks(), {static_cast<int>(::getpid())}, ticks_per_second_);
  environment.warnings = environment_warnings(environment);
  return environment;
}

}  // namespace dli
