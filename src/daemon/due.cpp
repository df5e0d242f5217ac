// Which sweeps are due (due.hpp).
#include "dli/daemon/due.hpp"

#include <algorithm>
#include <limits>

namespace dli {

namespace {

// The slot a sweep would run for now, if any.
std::optional<std::time_t> pending_slot(const ScheduledSweep& sweep, const DaemonState& state, std::time_t now) {
  if (state.find_active(sweep.name) != nullptr) return std::nullopt;
  const auto record = state.sweeps.find(sweep.name);
  const bool known = record != state.sweeps.end() && record->second.last_slot.has_value();
  // Unknown: any slot counts; the search itself stops eight years back.
  const std::time_t floor = known ? *record->second.last_slot : std::numeric_limits<std::time_t>::min() / 2;
  return latest_slot(sweep.schedule, sweep.time_zone, now, floor);
}

}  // namespace

std::vector<DueSweep> due_sweeps(const std::vector<ScheduledSweep>& sweeps, const DaemonState& state,
                                 std::time_t now) {
  std::vector<DueSweep> due;
  for (const auto& sweep : sweeps) {
    if (const auto slot = pending_slot(sweep, state, now)) due.push_back({sweep.name, *slot});
  }
  std::sort(due.begin(), due.end(), [](const DueSweep& a, const DueSweep& b) {
    return a.slot != b.slot ? a.slot < b.slot : a.sweep < b.sweep;
  });
  return due;
}

std::optional<std::time_t> next_due(const ScheduledSweep& sweep, const DaemonState& state, std::time_t now) {
  if (pending_slot(sweep, state, now)) return now;
  return next_slot(sweep.schedule, sweep.time_zone, now);
}

}  // namespace dli
