#pragma once
// A validated sweep expanded into per-host tests: what `dli-integrator plan` prints and `run` publishes.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/integrator/matrix.hpp"
#include "dli/opcount/onnx_ops.hpp"

namespace dli {

struct Plan {
  SweepConfig sweep;
  FleetConfig fleet;
  std::vector<HostPlan> hosts;
  FileHashes hashes;  // absolute model path -> sha256
  DatasetHashes datasets;  // accuracy datasets, packed
  std::vector<ModelMacs> macs;  // per model of the sweep, in its order: operation count or why it is unknown
  std::uint64_t order_seed = 0;  // the seed a shuffled sweep's order was drawn from
  // Selected hosts in maintenance, left out of the run: name and reason.
  std::vector<std::pair<std::string, std::string>> maintenance;
  int total_tests() const;
};

// Loads and validates the sweep and its fleet, hashes the model files, counts their operations and expands the
// matrix.
// Reads files only. Throws ConfigError on any invalid input. `fleet_read`, when given, is called once the sweep
// and its fleet are read and checked against each other, before the models are read (`run` opens its first hosts'
// connections meanwhile: EarlyShells).
using FleetReadHook = std::function<void(const SweepConfig&, const FleetConfig&)>;
Plan make_plan(const std::string& sweep_path, const FleetReadHook& fleet_read = {});

// Reads and packs each accuracy dataset of the sweep for its model's input shape. Throws ConfigError naming the
// `accuracy:` entry of a dataset that cannot be read.
DatasetHashes pack_datasets(const SweepConfig& sweep);

// Human-readable listing of the tests per host, and of combinations skipped with their reason.
void print_plan(std::ostream& out, const Plan& plan);

}  // namespace dli
