#pragma once
// Cron schedules of a lab's sweeps (docs/daemon.md, "Schedules"): the five classic fields, read in an explicit IANA
// time zone. Pure functions; the zone's rules come from the system's tz database (/usr/share/zoneinfo).
#include <bitset>
#include <ctime>
#include <optional>
#include <string>

#include "dli/util/result.hpp"

namespace dli {

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;      // 1..31
  std::bitset<13> months;    // 1..12
  std::bitset<7> weekdays;   // 0 = Sunday
  // Vixie cron's rule: when both day fields are restricted, a day matching either runs; else both must match.
  bool days_restricted = false;
  bool weekdays_restricted = false;
  std::string text;  // as written, for messages and `daemon status`
};

// "MIN HOUR DAY MONTH WEEKDAY": each field `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of
// those separated by commas; months and weekdays also by English three-letter names (jan, mon), weekday 7 is Sunday.
// The error message says which field is wrong and why.
Result<CronSchedule> parse_cron(const std::string& text);

// Why `zone` is not an IANA time zone name the system knows ("Europe/Berlin", "UTC"), or nothing when it is.
std::optional<std::string> time_zone_problem(const std::string& zone);

// The first minute the schedule names strictly after `after` (seconds since the epoch, UTC), read in `zone`.
// A local time skipped by a daylight-saving change runs at the instant the clock jumps to; a repeated one runs once.
// Nothing when no such minute exists within eight years (31 February).
std::optional<std::time_t> next_slot(const CronSchedule& schedule, const std::string& zone, std::time_t after);

// The last minute the schedule names at or before `now` and strictly after `floor`: a missed slot, caught up once
// however many were missed. Nothing when there is none.
std::optional<std::time_t> latest_slot(const CronSchedule& schedule, const std::string& zone, std::time_t now,
                                       std::time_t floor);

// "2026-11-21T02:00:00+01:00 Europe/Berlin" and "2026-11-21T01:00:00Z": a slot as people read it.
std::string local_time_text(std::time_t at, const std::string& zone);
std::string utc_time_text(std::time_t at);

}  // namespace dli
