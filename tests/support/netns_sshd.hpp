#pragma once
// Test support: a real OpenSSH sshd inside one host of a NetnsTestbed, with its own ed25519 host key, accepting
// one client key for this process's user. Destroy it before the test bed.
#include <sys/types.h>

#include <string>

#include "support/netns_testbed.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

struct SshClientKey {
  std::string private_key;  // path
  std::string public_key;   // path (private_key + ".pub")
};
// `ssh-keygen -t TYPE` without passphrase into `dir`. Throws with ssh-keygen's output on failure.
SshClientKey make_client_key(const std::string& dir, const std::string& name, const std::string& type = "ed25519");

class NetnsSshd {
 public:
  // Starts it (throws with sshd's log if it does not listen within 5 s).
  NetnsSshd(const NetnsTestbed& bed, int host, const SshClientKey& authorized, int port = 22);
  ~NetnsSshd();
  NetnsSshd(const NetnsSshd&) = delete;
  NetnsSshd& operator=(const NetnsSshd&) = delete;

  void start();
  void stop();  // the listener only: sessions already open go on, as on a real host
  void regenerate_host_key();  // a new key, sshd restarted with it
  void authorize(const SshClientKey& key);  // one more accepted client key (sshd reads the file per login)
  void add_host_key(const std::string& type);  // e.g. "ecdsa": sshd then offers both; restarted with it
  bool running() const { return pid_ > 0; }

  const std::string& address() const { return address_; }
  int port() const { return port_; }
  const std::string& user() const { return user_; }
  pid_t pid() const { return pid_; }
  // "ADDR ssh-ed25519 AAAA... comment" ("[ADDR]:PORT ..." when PORT is not 22) for the host key of `type`.
  std::string known_hosts_line(const std::string& type = "ed25519") const;
  std::string write_known_hosts(const std::string& path) const;  // appends known_hosts_line(); returns path
  std::string log() const;

 private:
  std::string netns_;
  std::string address_;
  int port_;
  std::string user_;
  TempDir dir_;
  pid_t pid_ = -1;
};

}  // namespace dli::testing
