// Store credentials: environment, dli credentials file, ~/.netrc (include/dli/credentials.hpp).
#include "dli/store/credentials.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dli/store/store.hpp"

namespace dli {

namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

bool same_host(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// Splits netrc text into words, tracking lines. Error messages never quote a word: a stray one may be half of
// an unquoted password.
class NetrcLexer {
 public:
  explicit NetrcLexer(std::string_view text) : text_(text) {}

  struct Word {
    std::string text;
    int line = 0;
  };

  // nullopt at the end; Error for an unterminated quote.
  Result<std::optional<Word>> next() {
    skip_blanks_and_comments();
    if (pos_ >= text_.size()) return std::optional<Word>{};
    Word word;
    word.line = line_;
    if (text_[pos_] == '"') {
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size()) return Error{fmt::format("unterminated quoted value at line {}", word.line)};
        char c = text_[pos_++];
        if (c == '"') break;
        if (c == '\n') ++line_;
        if (c == '\\' && pos_ < text_.size()) c = text_[pos_++];
        word.text += c;
      }
    } else {
      while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) word.text += text_[pos_++];
    }
    return std::optional<Word>{std::move(word)};
  }

  // A macdef body starts on the next line and runs to the next empty line.
  void skip_macro_body() {
    const std::size_t line_end = text_.find('\n', pos_);
    if (line_end == std::string_view::npos) {
      pos_ = text_.size();
      return;
    }
    pos_ = line_end + 1;
    ++line_;
    for (;;) {
      const std::size_t end = text_.find('\n', pos_);
      if (end == std::string_view::npos) {
        pos_ = text_.size();
        return;
      }
      const std::string_view rest = text_.substr(pos_, end - pos_);
      pos_ = end + 1;
      ++line_;
      if (rest.find_first_not_of(" \t\r") == std::string_view::npos) return;
    }
  }

 private:
  void skip_blanks_and_comments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        return;
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

struct FileLookup {
  std::optional<Credentials> found;
};

std::string octal_mode(mode_t mode) { return fmt::format("{:04o}", static_cast<unsigned>(mode & 07777)); }

// Looks `host` up in one netrc-format file. `required`: a missing file is an error. `strict`: the file must not
// be accessible by group or others at all (the dli credentials file); otherwise only a matching entry with a
// password makes such a file unacceptable (~/.netrc, which other tools share).
Result<FileLookup> lookup_file(const std::string& path, bool required, bool strict, const std::string& host,
                               const std::string& user) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT && !required) return FileLookup{};
    if (errno == ENOENT) {
      return Error{fmt::format("DLI_CREDENTIALS_FILE names {}, which does not exist", path)};
    }
    return Error{fmt::format("cannot read credentials file {}: {}", path, std::strerror(errno))};
  }
  if (!S_ISREG(info.st_mode)) return Error{fmt::format("credentials file {} is not a regular file", path)};
  const bool shared = (info.st_mode & 077) != 0;
  auto refuse = [&] {
    return Error{
        fmt::format("credentials file {} may be read by group or others (mode {}); refusing to use it: "
                    "run chmod 600 {}",
                    path, octal_mode(info.st_mode), path)};
  };
  if (strict && shared) return refuse();

  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot read credentials file {}: {}", path, std::strerror(errno))};
  std::ostringstream text;
  text << in.rdbuf();
  auto entries = parse_netrc(text.str());
  if (!entries) return Error{fmt::format("credentials file {}: {}", path, entries.error().message)};

  auto matches = [&user](const NetrcEntry& entry) {
    return user.empty() || entry.login.empty() || entry.login == user;
  };
  const NetrcEntry* chosen = nullptr;
  for (const NetrcEntry& entry : entries.value()) {
    if (!entry.is_default && same_host(entry.machine, host) && matches(entry)) {
      chosen = &entry;
      break;
    }
  }
  if (chosen == nullptr) {
    for (const NetrcEntry& entry : entries.value()) {
      if (entry.is_default && matches(entry)) {
        chosen = &entry;
        break;
      }
    }
  }
  if (chosen == nullptr) return FileLookup{};
  if (shared && !chosen->password.empty()) return refuse();
  return FileLookup{Credentials{chosen->login.empty() ? user : chosen->login, chosen->password, path}};
}

bool needs_quotes(const std::string& value) {
  if (value.empty() || value.front() == '#') return true;
  return std::any_of(value.begin(), value.end(),
                     [](unsigned char c) { return std::isspace(c) || c == '"' || c == '\\'; });
}

std::string netrc_value(const std::string& value) {
  if (!needs_quotes(value)) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

CredentialSources CredentialSources::from_process() {
  CredentialSources sources;
  sources.user = env("DLI_STORE_USER");
  sources.password = env("DLI_STORE_PASSWORD");
  sources.credentials_file = env("DLI_CREDENTIALS_FILE");
  if (auto home = env("HOME"); home && !home->empty()) {
    sources.home = *home;
  } else if (const passwd* entry = ::getpwuid(::geteuid()); entry != nullptr && entry->pw_dir != nullptr) {
    sources.home = entry->pw_dir;
  }
  return sources;
}

Result<std::vector<NetrcEntry>> parse_netrc(std::string_view text) {
  NetrcLexer lexer(text);
  std::vector<NetrcEntry> entries;
  for (;;) {
    auto word = lexer.next();
    if (!word) return word.error();
    if (!word.value()) return entries;
    const std::string keyword = word.value()->text;
    const int line = word.value()->line;
    if (keyword == "default") {
      entries.push_back(NetrcEntry{"", "", "", true});
      continue;
    }
    const bool known = keyword == "machine" || keyword == "login" || keyword == "password" || keyword == "account" ||
                       keyword == "macdef";
    if (!known) {
      return Error{
          fmt::format("unexpected word at line {} (expected machine, default, login, password, account or "
                      "macdef; quote values that contain blanks)",
                      line)};
    }
    auto value = lexer.next();
    if (!value) return value.error();
    if (!value.value()) return Error{fmt::format("'{}' at line {} has no value", keyword, line)};
    const std::string& text_value = value.value()->text;
    if (keyword == "machine") {
      entries.push_back(NetrcEntry{text_value, "", "", false});
    } else if (keyword == "macdef") {
      lexer.skip_macro_body();
    } else if (entries.empty()) {
      return Error{fmt::format("'{}' at line {} comes before any machine or default entry", keyword, line)};
    } else if (keyword == "login") {
      entries.back().login = text_value;
    } else if (keyword == "password") {
      entries.back().password = text_value;
    }  // account: not used by any store protocol
  }
}

Result<Credentials> resolve_credentials(const std::string& host, const std::string& url_user,
                                        const CredentialSources& sources) {
  const std::string env_user = sources.user.value_or("");
  if (sources.password && !sources.password->empty()) {
    // A DLI_STORE_USER naming someone other than the URL's user means the password is not for this URL.
    if (url_user.empty() || env_user.empty() || env_user == url_user) {
      const std::string user = url_user.empty() ? env_user : url_user;
      if (user.empty()) {
        return Error{
            "DLI_STORE_PASSWORD is set but no user is known: set DLI_STORE_USER or put user@ in the store URL"};
      }
      return Credentials{user, *sources.password, "DLI_STORE_PASSWORD"};
    }
  }
  const std::string user = url_user.empty() ? env_user : url_user;

  std::string file;
  const bool required = sources.credentials_file && !sources.credentials_file->empty();
  if (required) {
    file = *sources.credentials_file;
  } else if (!sources.home.empty()) {
    file = sources.home + "/.config/dli/credentials";
  }
  if (!file.empty()) {
    auto found = lookup_file(file, required, true, host, user);
    if (!found) return found.error();
    if (found.value().found) return *found.value().found;
  }
  if (!sources.home.empty()) {
    auto found = lookup_file(sources.home + "/.netrc", false, false, host, user);
    if (!found) return found.error();
    if (found.value().found) return *found.value().found;
  }
  return Credentials{user, "", "none"};
}

Status reject_password_in_url(const std::string& url) {
  const std::size_t separator = url.find("://");
  if (separator == std::string::npos) return {};
  const std::size_t authority = separator + 3;
  const std::size_t authority_end = std::min(url.find_first_of("/?#", authority), url.size());
  const std::string authority_text = url.substr(authority, authority_end - authority);
  const std::size_t at = authority_text.rfind('@');
  if (at == std::string::npos) return {};
  const std::string user_info = authority_text.substr(0, at);
  const std::size_t colon = user_info.find(':');
  if (colon == std::string::npos) return {};
  // The host as netrc names it: no port, no IPv6 brackets.
  std::string host = authority_text.substr(at + 1);
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') == std::string::npos ? std::string::npos : host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  const std::string user = user_info.substr(0, colon);
  return Error{fmt::format(
      "the store URL {} contains a password; passwords never go in URLs (URLs end up in fleet files, command "
      "lines and logs). Remove it from the URL and set DLI_STORE_PASSWORD, or add the line "
      "'machine {} login {} password ...' to ~/.config/dli/credentials (chmod 600)",
      redact_url(url), host, user.empty() ? "USER" : user)};
}

std::string render_netrc(const std::string& host, const Credentials& credentials) {
  std::string line = "machine " + netrc_value(host);
  if (!credentials.user.empty()) line += " login " + netrc_value(credentials.user);
  if (!credentials.password.empty()) line += " password " + netrc_value(credentials.password);
  return line + "\n";
}

}  // namespace dli
