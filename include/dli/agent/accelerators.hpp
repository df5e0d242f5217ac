#pragma once
// Finding the accelerators of this host (NVIDIA GPUs today). Pure parsers of nvidia-smi's and the driver's text, tested on samples; describe_accelerators() is the I/O edge.
#include <string>
#include <vector>

#include "dli/protocol/accelerator.hpp"

namespace dli {

// Output of
//   nvidia-smi --query-gpu=index,name,uuid,memory.total,driver_version,compute_cap,pci.bus_id --format=csv,noheader
// one GPU a line. "[N/A]"-like fields become empty (0 for memory); a line without 7 fields or without an index is
// skipped (nvidia-smi prints errors such as "No devices were found" on the same stream). Never throws.
std::vector<Accelerator> parse_nvidia_smi_csv(const std::string& text);

// The fallback without nvidia-smi: the texts of /proc/driver/nvidia/gpus/*/information ("Model:", "GPU UUID:",
// "Bus Location:" lines), any order. Returned in PCI bus order, indexed 0.. like nvidia-smi; memory and compute
// capability unknown. A text with neither model nor UUID is skipped. Never throws.
std::vector<Accelerator> parse_proc_nvidia(const std::vector<std::string>& information_files);

// The driver version in /proc/driver/nvidia/version ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04
// ..."); empty when absent.
std::string parse_proc_nvidia_version(const std::string& text);

// This host's accelerators: nvidia-smi (PATH, else /usr/bin; 5 s limit), else the driver's /proc files, else none.
// A host without them has no NVIDIA GPU: an empty list, not an error.
std::vector<Accelerator> describe_accelerators();

}  // namespace dli
