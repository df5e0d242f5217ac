// URLs of the libcurl stores: ftp://, ftps://, sftp:// (src/store_curl_url.hpp).
#include "store_curl_url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "dli/store/credentials.hpp"
#include "dli/store/store.hpp"

namespace dli::curl_store {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

std::string encode_segments(const std::string& path) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    out += percent_encode(std::string_view(path).substr(start, end - start));
    if (end == path.size()) return out;
    out += '/';
    start = end + 1;
  }
}

}  // namespace

std::string percent_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned>(c));
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0) {
      return Error{"bad %-escape in URL"};
    }
    out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
    i += 2;
  }
  if (out.find('\0') != std::string::npos) return Error{"%00 in URL"};
  return out;
}

Result<StoreUrl> parse_store_url(const std::string& url) {
  auto bad = [&url](const std::string& why) {
    return Error{fmt::format("malformed store URL '{}': {}", redact_url(url), why)};
  };
  if (auto no_password = reject_password_in_url(url); !no_password) return no_password.error();
  if (url.find_first_of("\r\n\t ") != std::string::npos) return bad("blanks and line breaks must be %-escaped");
  StoreUrl parsed;
  const std::size_t separator = url.find("://");
  if (separator == std::string::npos) return bad("expected scheme://host/path");
  parsed.scheme_name = url.substr(0, separator);
  std::transform(parsed.scheme_name.begin(), parsed.scheme_name.end(), parsed.scheme_name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (parsed.scheme_name == "ftp") {
    parsed.scheme = Scheme::kFtp;
  } else if (parsed.scheme_name == "ftps") {
    parsed.scheme = Scheme::kFtps;
  } else if (parsed.scheme_name == "sftp") {
    parsed.scheme = Scheme::kSftp;
  } else {
    return bad("not an ftp://, ftps:// or sftp:// URL");
  }
  if (url.find('#') != std::string::npos) return bad("'#' must be written %23");

  const std::size_t authority_start = separator + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?", authority_start), url.size());
  std::string authority = url.substr(authority_start, authority_end - authority_start);
  if (const std::size_t at = authority.rfind('@'); at != std::string::npos) {
    auto user = percent_decode(authority.substr(0, at));
    if (!user) return bad(user.error().message);
    parsed.user = user.value();
    authority = authority.substr(at + 1);
  }
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string::npos) return bad("unclosed '[' in the host");
    parsed.host = authority.substr(0, close + 1);
    parsed.bare_host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad("unexpected text after the host");
      port_text = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.find(':');
    parsed.host = authority.substr(0, colon);
    parsed.bare_host = parsed.host;
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (parsed.bare_host.empty()) return bad("no host");
  parsed.port = parsed.scheme == Scheme::kSftp ? 22 : 21;
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return bad("the port must be a number");
    }
    parsed.port = std::stoi(port_text);
    if (parsed.port < 1 || parsed.port > 65535) return bad("the port must be 1-65535");
  }

  const std::size_t query_start = std::min(url.find('?', authority_end), url.size());
  auto path = percent_decode(std::string_view(url).substr(authority_end, query_start - authority_end));
  if (!path) return bad(path.error().message);
  std::string base = path.value();
  if (parsed.scheme == Scheme::kSftp) {
    if (base.empty() || base.front() != '/')
      return bad("an sftp store needs an absolute path, as in sftp://host/srv/dli");
  } else if (!base.empty()) {
    base.erase(0, 1);  // the '/' after the authority separates; a further one (from %2F) makes it absolute
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.find("//") != std::string::npos) return bad("empty path segment");
  parsed.base = base;

  if (query_start < url.size()) {
    std::string_view query = std::string_view(url).substr(query_start + 1);
    while (!query.empty()) {
      const std::size_t amp = std::min(query.find('&'), query.size());
      const std::string_view pair = query.substr(0, amp);
      query = amp < query.size() ? query.substr(amp + 1) : std::string_view();
      if (pair.empty()) continue;
      const std::size_t equals = std::min(pair.find('='), pair.size());
      auto name = percent_decode(pair.substr(0, equals));
      auto value = percent_decode(equals < pair.size() ? pair.substr(equals + 1) : std::string_view());
      if (!name || !value) return bad("bad %-escape in the query");
      parsed.query.emplace_back(name.value(), value.value());
    }
  }
  return parsed;
}

std::string remote_path(const StoreUrl& url, const std::string& relative) {
  if (relative.empty()) return url.base.empty() && url.scheme == Scheme::kSftp ? "/" : url.base;
  if (url.base.empty()) return url.scheme == Scheme::kSftp ? "/" + relative : relative;
  return url.base + "/" + relative;
}

std::string curl_url(const StoreUrl& url, const std::string& path, bool folder) {
  const std::string scheme = url.scheme == Scheme::kSftp ? "sftp" : "ftp";
  std::string out = fmt::format("{}://{}:{}/", scheme, url.host, url.port);
  if (url.scheme == Scheme::kSftp) {
    out += encode_segments(path.substr(1));  // absolute: the '/' after the authority is the root
  } else if (!path.empty() && path.front() == '/') {
    out += "%2F" + encode_segments(path.substr(1));  // libcurl's spelling of an absolute FTP path
  } else {
    out += encode_segments(path);
  }
  if (folder && out.back() != '/') out += '/';
  return out;
}

std::string display_url(const StoreUrl& url) {
  std::string out = url.scheme_name + "://";
  if (!url.user.empty()) out += percent_encode(url.user) + "@";
  const int default_port = url.scheme == Scheme::kSftp ? 22 : 21;
  out += url.host;
  if (url.port != default_port) out += fmt::format(":{}", url.port);
  if (url.scheme == Scheme::kSftp) return out + encode_segments(url.base.empty() ? "/" : url.base);
  if (url.base.empty()) return out + "/";
  return out +
         (url.base.front() == '/' ? "/%2F" + encode_segments(url.base.substr(1)) : "/" + encode_segments(url.base));
}

}  // namespace dli::curl_store
