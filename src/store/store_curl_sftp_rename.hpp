#pragma once
// Atomic replace for the sftp:// store. SFTP v3's RENAME (all libcurl and libssh2 1.10 can send) fails on
// OpenSSH when the target exists; OpenSSH's "posix-rename@openssh.com" extension is rename(2), which replaces
// atomically. libcurl does not expose its SSH session, so this speaks the few SFTP packets needed over a second,
// long-lived SSH connection (libssh2), with the same host key check and authentication. Private to dli_core.
#include <memory>
#include <string>

#include "dli/util/result.hpp"

namespace dli::curl_store {

struct SshEndpoint {
  std::string host;  // bare host (no IPv6 brackets)
  int port = 22;
  std::string user;
  std::string password;      // tried after the key, when not empty
  std::string private_key;   // empty: no key authentication
  std::string public_key;    // empty: derived from the private key
  std::string known_hosts;   // OpenSSH format; the host's key must be in it
  long timeout_ms = 10'000;  // connect, handshake, and each request
};

class SftpPosixRename {
 public:
  explicit SftpPosixRename(SshEndpoint endpoint);
  ~SftpPosixRename();
  SftpPosixRename(const SftpPosixRename&) = delete;
  SftpPosixRename& operator=(const SftpPosixRename&) = delete;

  // Renames `from` over `to` on the server (paths as SFTP sees them), connecting first when needed.
  // true: done. false: the server does not offer the extension (then nothing was changed).
  // Error: transient for connection trouble (the connection is dropped and remade next time).
  Result<bool> rename(const std::string& from, const std::string& to);

 private:
  struct Connection;
  Status connect();
  SshEndpoint endpoint_;
  std::unique_ptr<Connection> connection_;
  bool unsupported_ = false;
  unsigned request_id_ = 0;
};

}  // namespace dli::curl_store
