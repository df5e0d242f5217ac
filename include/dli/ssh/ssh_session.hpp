#pragma once
// One authenticated SSH connection (libssh2): TCP connect within a timeout, handshake, host key checked against
// known_hosts, login by key, ssh-agent or password. The fleet's host shells run commands over it (exec); the
// sftp:// store speaks SFTP over a subsystem channel of it (open_subsystem).
// Not shared between threads: one session per thread; sessions in parallel threads are fine.
// Errors carry their kind (include/dli/util/result.hpp): kUnreachable, kHostKeyRefused, kAuthFailed, kTimedOut
// (exec, channel I/O), kProtocol (anything else).
#include <memory>
#include <chrono>
#include <functional>
#include <string>

#include "dli/ssh/ssh_target.hpp"
#include "dli/util/result.hpp"

namespace dli {

class SshChannel;

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
  // Like exec, but returns as soon as `enough(stdout so far)` is true (exit_status 0), leaving the channel open:
  // a process the command started in the background may hold its output open after the command itself ended (the
  // agent's start: the agent keeps it until it exits). The session is then unusable until wait_output_closed()
  // has seen that output close. When `enough` never holds, this is exec.
  Result<SshExecResult> exec_until(const std::string& command, const std::string& stdin_data, double timeout_seconds,
                                   const std::function<bool(const std::string&)>& enough);
  // After exec_until returned early: true once every holder of the command's output has closed it (the channel is
  // closed then and the session usable again), false while it is still open at `until` (call again). An Error
  // when the connection failed, or when no output is left open.
  Result<bool> wait_output_closed(std::chrono::steady_clock::time_point until);
  // Starts the server's subsystem `name` ("sftp") on a new channel, which must not outlive this session.
  Result<SshChannel> open_subsystem(const std::string& name, double timeout_seconds);
  bool usable() const;

  struct Impl;  // opaque; named here so that SshChannel (src/ssh) can hold on to its session's

 private:
  explicit SshSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dli
