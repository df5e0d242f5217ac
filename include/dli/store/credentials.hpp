#pragma once
// Store credentials (user and password for ftp/ftps/sftp stores). They never come from YAML, never go on a
// command line and never into a log: they are looked up here, at the moment a store is opened.
//
// Lookup for a store URL's host and user, first match wins:
//   1. the environment: DLI_STORE_PASSWORD (with DLI_STORE_USER, or the URL's user@);
//   2. the dli credentials file, netrc format: $DLI_CREDENTIALS_FILE, else ~/.config/dli/credentials;
//      refused when group or others may access it (chmod 600), like ssh does with private keys;
//   3. ~/.netrc (refused the same way when its matching entry holds a password).
// In each file a `machine HOST` entry wins over that file's `default` entry.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dli/util/result.hpp"

namespace dli {

struct Credentials {
  std::string user;      // empty: none known (anonymous FTP)
  std::string password;  // empty: none found (SFTP with a key)
  std::string source;    // where they came from, for messages: "DLI_STORE_PASSWORD", a file path, or "none"
};

// One entry of a netrc file.
struct NetrcEntry {
  std::string machine;  // empty for the `default` entry
  std::string login;
  std::string password;
  bool is_default = false;
};

// What the lookup reads. from_process() takes the real environment; tests fill it by hand.
struct CredentialSources {
  std::optional<std::string> user;              // DLI_STORE_USER
  std::optional<std::string> password;          // DLI_STORE_PASSWORD (an empty value counts as unset)
  std::optional<std::string> credentials_file;  // DLI_CREDENTIALS_FILE: must exist when set
  std::string home;                             // for ~/.config/dli/credentials and ~/.netrc; empty: skipped
  static CredentialSources from_process();
};

// Parses netrc text: tokens separated by blanks or newlines; `machine NAME`, `default`, `login`, `password`,
// `account` (ignored), `macdef` (skipped to the next empty line); '#' starting a token comments out the rest
// of the line; a value may be double-quoted, with \" and \\ inside. Errors name the line.
Result<std::vector<NetrcEntry>> parse_netrc(std::string_view text);

// Credentials for `host` (matched case-insensitively, port ignored) and the URL's user (may be empty).
// Errors: an unsafe or unreadable credentials file, a missing $DLI_CREDENTIALS_FILE, a password without user.
// Finding nothing is not an error: the result then has the known user (if any), no password, source "none".
Result<Credentials> resolve_credentials(const std::string& host, const std::string& url_user,
                                        const CredentialSources& sources = CredentialSources::from_process());

// Error when `url` carries user:password@: the message (without the password) says where passwords go.
Status reject_password_in_url(const std::string& url);

// What a remote agent needs to log in to the store at `store_url`, as netrc text: empty for stores without a
// password (file://, SFTP with keys). Looked up on the integrator's machine with resolve_credentials().
Result<std::string> agent_credentials_netrc(const std::string& store_url);

// One netrc line for `host`, values quoted where needed; parse_netrc reads it back. For a remote agent: the
// integrator writes it through the SSH channel's stdin into a 0600 file named by DLI_CREDENTIALS_FILE there.
std::string render_netrc(const std::string& host, const Credentials& credentials);

}  // namespace dli
