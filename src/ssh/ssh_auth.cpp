// SshSession's login: by key file or ssh-agent, then by password when the target has one. A failure is
// kAuthFailed, except a connection that times out or drops meanwhile (kUnreachable, worth retrying).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "ssh_connection.hpp"

namespace dli {

using namespace ssh_detail;

namespace {

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

Status SshSession::Impl::authenticate(Clock::time_point deadline) {
  if (!target.password.empty() && !target.use_agent && target.key_file.empty()) {
    return authenticate_with_password(deadline);
  }
  Status first = target.use_agent ? authenticate_with_agent(deadline) : authenticate_with_key(deadline);
  if (first || target.password.empty() || first.error().kind != ErrorKind::kAuthFailed) return first;
  Status second = authenticate_with_password(deadline);
  if (second || second.error().kind != ErrorKind::kAuthFailed) return second;
  return fail(ErrorKind::kAuthFailed, first.error().message + "; " + second.error().message);
}

Error SshSession::Impl::auth_error(int rc, const std::string& detail) const {
  if (rc == LIBSSH2_ERROR_TIMEOUT) {
    return fail(ErrorKind::kUnreachable, fmt::format("{} did not complete authentication within {:g} s",
                                                     where(target), target.connect_timeout_seconds), true);
  }
  if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT) {
    return fail(ErrorKind::kUnreachable, fmt::format("connection to {} lost during authentication: {}",
                                                     where(target), last_error(session)), true);
  }
  return fail(ErrorKind::kAuthFailed, fmt::format("{}@{}: {}", target.user, where(target), detail));
}

Status SshSession::Impl::authenticate_with_key(Clock::time_point deadline) {
  if (target.key_file.empty()) return fail(ErrorKind::kAuthFailed, "no key file and no ssh-agent configured");
  if (::access(target.key_file.c_str(), R_OK) != 0) {
    return fail(ErrorKind::kAuthFailed,
                fmt::format("cannot read key file {}: {}", target.key_file, std::strerror(errno)));
  }
  // With no .pub beside it, libssh2 derives the public key from the private one.
  const std::string pub = target.public_key_file.empty() ? target.key_file + ".pub" : target.public_key_file;
  const bool has_pub = !target.public_key_file.empty() || ::access(pub.c_str(), R_OK) == 0;
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
  if (!agent) return fail(ErrorKind::kAuthFailed, "libssh2_agent_init failed");
  if (!target.agent_socket.empty()) libssh2_agent_set_identity_path(agent.get(), target.agent_socket.c_str());
  if (libssh2_agent_connect(agent.get()) != 0) {
    return fail(ErrorKind::kAuthFailed,
                fmt::format("cannot reach ssh-agent at {} (is it running, with SSH_AUTH_SOCK set?)",
                            target.agent_socket.empty() ? "$SSH_AUTH_SOCK" : target.agent_socket));
  }
  if (libssh2_agent_list_identities(agent.get()) != 0) {
    return fail(ErrorKind::kAuthFailed, "cannot list ssh-agent identities: " + last_error(session));
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
  if (tried == 0) return fail(ErrorKind::kAuthFailed, "ssh-agent holds no identity (ssh-add KEY)");
  return auth_error(rc, fmt::format("none of the {} ssh-agent identities was accepted ({})", tried,
                                    last_error(session)));
}

Status SshSession::Impl::authenticate_with_password(Clock::time_point deadline) {
  libssh2_session_set_timeout(session, std::max(1, remaining_ms(deadline)));
  const int rc = libssh2_userauth_password_ex(session, target.user.c_str(), static_cast<unsigned>(target.user.size()),
                                              target.password.c_str(),
                                              static_cast<unsigned>(target.password.size()), nullptr);
  if (rc == 0) return {};
  return auth_error(rc, fmt::format("password was not accepted ({})", last_error(session)));
}

}  // namespace dli
