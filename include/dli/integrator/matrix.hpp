#pragma once
// Expansion of a sweep into the tests each host runs.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

// Model file hashes, keyed by absolute path; the planner computes them once (see hash_model_files).
using FileHashes = std::map<std::string, std::string>;
FileHashes hash_model_files(const SweepConfig& sweep);  // reads files; throws std::runtime_error on I/O failure

// The accuracy datasets of a sweep, packed (docs/runners.md, section 5), keyed by their source path.
struct PackedDataset {
  std::string bytes;   // the packed file, uploaded like a model
  std::string sha256;  // of `bytes`: its key in the store
  std::int64_t samples = 0;
};
using DatasetHashes = std::map<std::string, PackedDataset>;

struct HostPlan {
  HostConfig host;
  std::vector<TestSpec> tests;   // in execution order
  std::vector<std::string> skipped;  // human-readable reasons for combinations dropped by host limits
};

// Pure: the cross product models x launchers x devices x batch x mode x threads x (requests, async only), per host,
// plus one accuracy test per model x launcher x device that has a dataset, honouring host limits. Order is
// deterministic (the order of the YAML lists). Ids are unique per host.
std::vector<HostPlan> expand(const SweepConfig& sweep, const FleetConfig& fleet, const FileHashes& hashes,
                             const DatasetHashes& datasets = {});

}  // namespace dli
