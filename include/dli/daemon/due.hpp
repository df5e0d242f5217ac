#pragma once
// Which of a lab's sweeps are due (docs/daemon.md, "When a sweep runs"): pure, from the schedules, the state and the
// time, so that a restarted daemon decides exactly as the one before it would have.
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "dli/daemon/cron.hpp"
#include "dli/daemon/daemon_state.hpp"

namespace dli {

struct ScheduledSweep {
  std::string name;
  CronSchedule schedule;
  std::string time_zone;  // IANA name
};

struct DueSweep {
  std::string sweep;
  std::time_t slot = 0;  // the slot it runs for: the latest one not yet started, however many were missed
};

// The sweeps due at `now`, oldest slot first (then by name). A sweep with a run in `state.active` is not due: its
// missed slots are caught up once after that run. A sweep the state does not know yet is due at once for its latest
// slot (within the searched eight years).
std::vector<DueSweep> due_sweeps(const std::vector<ScheduledSweep>& sweeps, const DaemonState& state,
                                 std::time_t now);

// When the sweep runs next as things stand: `now` when due, else its next slot (nothing: never within 8 years).
std::optional<std::time_t> next_due(const ScheduledSweep& sweep, const DaemonState& state, std::time_t now);

}  // namespace dli
