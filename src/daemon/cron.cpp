// Cron schedules (cron.hpp). Local times are read through the C library's tz code with TZ set for the moment of one
// computation: the only way to the system's tz database that GCC 12 offers (its <chrono> has no time zones). TZ is
// process-wide, so every change of it happens under one mutex and is undone before the mutex is released.
#include "dli/daemon/cron.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

#include "dli/util/text.hpp"

namespace dli {

namespace {

std::mutex& zone_mutex() {
  static std::mutex mutex;
  return mutex;
}

// TZ set to `zone` for the life of the scope, then restored as it was.
class ZoneScope {
 public:
  explicit ZoneScope(const std::string& zone) : lock_(zone_mutex()) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
  }
  ~ZoneScope() {
    if (saved_) {
      ::setenv("TZ", saved_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }
  ZoneScope(const ZoneScope&) = delete;
  ZoneScope& operator=(const ZoneScope&) = delete;

 private:
  std::lock_guard<std::mutex> lock_;
  std::optional<std::string> saved_;
};

struct FieldRule {
  const char* name;
  int low, high;
  std::vector<std::string> names;  // names[i] stands for low + i
};

const FieldRule kFields[5] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

std::optional<int> read_value(const std::string& text, const FieldRule& rule) {
  if (!text.empty() && text.size() <= 2 && std::all_of(text.begin(), text.end(), ::isdigit)) {
    const int value = std::stoi(text);
    if (value >= rule.low && value <= rule.high) return value;
    return std::nullopt;
  }
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < rule.names.size(); ++i) {
    if (rule.names[i] == lower) return rule.low + static_cast<int>(i);
  }
  return std::nullopt;
}

// One field into a bit mask (bit n: value n). Error: what is wrong, naming the field.
Result<std::uint64_t> parse_field(const std::string& text, const FieldRule& rule) {
  const auto wrong = [&](const std::string& why) {
    return Error{std::string(rule.name) + " field '" + text + "': " + why};
  };
  std::uint64_t mask = 0;
  for (const std::string& item : split(text, ',')) {
    const auto slash = item.find('/');
    const std::string range = item.substr(0, slash);
    int step = 1;
    if (slash != std::string::npos) {
      const std::string step_text = item.substr(slash + 1);
      if (step_text.empty() || step_text.size() > 2 || !std::all_of(step_text.begin(), step_text.end(), ::isdigit) ||
          std::stoi(step_text) == 0) {
        return wrong("a step is a number from 1 to " + std::to_string(rule.high));
      }
      step = std::stoi(step_text);
    }
    int first = rule.low, last = rule.high;
    if (range != "*") {
      const auto dash = range.find('-');
      const auto from = read_value(range.substr(0, dash), rule);
      if (!from) {
        return wrong("'" + range.substr(0, dash) + "' is not a value from " + std::to_string(rule.low) + " to " +
                     std::to_string(rule.high) + (rule.names.empty() ? "" : " or a name like " + rule.names[1]));
      }
      first = *from;
      if (dash != std::string::npos) {
        const auto to = read_value(range.substr(dash + 1), rule);
        if (!to || *to < first) return wrong("'" + range + "' is not a range from a lower to a higher value");
        last = *to;
      } else if (slash == std::string::npos) {
        last = first;
      }  // "a/n": from a to the field's end, every n, as Vixie cron reads it
    }
    for (int value = first; value <= last; value += step) mask |= std::uint64_t{1} << value;
  }
  return mask;
}

std::string expand_macro(const std::string& text) {
  if (text == "@hourly") return "0 * * * *";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  return text;
}

bool day_matches(const CronSchedule& schedule, const std::tm& day) {
  if (!schedule.months[static_cast<std::size_t>(day.tm_mon + 1)]) return false;
  const bool by_date = schedule.days[static_cast<std::size_t>(day.tm_mday)];
  const bool by_weekday = schedule.weekdays[static_cast<std::size_t>(day.tm_wday)];
  if (schedule.days_restricted && schedule.weekdays_restricted) return by_date || by_weekday;
  return by_date && by_weekday;
}

constexpr int kDaysSearched = 8 * 366 + 2;  // leap days come every 4 years, 8 across a century not divisible by 400

// The schedule's minutes in `zone`, day by day from `from`'s local date forwards (direction 1) or backwards (-1),
// each day's minutes in the same direction, until `accept` says yes (then that instant) or `give_up` says the days
// left are beyond interest.
std::optional<std::time_t> scan(const CronSchedule& schedule, const std::string& zone, std::time_t from, int direction,
                                const std::function<bool(std::time_t)>& accept,
                                const std::function<bool(std::time_t)>& give_up) {
  ZoneScope scope(zone);
  std::tm start{};
  if (::localtime_r(&from, &start) == nullptr) return std::nullopt;
  for (int i = 0; i < kDaysSearched; ++i) {
    std::tm day{};
    day.tm_year = start.tm_year;
    day.tm_mon = start.tm_mon;
    day.tm_mday = start.tm_mday + direction * i;
    day.tm_hour = 12;  // noon exists on every day, whatever the daylight-saving rules do at night
    day.tm_isdst = -1;
    const std::time_t noon = std::mktime(&day);
    if (noon == -1) return std::nullopt;
    if (give_up(noon)) return std::nullopt;
    if (!day_matches(schedule, day)) continue;
    for (int h = 0; h < 24; ++h) {
      const int hour = direction > 0 ? h : 23 - h;
      if (!schedule.hours[static_cast<std::size_t>(hour)]) continue;
      for (int m = 0; m < 60; ++m) {
        const int minute = direction > 0 ? m : 59 - m;
        if (!schedule.minutes[static_cast<std::size_t>(minute)]) continue;
        std::tm slot{};
        slot.tm_year = day.tm_year;
        slot.tm_mon = day.tm_mon;
        slot.tm_mday = day.tm_mday;
        slot.tm_hour = hour;
        slot.tm_min = minute;
        slot.tm_isdst = -1;
        const std::time_t at = std::mktime(&slot);
        if (at != -1 && accept(at)) return at;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Result<CronSchedule> parse_cron(const std::string& written) {
  const std::string text = expand_macro(written);
  std::vector<std::string> fields;
  std::string current;
  for (const char c : text) {
    if (c == ' ' || c == '\t') {
      if (!current.empty()) fields.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) fields.push_back(current);
  if (fields.size() != 5) {
    return Error{"expected five fields 'MINUTE HOUR DAY MONTH WEEKDAY' (like '0 2 * * *'), got " +
                 std::to_string(fields.size())};
  }
  std::uint64_t masks[5] = {};
  for (int i = 0; i < 5; ++i) {
    auto mask = parse_field(fields[static_cast<std::size_t>(i)], kFields[i]);
    if (!mask) return mask.error();
    masks[i] = mask.value();
  }
  if (masks[4] & (std::uint64_t{1} << 7)) masks[4] = (masks[4] | 1) & 0x7f;  // 7 is Sunday too
  CronSchedule schedule;
  schedule.minutes = std::bitset<60>(masks[0]);
  schedule.hours = std::bitset<24>(masks[1]);
  schedule.days = std::bitset<32>(masks[2]);
  schedule.months = std::bitset<13>(masks[3]);
  schedule.weekdays = std::bitset<7>(masks[4]);
  schedule.days_restricted = fields[2][0] != '*';
  schedule.weekdays_restricted = fields[4][0] != '*';
  schedule.text = written;
  return schedule;
}

std::optional<std::string> time_zone_problem(const std::string& zone) {
  const auto bad = [&] {
    return "expected an IANA time zone name like Europe/Berlin or UTC, got '" + zone + "'";
  };
  if (zone.empty() || zone.front() == '/' || zone.find("..") != std::string::npos) return bad();
  const bool plain = std::all_of(zone.begin(), zone.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+';
  });
  if (!plain) return bad();
  const char* dir = std::getenv("TZDIR");
  const std::filesystem::path file = std::filesystem::path(dir && *dir ? dir : "/usr/share/zoneinfo") / zone;
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return bad() + " (not in the tz database at " + file.parent_path().string() + ")";
  }
  return std::nullopt;
}

std::optional<std::time_t> next_slot(const CronSchedule& schedule, const std::string& zone, std::time_t after) {
  return scan(
      schedule, zone, after, 1, [&](std::time_t at) { return at > after; }, [](std::time_t) { return false; });
}

std::optional<std::time_t> latest_slot(const CronSchedule& schedule, const std::string& zone, std::time_t now,
                                       std::time_t floor) {
  const auto found = scan(
      schedule, zone, now, -1, [&](std::time_t at) { return at <= now; },
      // A day whose noon is more than 14 hours before `floor` ends before it, in any zone.
      [&](std::time_t noon) { return noon < floor - 14 * 3600; });
  if (!found || *found <= floor) return std::nullopt;
  return found;
}

std::string local_time_text(std::time_t at, const std::string& zone) {
  ZoneScope scope(zone);
  std::tm local{};
  ::localtime_r(&at, &local);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%z", &local);
  std::string result(text, length);
  if (result.size() >= 5) result.insert(result.size() - 2, ":");  // +0100 -> +01:00, as ISO 8601 writes it
  return result + " " + zone;
}

std::string utc_time_text(std::time_t at) {
  std::tm parts{};
  ::gmtime_r(&at, &parts);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(text, length);
}

}  // namespace dli
