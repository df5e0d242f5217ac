#pragma once
// Where an SSH server is, as whom to log in, and which host keys to trust: a fleet host's entry (config) and the
// sftp:// store's side channel (store) both connect through SshSession with one of these.
#include <string>

namespace dli {

struct SshTarget {
  std::string address;  // IP address or DNS name
  int port = 22;
  std::string user;
  std::string key_file;     // private key (ed25519 or ECDSA; RSA is refused by OpenSSH >= 8.8 with libssh2 1.10)
  std::string public_key_file;  // empty: key_file + ".pub" when readable, else derived from the private key
  bool use_agent = false;   // authenticate with the identities of ssh-agent instead of key_file
  std::string agent_socket;  // ssh-agent's socket when use_agent; empty: $SSH_AUTH_SOCK
  // Tried after the key or agent, or alone without either. Never from a fleet file: a store passes its
  // credentials here.
  std::string password;
  std::string known_hosts;  // OpenSSH known_hosts file holding the host's key
  bool trust_on_first_use = false;  // an unknown host key is recorded in known_hosts; a changed one is still refused
  double connect_timeout_seconds = 10;  // TCP connect + SSH handshake + authentication
};

}  // namespace dli
