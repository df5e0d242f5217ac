#pragma once
// One authenticated SSH connection to a host (libssh2), used to run short commands there.
// Not shared between threads: one session per thread; sessions in parallel threads are fine.
#include <memory>
#include <string>

#include "dli/result.hpp"

namespace dli {

// Where and as whom to connect, and which host keys to trust.
struct SshTarget {
  std::string address;  // IP address or DNS name
  int port = 22;
  std::string user;
  std::string key_file;     // private key (ed25519 or ECDSA; RSA is refused by OpenSSH >= 8.8 with libssh2 1.10)
  bool use_agent = false;   // authenticate with the identities of ssh-agent instead of key_file
  std::string agent_socket;  // ssh-agent's socket when use_agent; empty: $SSH_AUTH_SOCK
  std::string known_hosts;  // OpenSSH known_hosts file holding the host's key
  bool trust_on_first_use = false;  // an unknown host key is recorded in known_hosts; a changed one is still refused
  double connect_timeout_seconds = 10;  // TCP connect + SSH handshake + authentication
};

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
