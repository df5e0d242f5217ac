#pragma once
// Host key verification for SshSession: an OpenSSH known_hosts file, optionally trust on first use. The one
// check for every SSH connection we open ourselves, to fleet hosts and to sftp:// stores alike.
#include <libssh2.h>

#include <string>

#include "dli/ssh/ssh_target.hpp"
#include "dli/util/result.hpp"

namespace dli::ssh_detail {

// Host key algorithms for the handshake, the types known_hosts already holds for this host first: libssh2 would
// otherwise pick its own favourite (ECDSA) and find no entry when known_hosts has only the host's ed25519 key.
// Empty when known_hosts says nothing about the host (libssh2's default order then applies).
std::string preferred_hostkey_methods(LIBSSH2_SESSION* session, const SshTarget& target);

// After the handshake: the server's key must match known_hosts. An unknown key is recorded when the target
// allows trust on first use; a changed key is always refused. Errors are ErrorKind::kHostKeyRefused.
Status verify_host_key(LIBSSH2_SESSION* session, const SshTarget& target);

// OpenSSH's name of a LIBSSH2_HOSTKEY_TYPE_* ("ssh-ed25519"), or nullptr for a type we do not know.
const char* hostkey_method_name(int hostkey_type);

}  // namespace dli::ssh_detail
