#pragma once
// Test support: N namespace hosts each running sshd, one client key authorized everywhere, and a known_hosts
// file listing them all: the starting point of the SSH integration tests.
#include <memory>
#include <string>
#include <vector>

#include "dli/ssh/ssh_target.hpp"
#include "support/netns_sshd.hpp"
#include "support/netns_testbed.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

class SshTestFleet {
 public:
  explicit SshTestFleet(int hosts, int port = 22) : bed_(hosts) {
    key_ = make_client_key(dir_.str(), "client_ed25519");
    known_hosts_ = dir_.str("known_hosts");
    dir_.write("known_hosts", "");
    for (int i = 0; i < hosts; ++i) {
      sshds_.push_back(std::make_unique<NetnsSshd>(bed_, i, key_, port));
      sshds_.back()->write_known_hosts(known_hosts_);
    }
  }
  ~SshTestFleet() { sshds_.clear(); }  // sshd before the namespaces (the test bed goes last)

  // A target that connects to host `i` as this user with the client key, checking known_hosts strictly.
  SshTarget target(int i) const {
    SshTarget target;
    target.address = bed_.host(i).address;
    target.port = sshd(i).port();
    target.user = sshd(i).user();
    target.key_file = key_.private_key;
    target.known_hosts = known_hosts_;
    target.connect_timeout_seconds = 5;
    return target;
  }

  NetnsTestbed& bed() { return bed_; }
  NetnsSshd& sshd(int i) const { return *sshds_.at(static_cast<std::size_t>(i)); }
  const TempDir& dir() const { return dir_; }
  const SshClientKey& key() const { return key_; }
  const std::string& known_hosts() const { return known_hosts_; }
  // Stops every sshd and removes the test bed; what is left over (empty when clean).
  std::string teardown() {
    sshds_.clear();
    return bed_.teardown();
  }

 private:
  TempDir dir_;
  NetnsTestbed bed_;
  SshClientKey key_;
  std::string known_hosts_;
  std::vector<std::unique_ptr<NetnsSshd>> sshds_;
};

}  // namespace dli::testing
