#include "dli/agent/host_description.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace dli {
namespace {

// Two sockets, two cores each, hyper-threaded: 8 logical CPUs.
std::string two_socket_cpuinfo() {
  std::string text;
  int processor = 0;
  for (int socket = 0; socket < 2; ++socket) {
    for (int thread = 0; thread < 2; ++thread) {
      for (int core = 0; core < 2; ++core) {
        text += "processor\t: " + std::to_string(processor++) + "\n";
        text += "model name\t: Intel(R) Xeon(R) CPU E5-2650 v2 @ 2.60GHz\n";
        text += "physical id\t: " + std::to_string(socket) + "\n";
        text += "core id\t\t: " + std::to_string(core) + "\n\n";
      }
    }
  }
  return text;
}

TEST(HostInfo, CountsLogicalCpusCoresAndSockets) {
  const CpuSummary cpu = parse_cpuinfo(two_socket_cpuinfo());
  EXPECT_EQ(cpu.model, "Intel(R) Xeon(R) CPU E5-2650 v2 @ 2.60GHz");
  EXPECT_EQ(cpu.logical, 8);
  EXPECT_EQ(cpu.physical_cores, 4);
  EXPECT_EQ(cpu.sockets, 2);
}

TEST(HostInfo, CpuinfoWithoutTopologyLeavesCoresUnknown) {
  // Some virtual machines and ARM kernels omit physical id / core id.
  const CpuSummary cpu = parse_cpuinfo("processor : 0\nmodel name : X\n\nprocessor : 1\nmodel name : X\n");
  EXPECT_EQ(cpu.logical, 2);
  EXPECT_EQ(cpu.physical_cores, 0);
  EXPECT_EQ(cpu.sockets, 0);
}

TEST(HostInfo, ParsesMemTotalAndOsName) {
  EXPECT_EQ(parse_meminfo_total_kb("MemTotal:       24570640 kB\nMemFree:  1 kB\n"), 24570640);
  EXPECT_EQ(parse_meminfo_total_kb("MemFree: 1 kB\n"), 0);
  EXPECT_EQ(parse_os_release_pretty_name("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(parse_os_release_pretty_name("PRETTY_NAME=Alpine\n"), "Alpine");
  EXPECT_EQ(parse_os_release_pretty_name("NAME=x\n"), "");
}

TEST(HostInfo, JsonRoundTripKeepsEveryField) {
  HostInfo info;
  info.hostname = "node-1";
  info.cpu_model = "cpu";
  info.logical_cpus = 8;
  info.physical_cores = 4;
  info.sockets = 2;
  info.memory_kb = 1024;
  info.os = "Debian";
  info.kernel = "6.1.0";
  info.arch = "x86_64";
  info.agent_version = "0.1.0";
  info.runners = {RunnerDescription{"opencv-dnn", "OpenCV 4.6.0", {"onnx"}, {"cpu"}, true, ""},
                  RunnerDescription{"libtorch", "", {}, {}, false, "no dli-run-torch runner on this host"}};
  Accelerator gpu;
  gpu.name = "NVIDIA H200";
  gpu.memory_mib = 143771;
  info.accelerators = {gpu};
  const HostInfo back = host_info_from_json(to_json(info));
  EXPECT_EQ(to_json(back), to_json(info));
  EXPECT_THROW(host_info_from_json(nlohmann::json::object()), std::runtime_error);
}

TEST(HostInfo, DescribesThisMachineAndItsRunners) {
  const HostInfo info = describe_this_host(RunnerRegistry::discover({DLI_BUILD_DIR}));
  EXPECT_GT(info.logical_cpus, 0);
  EXPECT_GT(info.memory_kb, 0);
  EXPECT_FALSE(info.kernel.empty());
  EXPECT_TRUE(info.accelerators.empty());  // no GPU on the machines this suite runs on
  const auto null = std::find_if(info.runners.begin(), info.runners.end(),
                                 [](const RunnerDescription& runner) { return runner.framework == "null"; });
  ASSERT_NE(null, info.runners.end());
  EXPECT_TRUE(null->available) << null->reason;
  EXPECT_EQ(null->devices, std::vector<std::string>{"cpu"});
}

}  // namespace
}  // namespace dli
