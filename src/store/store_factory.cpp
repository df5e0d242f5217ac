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

// The scheme of a URL, lower case; Error when there is none.
Result<std::string> scheme_of(const std::string& url) {
  const auto separator = url.find("://");
  if (separator == std::string::npos || separator == 0) {
    // Without a scheme redact_url cannot tell a password from a path: such a URL is not echoed.
    const std::string shown = url.find('@') == std::string::npos ? " '" + url + "'" : "";
    return Error{fmt::format("malformed store URL{}: expected scheme://..., e.g. file:///srv/dli-store", shown)};
  }
  return lower(url.substr(0, separator));
}

// The folder of a file:///abs/path URL. The authority is empty and the path absolute: a relative path would depend
// on the working directory of whichever process opens it (integrator, agent). A file store takes no options, and
// what looks like a query is refused rather than made part of a folder name.
Result<std::string> file_store_root(const std::string& url) {
  const std::string rest = url.substr(url.find("://") + 3);
  if (rest.empty() || rest.front() != '/') {
    return Error{fmt::format("store URL '{}': a file store needs an absolute path, as in file:///srv/dli-store",
                             redact_url(url))};
  }
  if (rest.find_first_of("?#") != std::string::npos) {
    return Error{fmt::format("store URL '{}': a file store takes no options ('?' or '#')", redact_url(url))};
  }
  for (const char c : rest) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Error{"store URL of a file store: control character in the path"};  // not echoed: it would break lines
    }
  }
  return rest;
}

Error unsupported(const std::string& scheme) {
  return Error{fmt::format("unsupported store URL scheme '{}' (supported: file, ftp, ftps, sftp)", scheme)};
}

bool is_curl_scheme(const std::string& scheme) { return scheme == "ftp" || scheme == "ftps" || scheme == "sftp"; }

}  // namespace

Result<std::unique_ptr<Store>> open_store(const std::string& url) {
  auto scheme = scheme_of(url);
  if (!scheme) return scheme.error();
  if (scheme.value() == "file") {
    auto root = file_store_root(url);
    if (!root) return root.error();
    return make_file_store(root.value());
  }
  if (is_curl_scheme(scheme.value())) return open_curl_store(url);
  return unsupported(scheme.value());
}

Status check_store_url(const std::string& url) {
  auto scheme = scheme_of(url);
  if (!scheme) return scheme.error();
  if (scheme.value() == "file") {
    auto root = file_store_root(url);
    if (!root) return root.error();
    return {};
  }
  if (is_curl_scheme(scheme.value())) return check_curl_store_url(url);
  return unsupported(scheme.value());
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
