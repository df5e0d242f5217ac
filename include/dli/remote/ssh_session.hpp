#pragma once
// One authenticated SSH connection to a host (libssh2), used to run short commands there.
// Not shared between threads: one session per thread; sessions in parallel threads are fine.
#include <memory>
#include <string>

#include "dli/config/ssh_target.hpp"
#include "dli/util/result.hpp"

namespace dli {

// Why a connection failed. Error messages start with the state's name and a colon ("unreachable: ..."), the
// form failure_state() in host_check.hpp reads.
enum class SshFailure {
  kUnreachable,     // refused, timed out, no route, name unknown, handshake failed, connection lost
  kHostKeyRefused,  // unknown or changed host key
  kAuthFailed,      // key or agent identities rejected, key file unreadable, no agent
  kTimedOut,        // the command itself did not finish within its timeout
  kProtocol,        // any other libssh2 failure once connected
};
const char* to_string(SshFailure failure);  // "unreachable", "host-key-refused", "auth-failed", "timed-out", "ssh-error"
// The failure named by an error message's prefix; kProtocol when it has none of ours.
SshFailure ssh_failure_of(const Error& error);

struct SshExecResult {
  int exit_status = -1;     // -1 when the command was killed by a signal
  std::string exit_signal;  // signal name without "SIG" ("KILL"), when killed
  std::string out;          // stdout
  std::string err;          // stderr
};

class SshSession {
 public:
  // Connects, verifies the host key, authenticates. Thread-safe (libssh2 is initialised once per process).
  static Result<SshSession> connect(const SshTarget& target);

  SshSession(SshSession&&) noexcept;
  SshSession& operator=(SshSession&&) noexcept;
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;
  ~SshSession();

  // Runs `command` through the remote user's shell, writes `stdin_data` then EOF to it, and waits for it to end.
  // A non-zero exit is a result, not an error. After a timeout or a connection error the session is unusable.
  Result<SshExecResult> exec(const std::string& command, const std::string& stdin_data, double timeout_seconds);
  bool usable() const;

 private:
  struct Impl;
  explicit SshSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dli
