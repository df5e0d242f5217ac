// Cron schedules: the fields as Vixie cron reads them, and the next and the latest slot in an explicit time zone,
// across daylight-saving changes (Europe/Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00).
#include <ctime>
#include <string>

#include <gtest/gtest.h>

#include "dli/daemon/cron.hpp"

namespace dli {
namespace {

CronSchedule cron(const std::string& text) {
  auto parsed = parse_cron(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed ? "" : parsed.error().message);
  return parsed ? parsed.value() : CronSchedule{};
}

// Seconds since the epoch of a UTC time written "YYYY-MM-DDTHH:MM:SSZ".
std::time_t utc(const std::string& text) {
  std::tm parts{};
  strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return timegm(&parts);
}

std::string next_in(const std::string& schedule, const std::string& zone, const std::string& after) {
  const auto slot = next_slot(cron(schedule), zone, utc(after));
  return slot ? utc_time_text(*slot) : "none";
}

TEST(Cron, FieldsListsRangesStepsAndNames) {
  const CronSchedule schedule = cron("0,30 9-17/4 */10 jan,Jul-sep mon-fri");
  EXPECT_EQ(schedule.minutes.count(), 2u);
  EXPECT_TRUE(schedule.minutes[0] && schedule.minutes[30]);
  EXPECT_EQ(schedule.hours.to_ulong(), (1ul << 9) | (1ul << 13) | (1ul << 17));
  EXPECT_TRUE(schedule.days[1] && schedule.days[11] && schedule.days[21] && schedule.days[31]);
  EXPECT_EQ(schedule.days.count(), 4u);
  EXPECT_EQ(schedule.months.to_ulong(), (1ul << 1) | (1ul << 7) | (1ul << 8) | (1ul << 9));
  EXPECT_EQ(schedule.weekdays.to_ulong(), 0b0111110ul);
  EXPECT_FALSE(schedule.days_restricted);  // a field starting with '*' counts as unrestricted, as in Vixie cron
  EXPECT_TRUE(schedule.weekdays_restricted);
  EXPECT_EQ(cron("5/20 * * * *").minutes.to_ullong(), (1ull << 5) | (1ull << 25) | (1ull << 45));
  EXPECT_EQ(cron("0 0 * * 7").weekdays.to_ulong(), 1ul);  // 7 is Sunday
  EXPECT_EQ(cron("@daily").minutes.to_ullong(), 1ull);
  EXPECT_FALSE(cron("0 2 * * *").days_restricted);
}

TEST(Cron, BadSchedulesSayWhichField) {
  const auto message = [](const std::string& text) {
    auto parsed = parse_cron(text);
    return parsed ? std::string("accepted") : parsed.error().message;
  };
  EXPECT_EQ(message("0 2 * *"), "expected five fields 'MINUTE HOUR DAY MONTH WEEKDAY' (like '0 2 * * *'), got 4");
  EXPECT_EQ(message("60 2 * * *"), "minute field '60': '60' is not a value from 0 to 59");
  EXPECT_EQ(message("0 2 0 * *"), "day of month field '0': '0' is not a value from 1 to 31");
  EXPECT_EQ(message("0 2 * foo *"), "month field 'foo': 'foo' is not a value from 1 to 12 or a name like feb");
  EXPECT_EQ(message("0 5-2 * * *"), "hour field '5-2': '5-2' is not a range from a lower to a higher value");
  EXPECT_EQ(message("*/0 * * * *"), "minute field '*/0': a step is a number from 1 to 59");
  EXPECT_EQ(message("0 2 * * 1,"), "day of week field '1,': '' is not a value from 0 to 7 or a name like mon");
}

TEST(Cron, TimeZonesMustBeKnownIanaNames) {
  EXPECT_EQ(time_zone_problem("Europe/Berlin"), std::nullopt);
  EXPECT_EQ(time_zone_problem("UTC"), std::nullopt);
  EXPECT_NE(time_zone_problem("Europe/Atlantis"), std::nullopt);
  EXPECT_NE(time_zone_problem("../etc/passwd"), std::nullopt);
  EXPECT_NE(time_zone_problem("/usr/share/zoneinfo/UTC"), std::nullopt);
  EXPECT_NE(time_zone_problem("CET-1CEST"), std::nullopt);  // POSIX rules are not a zone of the database
}

TEST(Cron, NextSlotReadsTheScheduleInItsZone) {
  EXPECT_EQ(next_in("0 2 * * *", "UTC", "2026-11-21T01:59:00Z"), "2026-11-21T02:00:00Z");
  EXPECT_EQ(next_in("0 2 * * *", "UTC", "2026-11-21T02:00:00Z"), "2026-11-22T02:00:00Z");  // strictly after
  EXPECT_EQ(next_in("0 2 * * *", "Europe/Berlin", "2026-11-21T00:00:00Z"), "2026-11-21T01:00:00Z");  // CET
  EXPECT_EQ(next_in("0 2 * * *", "Europe/Berlin", "2026-07-01T00:30:00Z"), "2026-07-02T00:00:00Z");  // CEST
  EXPECT_EQ(next_in("30 8 * * mon", "America/New_York", "2026-11-21T00:00:00Z"), "2026-11-23T13:30:00Z");
  EXPECT_EQ(next_in("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(next_in("0 0 31 2 *", "UTC", "2026-03-01T00:00:00Z"), "none");
  // Both day fields restricted: either matches (the 13th, or any Friday).
  EXPECT_EQ(next_in("0 12 13 * fri", "UTC", "2026-11-01T00:00:00Z"), "2026-11-06T12:00:00Z");
  EXPECT_EQ(next_in("0 12 13 * fri", "UTC", "2026-11-06T12:00:00Z"), "2026-11-13T12:00:00Z");
}

TEST(Cron, DaylightSavingChangesRunASkippedTimeOnceAndARepeatedTimeOnce) {
  // 02:30 does not exist in Berlin on 2026-03-29: it runs when the clock jumps, 03:00 CEST = 01:00Z.
  EXPECT_EQ(next_in("30 2 * * *", "Europe/Berlin", "2026-03-28T23:00:00Z"), "2026-03-29T01:30:00Z");
  // 02:30 happens twice on 2026-10-25 (00:30Z in CEST, 01:30Z in CET): one run, the next one a day later.
  const CronSchedule schedule = cron("30 2 * * *");
  const auto first = next_slot(schedule, "Europe/Berlin", utc("2026-10-24T23:00:00Z"));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(*first == utc("2026-10-25T00:30:00Z") || *first == utc("2026-10-25T01:30:00Z")) << *first;
  EXPECT_EQ(next_slot(schedule, "Europe/Berlin", utc("2026-10-25T00:30:00Z")),
            *first == utc("2026-10-25T00:30:00Z") ? utc("2026-10-26T01:30:00Z") : *first);
  EXPECT_EQ(next_slot(schedule, "Europe/Berlin", *first), utc("2026-10-26T01:30:00Z"));
}

TEST(Cron, LatestSlotCatchesUpOnceAndOnlyAfterTheFloor) {
  const CronSchedule nightly = cron("0 2 * * *");
  // Three nights missed: one slot, the latest.
  EXPECT_EQ(latest_slot(nightly, "UTC", utc("2026-11-21T10:00:00Z"), utc("2026-11-18T02:00:00Z")),
            utc("2026-11-21T02:00:00Z"));
  EXPECT_EQ(latest_slot(nightly, "UTC", utc("2026-11-21T02:00:00Z"), utc("2026-11-20T02:00:00Z")),
            utc("2026-11-21T02:00:00Z"));  // at the slot itself
  EXPECT_EQ(latest_slot(nightly, "UTC", utc("2026-11-21T01:59:59Z"), utc("2026-11-20T02:00:00Z")), std::nullopt);
  EXPECT_EQ(latest_slot(nightly, "UTC", utc("2026-11-21T10:00:00Z"), utc("2026-11-21T02:00:00Z")), std::nullopt);
  EXPECT_EQ(latest_slot(cron("0 3 1 1 *"), "Europe/Berlin", utc("2026-11-21T10:00:00Z"), 0),
            utc("2026-01-01T02:00:00Z"));
}

TEST(Cron, TimesAsPeopleReadThem) {
  EXPECT_EQ(utc_time_text(utc("2026-11-21T01:00:00Z")), "2026-11-21T01:00:00Z");
  EXPECT_EQ(local_time_text(utc("2026-11-21T01:00:00Z"), "Europe/Berlin"), "2026-11-21T02:00:00+01:00 Europe/Berlin");
  EXPECT_EQ(local_time_text(utc("2026-07-21T01:00:00Z"), "Asia/Kolkata"), "2026-07-21T06:30:00+05:30 Asia/Kolkata");
}

TEST(Cron, TheCallersZoneIsLeftAsItWas) {
  ::setenv("TZ", "Asia/Tokyo", 1);
  (void)next_in("0 2 * * *", "Europe/Berlin", "2026-11-21T00:00:00Z");
  EXPECT_STREQ(std::getenv("TZ"), "Asia/Tokyo");
  ::unsetenv("TZ");
  (void)next_in("0 2 * * *", "Europe/Berlin", "2026-11-21T00:00:00Z");
  EXPECT_EQ(std::getenv("TZ"), nullptr);
}

}  // namespace
}  // namespace dli
