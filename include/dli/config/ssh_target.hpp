#pragma once
// How to reach an SSH host and which host key to trust: part of a fleet entry, used by the remote shells.
#include <string>

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

}  // namespace dli
