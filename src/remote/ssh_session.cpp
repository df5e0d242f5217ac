// SshSession over libssh2: blocking calls bounded by a session timeout while connecting, a non-blocking poll
// loop while a command runs (stdout and stderr must both be drained, or a chatty stderr stalls the command).
#include "dli/remote/ssh_session.hpp"

#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "ssh_known_hosts.hpp"

namespace dli {

const char* to_string(SshFailure failure) {
  switch (failure) {
    case SshFailure::kUnreachable: return "unreachable";
    case SshFailure::kHostKeyRefused: return "host-key-refused";
    case SshFailure::kAuthFailed: return "auth-failed";
    case SshFailure::kTimedOut: return "timed-out";
    case SshFailure::kProtocol: break;
  }
  return "ssh-error";
}

SshFailure ssh_failure_of(const Error& error) {
  for (SshFailure failure : {SshFailure::kUnreachable, SshFailure::kHostKeyRefused, SshFailure::kAuthFailed,
                             SshFailure::kTimedOut}) {
    const std::string prefix = std::string(to_string(failure)) + ":";
    if (error.message.compare(0, prefix.size(), prefix) == 0) return failure;
  }
  return SshFailure::kProtocol;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxCapture = 16u << 20;  // per stream; a runaway command must not exhaust our memory

Error fail(SshFailure failure, const std::string& message, bool transient = false) {
  return Error{fmt::format("{}: {}", to_string(failure), message), transient};
}

// libssh2_init is not thread-safe; a function-local static makes the one call so.
void init_libssh2_once() {
  static const int status = libssh2_init(0);
  (void)status;
}

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

struct Socket {
  int fd = -1;
  Socket() = default;
  explicit Socket(int descriptor) : fd(descriptor) {}
  Socket(Socket&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd, other.fd);
    return *this;
  }
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
};

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
    return fail(SshFailure::kUnreachable, fmt::format("cannot resolve {}: {}", target.address, ::gai_strerror(rc)),
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
          return fail(SshFailure::kUnreachable,
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
  return fail(SshFailure::kUnreachable, fmt::format("cannot connect to {}: {}", where(target), reason), true);
}

// libssh2 does not reveal a key's type on failure; an RSA key is the usual cause with a modern server.
std::string rsa_hint(const std::string& key_file) {
  char head[8] = {};
  FILE* pub = std::fopen((key_file + ".pub").c_str(), "r");
  if (pub == nullptr) return {};
  const std::size_t got = std::fread(head, 1, 7, pub);
  std::fclose(pub);
  if (got == 7 && std::string(head, 7) == "ssh-rsa") {
    return "; RSA keys are refused by OpenSSH 8.8+ with libssh2 1.10, use an ed25519 or ECDSA key";
  }
  return {};
}

struct AgentFree {
  void operator()(LIBSSH2_AGENT* agent) const {
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
  }
};

}  // namespace

struct SshSession::Impl {
  SshTarget target;
  Socket socket;
  LIBSSH2_SESSION* session = nullptr;
  bool usable = false;

  ~Impl() {
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

  Status authenticate_with_key(Clock::time_point deadline);
  Status authenticate_with_agent(Clock::time_point deadline);
  Error auth_error(int rc, const std::string& detail) const;
  Error io_error(const char* doing) const;
  bool wait(Clock::time_point deadline) const;
};

Error SshSession::Impl::auth_error(int rc, const std::string& detail) const {
  if (rc == LIBSSH2_ERROR_TIMEOUT) {
    return fail(SshFailure::kUnreachable, fmt::format("{} did not complete authentication within {:g} s",
                                                      where(target), target.connect_timeout_seconds), true);
  }
  if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
    return fail(SshFailure::kUnreachable, fmt::format("connection to {} lost during authentication: {}",
                                                      where(target), last_error(session)), true);
  }
  return fail(SshFailure::kAuthFailed, fmt::format("{}@{}: {}", target.user, where(target), detail));
}

Status SshSession::Impl::authenticate_with_key(Clock::time_point deadline) {
  if (target.key_file.empty()) return fail(SshFailure::kAuthFailed, "no key file and no ssh-agent configured");
  if (::access(target.key_file.c_str(), R_OK) != 0) {
    return fail(SshFailure::kAuthFailed, fmt::format("cannot read key file {}: {}", target.key_file, std::strerror(errno)));
  }
  // With no .pub beside it, libssh2 derives the public key from the private one.
  const std::string pub = target.key_file + ".pub";
  const bool has_pub = ::access(pub.c_str(), R_OK) == 0;
  libssh2_session_set_timeout(session, std::max(1, remaining_ms(deadline)));
  const int rc = libssh2_userauth_publickey_fromfile_ex(session, target.user.c_str(),
                                                       static_cast<unsigned>(target.user.size()),
                                                       has_pub ? pub.c_str() : nullptr, target.key_file.c_str(), "");
  if (rc == 0) return {};
  if (rc == LIBSSH2_ERROR_FILE) {
    return auth_error(rc, fmt::format("cannot use key file {} (passphrase-protected, or not ed25519/ECDSA?): {}",
                                      target.key_file, last_error(session)));
  }
  return auth_error(rc, fmt::format("key {} was not accepted ({}){}", target.key_file, last_error(session),
                                    rsa_hint(target.key_file)));
}

Status SshSession::Impl::authenticate_with_agent(Clock::time_point deadline) {
  std::unique_ptr<LIBSSH2_AGENT, AgentFree> agent(libssh2_agent_init(session));
  if (!agent) return fail(SshFailure::kAuthFailed, "libssh2_agent_init failed");
  if (!target.agent_socket.empty()) libssh2_agent_set_identity_path(agent.get(), target.agent_socket.c_str());
  if (libssh2_agent_connect(agent.get()) != 0) {
    return fail(SshFailure::kAuthFailed,
                fmt::format("cannot reach ssh-agent at {} (is it running, with SSH_AUTH_SOCK set?)",
                            target.agent_socket.empty() ? "$SSH_AUTH_SOCK" : target.agent_socket));
  }
  if (libssh2_agent_list_identities(agent.get()) != 0) {
    return fail(SshFailure::kAuthFailed, "cannot list ssh-agent identities: " + last_error(session));
  }
  int tried = 0;
  int rc = 0;
  libssh2_agent_publickey* identity = nullptr;
  while (libssh2_agent_get_identity(agent.get(), &identity, identity) == 0) {
    ++tried;
    libssh2_session_set_timeout(session, std::max(1, remaining_ms(deadline)));
    rc = libssh2_agent_userauth(agent.get(), target.user.c_str(), identity);
    if (rc == 0) return {};
    if (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED && rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED) break;
  }
  if (tried == 0) return fail(SshFailure::kAuthFailed, "ssh-agent holds no identity (ssh-add KEY)");
  return auth_error(rc, fmt::format("none of the {} ssh-agent identities was accepted ({})", tried,
                                    last_error(session)));
}

Error SshSession::Impl::io_error(const char* doing) const {
  const int code = libssh2_session_last_errno(session);
  const SshFailure failure = code == LIBSSH2_ERROR_SOCKET_RECV || code == LIBSSH2_ERROR_SOCKET_SEND ||
                                     code == LIBSSH2_ERROR_SOCKET_DISCONNECT || code == LIBSSH2_ERROR_SOCKET_TIMEOUT
                                 ? SshFailure::kUnreachable
                                 : SshFailure::kProtocol;
  return fail(failure, fmt::format("{} on {}: {}", doing, where(target), last_error(session)),
              failure == SshFailure::kUnreachable);
}

// Waits until the socket is ready the way libssh2 needs it; false once the deadline has passed.
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
    return fail(SshFailure::kProtocol, "an SSH target needs an address and a user");
  }
  const auto deadline = deadline_after(target.connect_timeout_seconds);
  auto impl = std::make_unique<Impl>();
  impl->target = target;
  auto socket = connect_tcp(target, deadline);
  if (!socket) return socket.error();
  impl->socket = std::move(socket).value();

  impl->session = libssh2_session_init();
  if (impl->session == nullptr) return fail(SshFailure::kProtocol, "libssh2_session_init failed");
  LIBSSH2_SESSION* session = impl->session;
  libssh2_session_set_blocking(session, 1);
  if (const std::string methods = ssh_detail::preferred_hostkey_methods(session, target); !methods.empty()) {
    libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, methods.c_str());
  }
  libssh2_session_set_timeout(session, std::max(1, remaining_ms(deadline)));
  if (const int rc = libssh2_session_handshake(session, impl->socket.fd); rc != 0) {
    return fail(SshFailure::kUnreachable,
                rc == LIBSSH2_ERROR_TIMEOUT
                    ? fmt::format("{} accepted the connection but sent no SSH handshake within {:g} s", where(target),
                                  target.connect_timeout_seconds)
                    : fmt::format("SSH handshake with {} failed: {}", where(target), last_error(session)),
                true);
  }
  if (auto verified = ssh_detail::verify_host_key(session, target); !verified) return verified.error();
  auto authenticated = target.use_agent ? impl->authenticate_with_agent(deadline)
                                        : impl->authenticate_with_key(deadline);
  if (!authenticated) return authenticated.error();
  impl->usable = true;
  return SshSession(std::move(impl));
}

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;
SshSession::~SshSession() = default;

bool SshSession::usable() const { return impl_ && impl_->usable; }

Result<SshExecResult> SshSession::exec(const std::string& command, const std::string& stdin_data,
                                       double timeout_seconds) {
  if (!usable()) return fail(SshFailure::kProtocol, "the SSH session is closed after an earlier failure");
  Impl& self = *impl_;
  LIBSSH2_SESSION* session = self.session;
  const auto deadline = deadline_after(timeout_seconds);
  self.usable = false;  // until the command has ended cleanly
  libssh2_session_set_blocking(session, 0);
  const auto timed_out = [&] {
    return fail(SshFailure::kTimedOut,
                fmt::format("command on {} did not finish within {:g} s", where(self.target), timeout_seconds));
  };

  LIBSSH2_CHANNEL* channel = nullptr;
  while ((channel = libssh2_channel_open_session(session)) == nullptr) {
    if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN) return self.io_error("cannot open a channel");
    if (!self.wait(deadline)) return timed_out();
  }
  int rc = 0;
  while ((rc = libssh2_channel_exec(channel, command.c_str())) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  if (rc != 0) return self.io_error("cannot start the command");

  SshExecResult result;
  std::size_t sent = 0;
  bool input_closed = false;
  int idle_zero_reads = 0;
  char buffer[32768];
  const auto capture = [&](std::string& into, ssize_t got) {
    const std::size_t room = kMaxCapture - std::min(kMaxCapture, into.size());
    into.append(buffer, std::min(room, static_cast<std::size_t>(got)));
  };
  for (;;) {
    bool progress = false;
    if (!input_closed) {
      if (sent < stdin_data.size()) {
        const ssize_t wrote = libssh2_channel_write(channel, stdin_data.data() + sent,
                                                    std::min<std::size_t>(stdin_data.size() - sent, sizeof buffer));
        if (wrote > 0) {
          sent += static_cast<std::size_t>(wrote);
          progress = true;
        } else if (wrote < 0 && wrote != LIBSSH2_ERROR_EAGAIN) {
          if (!libssh2_channel_eof(channel)) return self.io_error("cannot write the command's input");
          input_closed = true;  // the command ended without reading all of it
        }
      }
      if (!input_closed && sent == stdin_data.size()) {
        rc = libssh2_channel_send_eof(channel);
        if (rc != LIBSSH2_ERROR_EAGAIN) {
          input_closed = true;
          progress = true;
        }
      }
    }
    // libssh2 keeps a half-sent packet and must be given the same write again before it sends anything else; a
    // read may send a window adjustment, so while our input is blocked outbound, only the write is retried.
    if (!input_closed && !progress &&
        (libssh2_session_block_directions(self.session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0) {
      if (!self.wait(deadline)) return timed_out();
      continue;
    }
    const ssize_t out = libssh2_channel_read(channel, buffer, sizeof buffer);
    if (out > 0) capture(result.out, out);
    const ssize_t err = libssh2_channel_read_stderr(channel, buffer, sizeof buffer);
    if (err > 0) capture(result.err, err);
    if ((out < 0 && out != LIBSSH2_ERROR_EAGAIN) || (err < 0 && err != LIBSSH2_ERROR_EAGAIN)) {
      return self.io_error("cannot read the command's output");
    }
    if (out > 0 || err > 0) {
      progress = true;
      idle_zero_reads = 0;
    } else if (libssh2_channel_eof(channel)) {
      break;  // the command closed its output and nothing is left to read
    } else if (out == 0 || err == 0) {
      // 0 without EOF: libssh2 handled some other packet. Read again at once: waiting on the socket could stall
      // on data libssh2 already holds. Bounded, in case a peer closes without EOF.
      progress = ++idle_zero_reads < 64;
    } else {
      idle_zero_reads = 0;  // both would block: libssh2 drained the socket, so waiting on it is right
    }
    if (!progress && !self.wait(deadline)) return timed_out();
  }

  while ((rc = libssh2_channel_close(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  while ((rc = libssh2_channel_wait_closed(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  if (rc != 0) return self.io_error("cannot close the channel");
  char* signal_name = nullptr;
  std::size_t signal_size = 0;
  libssh2_channel_get_exit_signal(channel, &signal_name, &signal_size, nullptr, nullptr, nullptr, nullptr);
  if (signal_name != nullptr) {
    result.exit_signal.assign(signal_name, signal_size);
    libssh2_free(session, signal_name);
  } else {
    result.exit_status = libssh2_channel_get_exit_status(channel);
  }
  while (libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  self.usable = true;
  return result;
}

}  // namespace dli
