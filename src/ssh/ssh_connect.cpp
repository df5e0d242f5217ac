// SshSession: connecting (TCP within the timeout, handshake, host key, login), and what every part shares.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "ssh_connection.hpp"
#include "ssh_known_hosts.hpp"

namespace dli {
namespace ssh_detail {

Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::milliseconds(static_cast<long long>(std::max(0.0, seconds) * 1000));
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
}

std::string where(const SshTarget& target) { return fmt::format("{}:{}", target.address, target.port); }

std::string last_error(LIBSSH2_SESSION* session) {
  char* message = nullptr;
  int length = 0;
  libssh2_session_last_error(session, &message, &length, 0);
  return message != nullptr && length > 0 ? std::string(message, static_cast<std::size_t>(length)) : "unknown error";
}

Socket::~Socket() {
  if (fd >= 0) ::close(fd);
}

}  // namespace ssh_detail

using namespace ssh_detail;

namespace ssh_detail {

// libssh2_init is not thread-safe; a function-local static makes the one call so.
void init_libssh2_once() {
  static const int status = libssh2_init(0);
  (void)status;
}

// Non-blocking connect + poll: a blocking connect to a silent address would wait for the kernel's ~2 min.
// (Name resolution is not bounded: getaddrinfo has no timeout. Fleets name hosts by address or local DNS.)
Result<Socket> connect_tcp(const SshTarget& target, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(target.port);
  if (const int rc = ::getaddrinfo(target.address.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return fail(ErrorKind::kUnreachable, fmt::format("cannot resolve {}: {}", target.address, ::gai_strerror(rc)),
                rc == EAI_AGAIN);
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);
  std::string reason = "no address";
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    Socket socket(::socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                           address->ai_protocol));
    if (socket.fd < 0) {
      reason = std::strerror(errno);
      continue;
    }
    int error = 0;
    if (::connect(socket.fd, address->ai_addr, address->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd waiting{socket.fd, POLLOUT, 0};
        int ready = 0;
        do {
          ready = ::poll(&waiting, 1, remaining_ms(deadline));
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) {
          return fail(ErrorKind::kUnreachable,
                      fmt::format("cannot connect to {}: no answer within {:g} s", where(target),
                                  target.connect_timeout_seconds),
                      true);
        }
        socklen_t size = sizeof error;
        if (ready < 0 || ::getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
      }
    }
    if (error == 0) {
      const int on = 1;
      ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // commands are small request/reply
      return socket;
    }
    reason = std::strerror(error);
    if (error == ECONNREFUSED) reason += " (is sshd running and listening on that port?)";
  }
  return fail(ErrorKind::kUnreachable, fmt::format("cannot connect to {}: {}", where(target), reason), true);
}

}  // namespace ssh_detail

SshSession::Impl::~Impl() {
  if (session == nullptr) return;
  libssh2_session_set_blocking(session, 1);  // libssh2_session_free gives up on EAGAIN in non-blocking mode
  libssh2_session_set_timeout(session, 1000);
  if (usable) {
    libssh2_session_disconnect(session, "bye");
  } else if (socket.fd >= 0) {
    // Nothing more to say after a failure: a dead socket makes the frees below fail fast instead of waiting
    // for a close the peer may never answer.
    ::shutdown(socket.fd, SHUT_RDWR);
  }
  libssh2_session_free(session);
}

Error SshSession::Impl::io_error(const char* doing) const {
  const int code = libssh2_session_last_errno(session);
  const bool gone = code == LIBSSH2_ERROR_SOCKET_RECV || code == LIBSSH2_ERROR_SOCKET_SEND ||
                    code == LIBSSH2_ERROR_SOCKET_DISCONNECT || code == LIBSSH2_ERROR_SOCKET_TIMEOUT;
  return fail(gone ? ErrorKind::kUnreachable : ErrorKind::kProtocol,
              fmt::format("{} on {}: {}", doing, where(target), last_error(session)), gone);
}

Error SshSession::Impl::timed_out(const std::string& what, double timeout_seconds) const {
  return fail(ErrorKind::kTimedOut, fmt::format("{} on {} did not finish within {:g} s", what, where(target),
                                                timeout_seconds));
}

bool SshSession::Impl::wait(Clock::time_point deadline) const {
  const int left = remaining_ms(deadline);
  if (left <= 0) return false;
  const int directions = libssh2_session_block_directions(session);
  short events = 0;
  if (directions & LIBSSH2_SESSION_BLOCK_INBOUND) events |= POLLIN;
  if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) events |= POLLOUT;
#ifdef TCP_QUICKACK
  // Acknowledge what has arrived before waiting for more. sshd leaves Nagle on for sessions without a tty, so
  // after its post-login host-key announcement it holds the channel confirmation until that is acknowledged,
  // and the kernel's delayed ACK made every new connection's first command ~40 ms slower
  // (tests/bench/fleet_fanout_bench.cpp, docs/benchmarks.md). The option is reset by the kernel: set per wait.
  const int quick_ack = 1;
  ::setsockopt(socket.fd, IPPROTO_TCP, TCP_QUICKACK, &quick_ack, sizeof quick_ack);
#endif
  pollfd waiting{socket.fd, events != 0 ? events : static_cast<short>(POLLIN), 0};
  if (::poll(&waiting, 1, std::min(left, 1000)) < 0 && errno != EINTR) return false;
  return true;
}

Result<SshSession> SshSession::connect(const SshTarget& target) {
  init_libssh2_once();
  if (target.address.empty() || target.user.empty()) {
    return fail(ErrorKind::kProtocol, "an SSH target needs an address and a user");
  }
  const auto deadline = deadline_after(target.connect_timeout_seconds);
  auto impl = std::make_unique<Impl>();
  impl->target = target;
  auto socket = connect_tcp(target, deadline);
  if (!socket) return socket.error();
  impl->socket = std::move(socket).value();

  impl->session = libssh2_session_init();
  if (impl->session == nullptr) return fail(ErrorKind::kProtocol, "libssh2_session_init failed");
  LIBSSH2_SESSION* session = impl->session;
  libssh2_session_set_blocking(session, 1);
  if (const std::string methods = preferred_hostkey_methods(session, target); !methods.empty()) {
    libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, methods.c_str());
  }
  libssh2_session_set_timeout(session, std::max(1, remaining_ms(deadline)));
  if (const int rc = libssh2_session_handshake(session, impl->socket.fd); rc != 0) {
    return fail(ErrorKind::kUnreachable,
                rc == LIBSSH2_ERROR_TIMEOUT
                    ? fmt::format("{} accepted the connection but sent no SSH handshake within {:g} s", where(target),
                                  target.connect_timeout_seconds)
                    : fmt::format("SSH handshake with {} failed: {}", where(target), last_error(session)),
                true);
  }
  if (auto verified = verify_host_key(session, target); !verified) return verified.error();
  if (auto authenticated = impl->authenticate(deadline); !authenticated) return authenticated.error();
  impl->usable = true;
  return SshSession(std::move(impl));
}

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;
SshSession::~SshSession() = default;

bool SshSession::usable() const { return impl_ && impl_->usable; }

}  // namespace dli
