// fetch_host_key: the handshake of SshSession::connect without its host key check and login.
#include <algorithm>
#include <memory>

#include <fmt/format.h>

#include "dli/ssh/host_key_scan.hpp"
#include "dli/ssh/host_key_text.hpp"
#include "ssh_connection.hpp"
#include "ssh_known_hosts.hpp"

namespace dli {

using namespace ssh_detail;

std::string ServerHostKey::fingerprint() const { return ssh_fingerprint(blob); }

Result<ServerHostKey> fetch_host_key(const SshTarget& target) {
  init_libssh2_once();
  const auto deadline = deadline_after(target.connect_timeout_seconds);
  auto socket = connect_tcp(target, deadline);
  if (!socket) return socket.error();
  struct SessionFree {
    void operator()(LIBSSH2_SESSION* session) const {
      libssh2_session_disconnect(session, "bye");
      libssh2_session_free(session);
    }
  };
  std::unique_ptr<LIBSSH2_SESSION, SessionFree> session(libssh2_session_init());
  if (!session) return fail(ErrorKind::kProtocol, "libssh2_session_init failed");
  libssh2_session_set_blocking(session.get(), 1);
  // The key a person can compare: the type known_hosts already holds for the host, else ed25519, whose .pub file is
  // the one docs/onboarding.md names (libssh2 would otherwise pick ECDSA first). Methods libssh2 lacks are ignored.
  std::string methods = preferred_hostkey_methods(session.get(), target);
  if (methods.empty()) methods = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa";
  libssh2_session_method_pref(session.get(), LIBSSH2_METHOD_HOSTKEY, methods.c_str());
  libssh2_session_set_timeout(session.get(), std::max(1, remaining_ms(deadline)));
  if (const int rc = libssh2_session_handshake(session.get(), socket.value().fd); rc != 0) {
    return fail(ErrorKind::kUnreachable,
                fmt::format("SSH handshake with {} failed: {} (is an SSH server listening there?)", where(target),
                            last_error(session.get())),
                true);
  }
  std::size_t size = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(session.get(), &size, &type);
  const char* method = hostkey_method_name(type);
  if (key == nullptr || method == nullptr) {
    return fail(ErrorKind::kProtocol, fmt::format("{} sent no host key of a known type", where(target)));
  }
  return ServerHostKey{method, std::string(key, size)};
}

}  // namespace dli
