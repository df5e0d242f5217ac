#pragma once
// Atomic replace for the sftp:// store. SFTP v3's RENAME (all libcurl and libssh2 1.10 can send) fails on
// OpenSSH when the target exists; OpenSSH's "posix-rename@openssh.com" extension is rename(2), which replaces
// atomically. libcurl does not expose its SSH session, so this speaks the few SFTP packets needed over a second,
// long-lived SSH connection: an SshSession (include/dli/ssh/ssh_session.hpp), the one SSH connection code of the
// project, with its known_hosts check and login. Private to dli_store.
#include <memory>
#include <string>

#include "dli/ssh/ssh_target.hpp"
#include "dli/util/result.hpp"

namespace dli::curl_store {

class SftpPosixRename {
 public:
  // `target` as the store resolved it (its known_hosts must hold the server's key); each SFTP request is bounded
  // by `request_timeout_seconds`.
  SftpPosixRename(SshTarget target, double request_timeout_seconds);
  ~SftpPosixRename();
  SftpPosixRename(const SftpPosixRename&) = delete;
  SftpPosixRename& operator=(const SftpPosixRename&) = delete;

  // Renames `from` over `to` on the server (paths as SFTP sees them), connecting first when needed.
  // true: done. false: the server does not offer the extension (then nothing was changed).
  // Error: transient for connection trouble (the connection is dropped and remade next time); its kind as
  // SshSession reports it (a refused host key or login is kHostKeyRefused or kAuthFailed, never transient).
  Result<bool> rename(const std::string& from, const std::string& to);
  // Closes the connection; the next rename opens one again. What was learnt about the server is kept.
  void disconnect();

 private:
  struct Connection;
  Status connect();
  SshTarget target_;
  double request_timeout_seconds_;
  std::unique_ptr<Connection> connection_;
  bool unsupported_ = false;
  unsigned request_id_ = 0;
};

}  // namespace dli::curl_store
