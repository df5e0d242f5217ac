#pragma once
// The lab file of `dli-integrator daemon` (docs/daemon.md, "The lab file"): which fleet, which sweeps on which
// schedules, where the history, the site, the state and the metrics go. Validated like the fleet and sweep files.
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/daemon/cron.hpp"
#include "dli/daemon/due.hpp"

namespace dli {

struct LabSweep {
  std::string name;        // the sweep's name in the lab: state, metrics and logs use it
  std::string sweep_path;  // absolute
  CronSchedule schedule;
  std::string time_zone;   // IANA name, required: a schedule means nothing without its clock
};

struct LabConfig {
  std::string path;        // absolute path of the lab file
  std::string fleet_path;  // absolute
  FleetConfig fleet;       // loaded and validated with the lab
  std::string store_url;   // `store:`, else the fleet's, else file://<state>/store
  std::string history;     // `history:`, else the fleet's, else <state>/history.sqlite
  std::string publish;     // a site folder or a store URL; empty: no site is published
  std::string title = "dli: deep-learning inference benchmark";  // the site's
  std::string state_dir;   // absolute; `state:`, else dli-state beside the lab file
  std::string reports_dir;  // absolute; `reports:`, else <state>/reports (each run in <reports>/<run id>)
  std::string metrics_path;  // absolute; `metrics:`, else <state>/dli.prom
  int max_concurrent_runs = 1;
  std::vector<LabSweep> sweeps;

  const LabSweep* find(const std::string& name) const;
  std::vector<ScheduledSweep> schedules() const;
};

// Parse and validate the lab, its fleet and every sweep it names (each sweep's `fleet:` must be the lab's).
// Throws ConfigError listing every problem (file, line, column, key, expectation).
LabConfig load_lab(const std::string& path);
// Text variant for unit tests: `path` is used in diagnostics and to resolve relative paths.
LabConfig parse_lab(const std::string& yaml_text, const std::string& path);

}  // namespace dli
