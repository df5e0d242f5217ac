#pragma once
// `dli-integrator daemon LAB` and `daemon status LAB` (docs/daemon.md): runs a lab's sweeps on their schedules,
// collects, records and publishes each run, and survives kills and restarts without running a slot twice.
#include <string>

namespace dli {
struct LabConfig;
}

namespace dli::cli {

// The files of a lab's state folder (docs/daemon.md, "State folder").
std::string state_file_of(const dli::LabConfig& lab);  // daemon-state.json
std::string lock_file_of(const dli::LabConfig& lab);   // daemon.lock, held by the running daemon

struct DaemonOptions {
  std::string lab_path;
  bool once = false;  // run what is due (and resume what was interrupted), wait for those runs, then exit
};

// Until SIGTERM or SIGINT (drain: no new run, the running ones are stopped and resumed by the next daemon), or with
// `once` until nothing is left to do. Exit codes: 0, 2 (a bad lab file at start), kDaemonBusy (another daemon holds
// the state folder), 4. Throws ConfigError for a bad lab file.
int run_daemon(const DaemonOptions& options);

// What the daemon of `lab_path` does and what is due next (from its state file); exit 0, or 2 for a bad lab file.
int show_daemon_status(const std::string& lab_path);

}  // namespace dli::cli
