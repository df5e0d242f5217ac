// Which sweeps are due: a slot runs once, missed slots are caught up once, a running sweep waits, a new sweep runs
// at once.
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/daemon/due.hpp"

namespace dli {
namespace {

std::time_t utc(const std::string& text) {
  std::tm parts{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return timegm(&parts);
}

ScheduledSweep sweep(const std::string& name, const std::string& schedule, const std::string& zone = "UTC") {
  return {name, parse_cron(schedule).value(), zone};
}

std::string listing(const std::vector<DueSweep>& due) {
  std::string text;
  for (const auto& each : due) text += each.sweep + "@" + utc_time_text(each.slot) + " ";
  return text;
}

TEST(DaemonDue, EachSlotOnceAndMissedSlotsCaughtUpOnce) {
  const std::vector<ScheduledSweep> sweeps = {sweep("nightly", "0 2 * * *"), sweep("hourly", "15 * * * *")};
  DaemonState state;
  state.sweeps["nightly"].last_slot = utc("2026-11-18T02:00:00Z");  // the daemon was off for three nights
  state.sweeps["hourly"].last_slot = utc("2026-11-21T09:15:00Z");
  EXPECT_EQ(listing(due_sweeps(sweeps, state, utc("2026-11-21T10:00:00Z"))), "nightly@2026-11-21T02:00:00Z ");
  EXPECT_EQ(listing(due_sweeps(sweeps, state, utc("2026-11-21T10:15:00Z"))),
            "nightly@2026-11-21T02:00:00Z hourly@2026-11-21T10:15:00Z ");  // oldest slot first
  state.sweeps["nightly"].last_slot = utc("2026-11-21T02:00:00Z");
  EXPECT_EQ(listing(due_sweeps(sweeps, state, utc("2026-11-21T10:14:59Z"))), "");
}

TEST(DaemonDue, ARunningSweepIsNotDueAgainUntilItsRunIsCollected) {
  const std::vector<ScheduledSweep> sweeps = {sweep("often", "*/5 * * * *")};
  DaemonState state;
  state.sweeps["often"].last_slot = utc("2026-11-21T10:00:00Z");
  state.active.push_back({"often", "20261121-100000-often", utc("2026-11-21T10:00:00Z"), 0, 0, 1});
  EXPECT_EQ(listing(due_sweeps(sweeps, state, utc("2026-11-21T10:20:00Z"))), "");
  state.active.clear();
  EXPECT_EQ(listing(due_sweeps(sweeps, state, utc("2026-11-21T10:20:00Z"))), "often@2026-11-21T10:20:00Z ");
}

TEST(DaemonDue, ASweepTheStateDoesNotKnowRunsAtOnceForItsLatestSlot) {
  const std::vector<ScheduledSweep> sweeps = {sweep("yearly", "0 3 1 1 *", "Europe/Berlin")};
  EXPECT_EQ(listing(due_sweeps(sweeps, DaemonState{}, utc("2026-11-21T10:00:00Z"))), "yearly@2026-01-01T02:00:00Z ");
}

TEST(DaemonDue, NextDueIsNowWhenDueElseTheNextSlot) {
  const ScheduledSweep nightly = sweep("nightly", "0 2 * * *", "Europe/Berlin");
  DaemonState state;
  state.sweeps["nightly"].last_slot = utc("2026-11-21T01:00:00Z");
  EXPECT_EQ(next_due(nightly, state, utc("2026-11-21T10:00:00Z")), utc("2026-11-22T01:00:00Z"));
  state.sweeps["nightly"].last_slot = utc("2026-11-20T01:00:00Z");
  EXPECT_EQ(next_due(nightly, state, utc("2026-11-21T10:00:00Z")), utc("2026-11-21T10:00:00Z"));
}

}  // namespace
}  // namespace dli
