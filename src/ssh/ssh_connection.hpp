#pragma once
// Inside SshSession: the connection's state and the helpers its parts share (connect, authentication, exec,
// subsystem channels). libssh2 runs blocking, bounded by a session timeout, while connecting; non-blocking with
// a poll loop (wait) once connected.
#include <libssh2.h>

#include <chrono>
#include <string>
#include <utility>

#include "dli/ssh/ssh_session.hpp"

namespace dli {
namespace ssh_detail {

using Clock = std::chrono::steady_clock;

Clock::time_point deadline_after(double seconds);
int remaining_ms(Clock::time_point deadline);  // 0 once passed
std::string where(const SshTarget& target);    // "address:port"
std::string last_error(LIBSSH2_SESSION* session);
inline Error fail(ErrorKind kind, std::string message, bool transient = false) {
  return Error{std::move(message), transient, kind};
}

struct Socket {
  int fd = -1;
  Socket() = default;
  explicit Socket(int descriptor) : fd(descriptor) {}
  Socket(Socket&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd, other.fd);
    return *this;
  }
  ~Socket();
};

void init_libssh2_once();
// TCP connect bounded by `deadline` (non-blocking connect + poll); kUnreachable when it fails.
Result<Socket> connect_tcp(const SshTarget& target, Clock::time_point deadline);

}  // namespace ssh_detail

struct SshSession::Impl {
  SshTarget target;
  ssh_detail::Socket socket;
  LIBSSH2_SESSION* session = nullptr;
  bool usable = false;
  LIBSSH2_CHANNEL* lingering = nullptr;  // exec_until's channel, its output still open (wait_output_closed)

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl();

  // By key or ssh-agent, then by password when the target has one (ssh_auth.cpp).
  Status authenticate(ssh_detail::Clock::time_point deadline);
  Status authenticate_with_key(ssh_detail::Clock::time_point deadline);
  Status authenticate_with_agent(ssh_detail::Clock::time_point deadline);
  Status authenticate_with_password(ssh_detail::Clock::time_point deadline);
  Error auth_error(int rc, const std::string& detail) const;

  // The last libssh2 failure while connected: kUnreachable (transient) when the connection is gone.
  Error io_error(const char* doing) const;
  Error timed_out(const std::string& what, double timeout_seconds) const;
  // Waits until the socket is ready the way libssh2 needs it; false once the deadline has passed.
  bool wait(ssh_detail::Clock::time_point deadline) const;
};

}  // namespace dli
