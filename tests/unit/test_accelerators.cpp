// Accelerator description: the parsers on outputs seen on a real H200 host (docs: shared notes, "A GPU host"), and
// the I/O edge with a fake nvidia-smi, since the test machines have no GPU.
#include "dli/agent/accelerators.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;

const char* const kOneGpu =
    "0, NVIDIA H200, GPU-d210f336-1111-2222-3333-444455556666, 143771 MiB, 580.159.04, 9.0, 00000000:00:06.0\n";

const char* const kProcInformation =
    "Model: \t\t NVIDIA H200\n"
    "IRQ:   \t\t 0\n"
    "GPU UUID: \t GPU-d210f336-1111-2222-3333-444455556666\n"
    "Video BIOS: \t ??.??.??.??.??\n"
    "Bus Type: \t PCIe\n"
    "DMA Size: \t 52 bits\n"
    "DMA Mask: \t 0xfffffffffffff\n"
    "Bus Location: \t 0000:00:06.0\n"
    "Device Minor: \t 0\n"
    "GPU Excluded:\t No\n";

Accelerator h200() {
  Accelerator expected;
  expected.kind = "nvidia-gpu";
  expected.index = 0;
  expected.name = "NVIDIA H200";
  expected.uuid = "GPU-d210f336-1111-2222-3333-444455556666";
  expected.memory_mib = 143771;
  expected.driver = "580.159.04";
  expected.compute_capability = "9.0";
  expected.bus_id = "00000000:00:06.0";
  return expected;
}

TEST(NvidiaSmiCsv, OneGpu) {
  const auto found = parse_nvidia_smi_csv(kOneGpu);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], h200());
}

TEST(NvidiaSmiCsv, TwoGpusWithoutTrailingNewlineAndWithCarriageReturns) {
  const auto found = parse_nvidia_smi_csv(
      "0, NVIDIA A100-SXM4-40GB, GPU-aaaa, 40960 MiB, 535.54.03, 8.0, 00000000:07:00.0\r\n"
      "1, Tesla T4, GPU-bbbb, 15360 MiB, 535.54.03, 7.5, 00000000:3B:00.0");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].index, 0);
  EXPECT_EQ(found[0].name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(found[0].memory_mib, 40960);
  EXPECT_EQ(found[0].bus_id, "00000000:07:00.0");
  EXPECT_EQ(found[1].index, 1);
  EXPECT_EQ(found[1].name, "Tesla T4");
  EXPECT_EQ(found[1].uuid, "GPU-bbbb");
  EXPECT_EQ(found[1].compute_capability, "7.5");
  EXPECT_EQ(found[1].bus_id, "00000000:3B:00.0");
}

TEST(NvidiaSmiCsv, UnknownFieldsBecomeEmpty) {
  // Older drivers have no compute_cap ("[N/A]"); MIG and virtual GPUs hide some fields.
  const auto found =
      parse_nvidia_smi_csv("3, NVIDIA H200, [N/A], [N/A], 580.159.04, [Not Supported], N/A\n"
                           "4, [Unknown Error], GPU-x, 1024, , 9.0, 00000000:01:00.0\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].index, 3);
  EXPECT_EQ(found[0].name, "NVIDIA H200");
  EXPECT_EQ(found[0].uuid, "");
  EXPECT_EQ(found[0].memory_mib, 0);
  EXPECT_EQ(found[0].driver, "580.159.04");
  EXPECT_EQ(found[0].compute_capability, "");
  EXPECT_EQ(found[0].bus_id, "");
  EXPECT_EQ(found[1].name, "");
  EXPECT_EQ(found[1].memory_mib, 1024);  // csv,nounits
  EXPECT_EQ(found[1].driver, "");
}

TEST(NvidiaSmiCsv, JunkLinesAreSkipped) {
  const std::string text =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
      "No devices were found\n"
      "index, name, uuid, memory.total [MiB], driver_version, compute_cap, pci.bus_id\n"  // a header
      "x, NVIDIA H200, GPU-1, 1 MiB, 1.0, 9.0, 00000000:00:06.0\n"                        // no index
      "-1, NVIDIA H200, GPU-1, 1 MiB, 1.0, 9.0, 00000000:00:06.0\n"
      "0, NVIDIA H200, GPU-1, 143771 MiB, 580.159.04, 9.0\n"                              // 6 fields
      "0, NVIDIA H200, GPU-1, 143771 MiB, 580.159.04, 9.0, 00000000:00:06.0, 700 W\n"     // 8 fields
      "0, NVIDIA H200, GPU-1, lots, 580.159.04, 9.0, 00000000:00:06.0\n"                  // kept, memory unknown
      "\n,,,,,,\n" +
      std::string("\0\xff\xfe", 3);
  const auto found = parse_nvidia_smi_csv(text);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].uuid, "GPU-1");
  EXPECT_EQ(found[0].memory_mib, 0);
  EXPECT_TRUE(parse_nvidia_smi_csv("").empty());
}

TEST(ProcNvidia, InformationFile) {
  const auto found = parse_proc_nvidia({kProcInformation});
  ASSERT_EQ(found.size(), 1u);
  Accelerator expected = h200();
  expected.memory_mib = 0;  // the driver's files do not say
  expected.driver = "";     // from /proc/driver/nvidia/version, by describe_accelerators()
  expected.compute_capability = "";
  EXPECT_EQ(found[0], expected);
}

TEST(ProcNvidia, SortedByBusLikeNvidiaSmiAndJunkSkipped) {
  const auto found = parse_proc_nvidia({"Model: B\nBus Location: 0000:3b:00.0\n", "IRQ: 5\n", "garbage",
                                        "Model: A\nGPU UUID: GPU-a\nBus Location: 0000:07:00.0\n", "Model: C\n"});
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].name, "A");
  EXPECT_EQ(found[0].index, 0);
  EXPECT_EQ(found[0].bus_id, "00000000:07:00.0");
  EXPECT_EQ(found[1].name, "B");
  EXPECT_EQ(found[1].index, 1);
  EXPECT_EQ(found[1].bus_id, "00000000:3B:00.0");
  EXPECT_EQ(found[2].name, "C");  // bus unknown: last
  EXPECT_EQ(found[2].index, 2);
}

TEST(ProcNvidia, DriverVersion) {
  EXPECT_EQ(parse_proc_nvidia_version("NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Release Build  "
                                      "(dvs-builder@U16-I3-B03-4-3)  Thu Jan  1 00:00:00 UTC 2026\n"
                                      "GCC version:  gcc version 13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04)\n"),
            "580.159.04");
  EXPECT_EQ(parse_proc_nvidia_version("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release"),
            "550.54.14");
  EXPECT_EQ(parse_proc_nvidia_version("GCC version: 12.2.0\n"), "");
  EXPECT_EQ(parse_proc_nvidia_version(""), "");
}

TEST(AcceleratorJson, RoundTrip) {
  const Accelerator original = h200();
  const nlohmann::json json = to_json(original);
  EXPECT_EQ(json, nlohmann::json::parse(R"({"kind": "nvidia-gpu", "index": 0, "name": "NVIDIA H200",
      "uuid": "GPU-d210f336-1111-2222-3333-444455556666", "memory_mib": 143771, "driver": "580.159.04",
      "compute_capability": "9.0", "bus_id": "00000000:00:06.0"})"));
  EXPECT_EQ(accelerator_from_json(nlohmann::json::parse(json.dump())), original);
}

TEST(AcceleratorJson, MalformedIsRefused) {
  nlohmann::json missing = to_json(h200());
  missing.erase("uuid");
  EXPECT_THROW(accelerator_from_json(missing), std::runtime_error);
  nlohmann::json wrong_type = to_json(h200());
  wrong_type["memory_mib"] = "lots";
  EXPECT_THROW(accelerator_from_json(wrong_type), std::runtime_error);
  EXPECT_THROW(accelerator_from_json(nlohmann::json::array()), std::runtime_error);
}

TEST(AcceleratorFormat, ForAPerson) {
  EXPECT_EQ(format_accelerator(h200()), "NVIDIA H200 (140 GiB, compute 9.0, driver 580.159.04)");
  Accelerator small = h200();
  small.name = "NVIDIA GeForce GTX 1050";
  small.memory_mib = 4040;
  small.compute_capability = "6.1";
  EXPECT_EQ(format_accelerator(small), "NVIDIA GeForce GTX 1050 (3.9 GiB, compute 6.1, driver 580.159.04)");
  Accelerator from_proc = parse_proc_nvidia({kProcInformation}).at(0);
  EXPECT_EQ(format_accelerator(from_proc), "NVIDIA H200");
  from_proc.driver = "580.159.04";
  EXPECT_EQ(format_accelerator(from_proc), "NVIDIA H200 (driver 580.159.04)");
  EXPECT_EQ(format_accelerator(Accelerator{}), "nvidia-gpu");
}

// What the driver shows of a GPU: the H200 host had both; a container may hide /proc/driver/nvidia.
bool has_nvidia_driver() { return fs::exists("/proc/driver/nvidia/gpus") || fs::exists("/dev/nvidia0"); }

TEST(DescribeAccelerators, ThisHost) {
  const auto found = describe_accelerators();
  if (has_nvidia_driver()) {
    ASSERT_FALSE(found.empty()) << "an NVIDIA driver and device are here but no GPU was described";
    for (const auto& accelerator : found) EXPECT_FALSE(accelerator.name.empty());
  } else {
    EXPECT_TRUE(found.empty());  // no NVIDIA GPU: nothing, and no error
  }
}

// The I/O edge with a fake nvidia-smi first in PATH.
class FakeNvidiaSmi : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("PATH");
    saved_path_ = path ? path : "";
    ::setenv("PATH", (folder_.str() + ":" + saved_path_).c_str(), 1);
  }
  void TearDown() override { ::setenv("PATH", saved_path_.c_str(), 1); }
  void write_fake(const std::string& script) {
    fs::permissions(folder_.write("nvidia-smi", "#!/bin/sh\n" + script), fs::perms::owner_all);
  }
  dli::testing::TempDir folder_;
  std::string saved_path_;
};

TEST_F(FakeNvidiaSmi, ItsOutputIsParsed) {
  write_fake(
      "case \"$1 $2\" in\n"
      "  '--query-gpu=index,name,uuid,memory.total,driver_version,compute_cap,pci.bus_id --format=csv,noheader')\n"
      "    echo 'warning on stderr' >&2\n"
      "    printf '%s' '" + std::string(kOneGpu) + "' ;;\n"
      "  *) exit 2 ;;\n"
      "esac\n");
  const auto found = describe_accelerators();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], h200());
}

TEST_F(FakeNvidiaSmi, FailingToolMeansNoGpuFromIt) {
  write_fake(std::string("printf '%s' '") + kOneGpu + "'\nexit 9\n");  // output, but a failure exit code
  const auto found = describe_accelerators();
  if (!has_nvidia_driver()) {
    EXPECT_TRUE(found.empty());
  }
}

}  // namespace
}  // namespace dli
