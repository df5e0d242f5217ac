#pragma once
// Test support: a finished run laid out in a file:// store as agents leave it (docs/protocol.md): the manifest,
// each host's task list, machine description and last heartbeat (done), and one result per test, each written as
// the agent writes it (to_json(result).dump(1)). Figures vary from test to test, deterministically, so that a
// collect of it costs what a real run's does: results with histograms, per-stream statistics and the environment,
// some failed or unsupported. For the collect benchmark and for tests that compare reports of a realistic run.
#include <cstdint>
#include <string>

namespace dli::testing {

struct GeneratedRunShape {
  std::string run_id = "20261130-000000-generated";
  int hosts = 100;
  int tests_per_host = 1000;  // at most 1000 distinct specs (5 models x 2 frameworks x 5 batches x 4 threads x 5 modes)
  std::uint32_t seed = 1;     // the same seed writes the same files, byte for byte
  int threads = 0;            // writers; 0: hardware_concurrency
};

// Writes the run under `store_root` (the path of a file:// store; created). Throws std::runtime_error.
void generate_run(const std::string& store_root, const GeneratedRunShape& shape);

}  // namespace dli::testing
