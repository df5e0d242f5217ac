#pragma once
// Parsing and building the URLs of the libcurl stores (include/dli/store_curl.hpp). Private to dli_core.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dli/util/result.hpp"

namespace dli::curl_store {

enum class Scheme { kFtp, kFtps, kSftp };

struct StoreUrl {
  Scheme scheme = Scheme::kFtp;
  std::string scheme_name;  // as written, lower case: "ftp", "ftps", "sftp"
  std::string user;         // percent-decoded; empty when the URL names none
  std::string host;         // as in a URL: IPv6 addresses keep their brackets
  std::string bare_host;    // without brackets: for netrc and known_hosts lookups
  int port = 0;             // the URL's, else the scheme's default (21, 22)
  // Decoded base folder, no trailing '/'. FTP: relative to the login folder unless it starts with '/'
  // (written %2F in the URL). SFTP: absolute ("/~" is the home folder); empty is the root.
  std::string base;
  std::vector<std::pair<std::string, std::string>> query;  // decoded name=value pairs, in order
};

// Error for a malformed URL, another scheme, a password in the URL, a fragment.
Result<StoreUrl> parse_store_url(const std::string& url);

// "%XX" for everything but RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~).
std::string percent_encode(std::string_view text);
Result<std::string> percent_decode(std::string_view text);

// The remote path of `relative` (a store key or folder, '/'-separated; empty: the base itself).
std::string remote_path(const StoreUrl& url, const std::string& relative);

// libcurl URL of a remote path; `folder` adds the trailing '/' libcurl reads as "a directory". ftps:// becomes
// ftp:// (explicit TLS is requested with CURLOPT_USE_SSL; libcurl's own ftps:// means implicit TLS).
std::string curl_url(const StoreUrl& url, const std::string& path, bool folder);

// The URL as shown in messages: no credentials, no query.
std::string display_url(const StoreUrl& url);

}  // namespace dli::curl_store
