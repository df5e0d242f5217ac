#pragma once
// Onboarding a host (`dli-integrator hosts add`): the key its SSH server offers, fetched before anything trusts it,
// so that a person (or a script's --fingerprint) can confirm it; then recorded in known_hosts, after which every
// SshSession to the host checks it as usual.
#include <string>

#include "dli/ssh/ssh_target.hpp"
#include "dli/util/result.hpp"

namespace dli {

struct ServerHostKey {
  std::string type;  // "ssh-ed25519", "ecdsa-sha2-nistp256", ...
  std::string blob;  // the raw key as the server sent it
  std::string fingerprint() const;  // "SHA256:..."
};

// TCP connect and SSH handshake only, within target.connect_timeout_seconds: no login, nothing checked against
// known_hosts. kUnreachable when there is no SSH server to ask; kProtocol for anything else.
Result<ServerHostKey> fetch_host_key(const SshTarget& target);

enum class KnownHostState { kKnown, kUnknown, kChanged };
// What target.known_hosts (a missing file: nothing) says of this key for target's address and port.
KnownHostState known_host_state(const SshTarget& target, const ServerHostKey& key);

// Appends the key to target.known_hosts (created, with its folder, when missing) under an exclusive lock, unless an
// equal entry is already there. A different key recorded for the host is refused (kHostKeyRefused): nothing is
// written then.
Status record_host_key(const SshTarget& target, const ServerHostKey& key);

}  // namespace dli
