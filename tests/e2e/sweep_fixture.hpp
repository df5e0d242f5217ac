#pragma once
// A throw-away workspace for end-to-end sweeps: fleet and sweep YAML, a file:// store and an output folder.
#include <string>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

class SweepWorkspace : public ::testing::Test {
 protected:
  TempDir dir;

  std::string store_url() const { return "file://" + dir.str("store"); }
  std::string out_dir() const { return dir.str("out"); }
  static std::string model(const std::string& file) { return std::string(DLI_MODELS_DIR) + "/" + file; }

  // One local host whose agent works inside the workspace.
  void write_local_fleet() const {
    dir.write("fleet.yaml", "hosts:\n  - name: local\n    kind: local\n    work_dir: " + dir.str("agent") + "\n");
  }

  CommandOutput integrator(const std::string& arguments) const {
    return run_command(std::string(DLI_INTEGRATOR_EXE) + " " + arguments);
  }
  CommandOutput agent(const std::string& arguments) const {
    return run_command(std::string(DLI_AGENT_EXE) + " " + arguments);
  }
  CommandOutput run_sweep(const std::string& sweep_file) const {
    return integrator("run " + shell_quote(dir.str(sweep_file)) + " --store " + shell_quote(store_url()) +
                      " --out " + shell_quote(out_dir()) + " --no-progress");
  }
};

}  // namespace dli::testing
