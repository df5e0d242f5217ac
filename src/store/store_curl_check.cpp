// Checks of a libcurl store URL that need no server and no credentials (src/store/store_curl_check.hpp).
#include "store_curl_check.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <string>

namespace dli::curl_store {
namespace {

Status readable_absolute_file(const char* option, const std::string& path) {
  if (path.empty()) return {};
  if (path.front() != '/') {
    return Error{fmt::format("{} {} must be an absolute path (agents open the same URL from other folders)", option,
                             path)};
  }
  if (::access(path.c_str(), R_OK) != 0) return Error{fmt::format("{} {} cannot be read", option, path)};
  return {};
}

}  // namespace

std::string known_hosts_unreadable(const StoreUrl& url, const std::string& path) {
  return fmt::format("known_hosts file {} cannot be read; the server's host key must be listed there (check it, then "
                     "e.g. ssh-keyscan -p {} {} >> {})",
                     path, url.port, url.bare_host, path);
}

Result<CurlStoreOptions> checked_options(const StoreUrl& url, CurlStoreOptions options) {
  if (auto applied = apply_store_url_options(url.query, options); !applied) return applied.error();
  const bool ftps = url.scheme == Scheme::kFtps;
  const bool sftp = url.scheme == Scheme::kSftp;
  if (!ftps && (!options.ca_file.empty() || !options.pinned_public_key.empty())) {
    return Error{"ca_file and pinned_public_key apply to ftps:// stores only"};
  }
  if (!sftp && (!options.known_hosts.empty() || !options.ssh_private_key.empty() || !options.ssh_public_key.empty())) {
    return Error{"known_hosts and ssh_* options apply to sftp:// stores only"};
  }
  if (options.tls_max != "1.2" && options.tls_max != "1.3") return Error{"tls_max must be 1.2 or 1.3"};
  if (options.connect_timeout.count() <= 0) return Error{"connect_timeout must be positive"};
  if (options.retries < 0) return Error{"retries must not be negative"};
  for (const auto& [option, path] : {std::pair<const char*, const std::string&>{"ca_file", options.ca_file},
                                     {"ssh_private_key", options.ssh_private_key},
                                     {"ssh_public_key", options.ssh_public_key}}) {
    if (auto readable = readable_absolute_file(option, path); !readable) return readable.error();
  }
  if (!options.known_hosts.empty()) {
    if (options.known_hosts.front() != '/') return readable_absolute_file("known_hosts", options.known_hosts).error();
    if (::access(options.known_hosts.c_str(), R_OK) != 0) return Error{known_hosts_unreadable(url, options.known_hosts)};
  }
  return options;
}

}  // namespace dli::curl_store

namespace dli {

Status check_curl_store_url(const std::string& url) {
  auto parsed = curl_store::parse_store_url(url);
  if (!parsed) return parsed.error();
  auto checked = curl_store::checked_options(parsed.value(), CurlStoreOptions{});
  if (!checked) return Error{fmt::format("store {}: {}", curl_store::display_url(parsed.value()), checked.error().message)};
  return {};
}

}  // namespace dli
