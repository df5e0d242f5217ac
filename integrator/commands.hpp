#pragma once
// The integrator's commands, each a function main() calls with what the command line gave (README.md, Commands);
// each returns the command's exit code (exit_codes.hpp) or throws ConfigError for bad input (exit 2).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/history/history.hpp"
#include "dli/integrator/collect.hpp"
#include "dli/integrator/notify.hpp"
#include "dli/integrator/sweep_run.hpp"

namespace dli::cli {

std::string sibling_agent_exe();

// The fleet's URL was checked by its loader (with its file, line and column); the flag's is checked here, before
// anything is written.
std::string resolve_store(const std::string& from_command_line, const std::string& from_fleet);

void configure_logging(int verbosity);

int print_run_outcome(const dli::RunOutcome& outcome);

// `collect`'s exit code, by the same precedence as a run's (exit_codes.hpp).
int collect_exit_code(const dli::Collected& result, int history_code, bool fail_on_regression);

// Tells the run's events to whoever the fleet's `notify:` names, once each (remembered in the history at
// `history`, when there is one).
void tell(const dli::NotifyConfig& config, const std::string& history, const std::vector<dli::NotifyEvent>& events);

// Records a collected run in the history; the exit code of that alone.
int record_run(dli::Collected& collected, const std::string& location);

// A run of the store, collected (the store from --store, else --fleet's `store:`); nullopt, the error logged, when
// the store cannot be read.
std::optional<dli::Collected> collect_from_store(const std::string& store_url, const std::string& fleet_path,
                                                 const std::string& run_id);

// Keeps a collected run's rows until the process exits instead of freeing them: at 100,000 results that is
// 700 MiB in millions of blocks, 0.3 s of freeing that the exit hands back to the system at once.
void leave_to_exit(std::optional<dli::Collected> collected);

// An existing history database; nullptr (the error logged) when it cannot be opened. Never creates a database file:
// a typo would otherwise leave an empty one behind.
std::unique_ptr<dli::HistoryDb> open_existing_history(const std::string& location);

int list_history(const std::string& location);

// Store credentials for remote agents; a lookup failure (an unsafe credentials file, ...) is a config error.
std::string agent_secret(const std::string& store_url);

// What `run` and `resume` share: where the store and the reports are, the local agent, the fleet's fan-out.
dli::RunOptions run_options(const dli::FleetConfig& fleet, const std::string& store_url, const std::string& out_dir,
                            const std::string& agent_exe, bool no_progress);

// `publish URL`: exit 6 when the history cannot be read, 5 when the store cannot be written (docs/site.md).
int publish_to_store(dli::HistoryDb& history, const std::string& url, const std::string& title);

int show_status(const std::string& url, const std::string& run_id);

// `cancel RUN`: the run's batch jobs (slurm hosts) cancelled, their hosts marked lost (docs/slurm.md).
int cancel_run(const std::string& url, const std::string& run_id);

int check_hosts(const dli::FleetConfig& fleet, const std::string& only, const std::string& store_url,
                const std::string& local_agent);

}  // namespace dli::cli
