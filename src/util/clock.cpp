#include "dli/util/clock.hpp"

#include <ctime>

namespace dli {

namespace {

std::string utc_now_formatted(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);  // the reentrant variant: the agent's heartbeat may format from any thread
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, format, &parts);
  return std::string(text, length);
}

}  // namespace

std::string utc_now_iso8601() { return utc_now_formatted("%Y-%m-%dT%H:%M:%SZ"); }

std::string utc_now_compact() { return utc_now_formatted("%Y%m%d-%H%M%S"); }

}  // namespace dli
