#pragma once
// Reads the host's state just before a test and again right after it (/proc, /sys): nothing runs in between, so the
// probe itself cannot disturb the measurement. The readings are interpreted by host_load.hpp's pure functions.
#include <cstdint>
#include <map>

#include "dli/agent/host_load.hpp"
#include "dli/protocol/host_info.hpp"
#include "dli/protocol/test_environment.hpp"

namespace dli {

class EnvironmentProbe {
 public:
  explicit EnvironmentProbe(const HostInfo& host);
  void before_test();  // never throws
  // `test_cpu_seconds`: what the test's process tree used (ChildOutcome::cpu_seconds).
  TestEnvironment after_test(double test_cpu_seconds);  // never throws

 private:
  TestEnvironment read_after_test(double test_cpu_seconds);
  TestEnvironment base_;
  double ticks_per_second_;
  std::optional<CpuTicks> cpu_before_;
  std::map<int, ProcessTicks> processes_before_;
  std::int64_t swapped_before_ = -1;
  double agent_cpu_before_ = 0;
};

}  // namespace dli
