#pragma once
// Test support for `dli-integrator daemon` (docs/daemon.md): a lab file's text, the daemon started in the
// background, its state file read, the runs a file:// view of the store holds.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dli/daemon/daemon_state.hpp"
#include "support/background_command.hpp"

namespace dli::testing {

// A lab of the named sweeps (each in NAME.yaml beside the lab, on fleet.yaml), all on one schedule; the state in
// the lab's folder `state`. A schedule due once a year is due at once for a lab the daemon has not seen yet.
inline std::string daemon_lab_yaml(const std::string& store, const std::string& publish,
                                   const std::vector<std::string>& sweeps, const std::string& schedule,
                                   const std::string& time_zone) {
  std::string yaml = "fleet: fleet.yaml\nstore: " + store + "\npublish: " + publish + "\nstate: state\nsweeps:\n";
  for (const auto& name : sweeps) {
    yaml += "  - {name: " + name + ", sweep: " + name + ".yaml, schedule: \"" + schedule + "\", time_zone: " +
            time_zone + "}\n";
  }
  return yaml;
}

inline std::unique_ptr<BackgroundCommand> start_daemon(const std::string& lab_path, const std::string& log_path) {
  return std::make_unique<BackgroundCommand>(std::vector<std::string>{DLI_INTEGRATOR_EXE, "daemon", lab_path},
                                             log_path);
}

// The daemon's state file, or an empty state while there is none (or it is being replaced).
inline DaemonState daemon_state_or_empty(const std::string& state_file) {
  try {
    return read_daemon_state(state_file);
  } catch (const std::runtime_error&) {
    return {};
  }
}

// The run ids under a store's `runs` folder, sorted.
inline std::vector<std::string> run_ids_in(const std::string& runs_folder) {
  std::vector<std::string> runs;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(runs_folder, error)) {
    runs.push_back(entry.path().filename());
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

// How many times `what` stands in `text` (a line of the daemon's log, say).
inline int occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

}  // namespace dli::testing
