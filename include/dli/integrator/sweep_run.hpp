#pragma once
// `dli-integrator run` and `collect`: publish, launch every host, follow heartbeats, merge.
#include <ostream>
#include <stdexcept>
#include <string>

#include "dli/integrator/early_shells.hpp"
#include "dli/integrator/early_store.hpp"
#include "dli/integrator/notify.hpp"
#include "dli/integrator/plan.hpp"
#include "dli/protocol/agent_command.hpp"
#include "dli/store/store.hpp"

namespace dli {

// The store could not be read or written: nothing can be recorded (exit code kStoreFailed).
class StoreFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RunOptions {
  std::string store_url;  // resolved: command line, else the fleet's `store:`, else file://<cwd>/dli-store
  std::string out_dir;    // empty: <cwd>/dli-out/<run id>
  std::string agent_exe;  // dli-agent for local hosts
  bool interactive = false;  // live progress board (stdout is a terminal)
  bool redo = false;
  // `run --run-id`: the id the run gets, chosen by the caller (the daemon records it before the run starts); it
  // must not name a run the store already has. Empty: a new id from the time and the sweep's name.
  std::string run_id;
  double poll_seconds = 1.0;  // the status listing; the end comes sooner (an agent's exit, near_the_end)
  double heartbeat_seconds = kDefaultHeartbeatSeconds;  // the agents' heartbeat interval
  double start_timeout_seconds = 60;  // a host with no heartbeat this long after start is lost
  double lost_after_seconds = 60;     // a heartbeat older than this (beyond its ETA) means lost
  double store_patience_seconds = 6 * 3600;  // a store unreachable this long ends the following (exit code 5)
  int parallel_starts = 16;           // hosts started at once (SSH fan-out bound)
  std::string secret_netrc;           // store credentials for remote agents (netrc text); never logged
  bool record_history = true;         // the collected run goes into the history database (docs/history.md)
  std::string history;                // its location; empty: default_history_location(out folder)
  bool fail_on_regression = false;    // exit code kRegression when a figure regressed (and nothing worse happened)
};

struct RunOutcome {
  std::string run_id;
  std::string csv_path, html_path;
  std::string history_path;  // where the run was recorded; empty when it was not
  int regressions = 0, improvements = 0;  // figures that moved against earlier runs (docs/history.md)
  int tests_ok = 0, tests_failed = 0, tests_unsupported = 0, tests_not_run = 0;
  int hosts_unreached = 0;
  int hosts_store_failed = 0;   // agents that ended because the store refused or did not take their results
  int results_unpublished = 0;  // measured results still waiting in the agents' spools
  int exit_code = 0;  // per exit_codes.hpp
  std::vector<NotifyEvent> events = {};  // what needs someone's attention (docs/notifications.md)
};

// Throws StoreFailure when the store cannot be used. `early_store`: options.store_url being opened already
// (EarlyStore); it is waited for only once the first hosts' SSH connections are under way, so that neither waits
// for the other. Null, or a store it could not open: opened here. `early_shells`: hosts' connections opened while
// the plan was made (EarlyShells); the hosts it lacks are connected here.
RunOutcome run_sweep(const Plan& plan, const RunOptions& options, std::ostream& out,
                     EarlyStore* early_store = nullptr, EarlyShells* early_shells = nullptr);

// Starts again the agents of the hosts whose tests lack results (each agent skips what is measured), follows
// them and collects. `fleet` tells how to reach the hosts named in the run's manifest. Throws StoreFailure, and
// ConfigError when a host of the run is not in the fleet.
RunOutcome resume_run(const std::string& run_id, const FleetConfig& fleet, const RunOptions& options,
                      std::ostream& out);

}  // namespace dli
