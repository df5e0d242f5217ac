#pragma once
// Expansion of a sweep into the tests each host runs.
#include <map>
#include <string>
#include <vector>

#include "dli/config.hpp"
#include "dli/test_spec.hpp"

namespace dli {

// Model file hashes, keyed by absolute path; the planner computes them once (see hash_model_files).
using FileHashes = std::map<std::string, std::string>;
FileHashes hash_model_files(const SweepConfig& sweep);  // reads files; throws std::runtime_error on I/O failure

struct HostPlan {
  HostConfig host;
  std::vector<TestSpec> tests;   // in execution order
  std::vector<std::string> skipped;  // human-readable reasons for combinations dropped by host limits
};

// Pure: the cross product models x launchers x batch x mode x threads x (requests, async only), per host,
// honouring host limits. Order is deterministic (the order of the YAML lists). Ids are unique per host.
std::vector<HostPlan> expand(const SweepConfig& sweep, const FleetConfig& fleet, const FileHashes& hashes);

}  // namespace dli
