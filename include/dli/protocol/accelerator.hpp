#pragma once
// An accelerator of a host (NVIDIA GPUs today) as host.json records it (docs/protocol.md), so that a result measured
// on `cuda:0` names the card it ran on. Found by the agent (dli/agent/accelerators.hpp).
#include <string>

#include <nlohmann/json.hpp>

namespace dli {

struct Accelerator {
  std::string kind = "nvidia-gpu";
  int index = 0;                   // nvidia-smi's index (PCI bus order), the N of `cuda:N` unless CUDA reorders
  std::string name;                // "NVIDIA H200"; empty when unknown, like every string field
  std::string uuid;                // "GPU-d210f336-..."
  long long memory_mib = 0;        // 0 when unknown (the driver's /proc files do not say)
  std::string driver;              // "580.159.04"
  std::string compute_capability;  // "9.0"
  std::string bus_id;              // "00000000:00:06.0": nvidia-smi's spelling (8-digit domain, upper-case hex)

  bool operator==(const Accelerator& other) const;
};

nlohmann::json to_json(const Accelerator& accelerator);
Accelerator accelerator_from_json(const nlohmann::json& json);  // throws std::runtime_error on a malformed document

// "NVIDIA H200 (140 GiB, compute 9.0, driver 580.159.04)"; unknown parts are left out.
std::string format_accelerator(const Accelerator& accelerator);

}  // namespace dli
