// Store options carried by a store URL's query (include/dli/store_curl.hpp).
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "dli/store/store_curl.hpp"

namespace dli {

namespace {

constexpr const char* kNames =
    "ca_file, pinned_public_key, known_hosts, ssh_private_key, ssh_public_key, connect_timeout, stall_timeout, "
    "operation_timeout, retries, retry_delay, tls_max, sftp_posix_rename";

// Bounds of the durations (docs/stores.md): a connection that takes more than an hour to set up is not coming, and
// every duration must stay far from what the clocks and libcurl's long milliseconds can hold.
constexpr double kMaxConnectSeconds = 3600;
constexpr double kMaxOtherSeconds = 86'400;

// Decimal seconds only: strtod alone would also take "nan", "inf" and hex.
Result<std::chrono::milliseconds> seconds(const std::string& name, const std::string& text) {
  const double max = name == "connect_timeout" ? kMaxConnectSeconds : kMaxOtherSeconds;
  const bool decimal = !text.empty() && text.size() <= 32 && text.find_first_not_of("0123456789.eE+-") == std::string::npos;
  char* end = nullptr;
  const double value = decimal ? std::strtod(text.c_str(), &end) : -1;
  if (!decimal || end != text.c_str() + text.size() || !std::isfinite(value) || value < 0 || value > max) {
    return Error{fmt::format("store URL option {}={}: expected seconds from 0 to {:g} ({}), e.g. 2.5", name, text,
                             max, name == "connect_timeout" ? "an hour" : "a day")};
  }
  return std::chrono::milliseconds(static_cast<long long>(std::llround(value * 1000)));
}

Result<bool> boolean(const std::string& name, const std::string& text) {
  if (text == "true" || text == "yes" || text == "1") return true;
  if (text == "false" || text == "no" || text == "0") return false;
  return Error{fmt::format("store URL option {}={}: expected true or false", name, text)};
}

}  // namespace

Status apply_store_url_options(const std::vector<std::pair<std::string, std::string>>& query,
                               CurlStoreOptions& options) {
  for (const auto& [name, value] : query) {
    if (name == "ca_file") {
      options.ca_file = value;
    } else if (name == "pinned_public_key") {
      options.pinned_public_key = value;
    } else if (name == "known_hosts") {
      options.known_hosts = value;
    } else if (name == "ssh_private_key") {
      options.ssh_private_key = value;
    } else if (name == "ssh_public_key") {
      options.ssh_public_key = value;
    } else if (name == "connect_timeout" || name == "stall_timeout" || name == "operation_timeout" ||
               name == "retry_delay") {
      auto duration = seconds(name, value);
      if (!duration) return duration.error();
      if (name == "connect_timeout") options.connect_timeout = duration.value();
      if (name == "stall_timeout") options.stall_timeout = duration.value();
      if (name == "operation_timeout") options.operation_timeout = duration.value();
      if (name == "retry_delay") options.retry_delay = duration.value();
    } else if (name == "retries") {
      char* end = nullptr;
      const long count = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || end != value.c_str() + value.size() || count < 0 || count > 20) {
        return Error{fmt::format("store URL option retries={}: expected a whole number from 0 to 20", value)};
      }
      options.retries = static_cast<int>(count);
    } else if (name == "tls_max") {
      if (value != "1.2" && value != "1.3") {
        return Error{fmt::format("store URL option tls_max={}: expected 1.2 or 1.3", value)};
      }
      options.tls_max = value;
    } else if (name == "sftp_posix_rename") {
      auto flag = boolean(name, value);
      if (!flag) return flag.error();
      options.sftp_posix_rename = flag.value();
    } else if (name == "password" || name == "user") {
      return Error{
          fmt::format("store URL option '{}' is not accepted: credentials never go in URLs; set "
                      "DLI_STORE_USER/DLI_STORE_PASSWORD or use ~/.config/dli/credentials",
                      name)};
    } else {
      return Error{fmt::format("unknown store URL option '{}' (known: {})", name, kNames)};
    }
  }
  return {};
}

}  // namespace dli
