#pragma once
// A validated sweep expanded into per-host tests: what `dli-integrator plan` prints and `run` publishes.
#include <ostream>
#include <string>
#include <vector>

#include "dli/config.hpp"
#include "dli/matrix.hpp"

namespace dli {

struct Plan {
  SweepConfig sweep;
  FleetConfig fleet;
  std::vector<HostPlan> hosts;
  FileHashes hashes;  // absolute model path -> sha256
  int total_tests() const;
};

// Loads and validates the sweep and its fleet, hashes the model files and expands the matrix.
// Reads files only. Throws ConfigError on any invalid input.
Plan make_plan(const std::string& sweep_path);

// Human-readable listing of the tests per host, and of combinations skipped with their reason.
void print_plan(std::ostream& out, const Plan& plan);

}  // namespace dli
