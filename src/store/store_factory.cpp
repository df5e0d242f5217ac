// Store URLs: which backend serves a URL, and how a URL is shown without its secrets.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "dli/store/store.hpp"
#include "dli/store/store_curl.hpp"
#include "store_file.hpp"

namespace dli {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& url) {
  const auto separator = url.find("://");
  if (separator == std::string::npos || separator == 0) {
    // Without a scheme redact_url cannot tell a password from a path: such a URL is not echoed.
    const std::string shown = url.find('@') == std::string::npos ? " '" + url + "'" : "";
    return Error{fmt::format("malformed store URL{}: expected scheme://..., e.g. file:///srv/dli-store", shown)};
  }
  const std::string scheme = lower(url.substr(0, separator));
  const std::string rest = url.substr(separator + 3);
  if (scheme == "file") {
    // file:///abs/path: the authority is empty and the path absolute. A relative path would depend on the
    // working directory of whichever process opens it (integrator, agent), so it is refused.
    if (rest.empty() || rest.front() != '/') {
      return Error{fmt::format("store URL '{}': a file store needs an absolute path, as in file:///srv/dli-store",
                               redact_url(url))};
    }
    return make_file_store(rest);
  }
  if (scheme == "ftp" || scheme == "ftps" || scheme == "sftp") return open_curl_store(url);
  return Error{fmt::format("unsupported store URL scheme '{}' (supported: file, ftp, ftps, sftp)", scheme)};
}

std::string redact_url(const std::string& url) {
  const auto separator = url.find("://");
  if (separator == std::string::npos) return url;
  const std::size_t authority = separator + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  // The last '@' of the authority ends the user info (a password may itself contain '@').
  const std::size_t at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
  if (at == std::string::npos || at < authority) return url;
  const std::size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;  // user only: nothing secret
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

}  // namespace dli
