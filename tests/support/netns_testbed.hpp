#pragma once
// Test support: N "hosts" as network namespaces on a private bridge, reachable from this (root) namespace.
// Needs root. Every name starts with a prefix unique to this test bed ("dli-" + 6 random hex digits), so test
// processes running in parallel never collide, and teardown removes only what this test bed made.
// Namespaces share the filesystem and the PID space; only the network is separate.
// Should the test process die without teardown (abort, SIGKILL, a ctest timeout), a guardian process it started
// removes this test bed's namespaces and links, found by its prefix, and nothing else.
#include <string>
#include <vector>

#include "support/process.hpp"

namespace dli::testing {

struct TestbedHost {
  std::string netns;    // namespace name, e.g. "dli-3fa9c1-h0"
  std::string address;  // IPv4 address on the test bed's /24, e.g. "10.213.57.11"
};

class NetnsTestbed {
 public:
  // Throws std::runtime_error naming the failed command and its output (a test then fails, never skips).
  explicit NetnsTestbed(int hosts);
  ~NetnsTestbed();
  NetnsTestbed(const NetnsTestbed&) = delete;
  NetnsTestbed& operator=(const NetnsTestbed&) = delete;

  const std::string& prefix() const { return prefix_; }  // of every namespace and link made
  const std::string& bridge() const { return bridge_; }
  const std::string& root_address() const { return root_address_; }  // this namespace's address on the bridge
  const std::string& subnet() const { return subnet_; }              // e.g. "10.213.57.0/24"
  int size() const { return static_cast<int>(hosts_.size()); }
  const TestbedHost& host(int index) const { return hosts_.at(static_cast<std::size_t>(index)); }
  // An address on the subnet that no host answers (connecting to it times out or finds no route).
  std::string silent_address() const;

  // Runs argv inside host `index`'s namespace, waits, returns exit code and output.
  CommandOutput exec_in(int index, const std::vector<std::string>& argv) const;

  // Removes everything made (idempotent; the destructor calls it). Returns what could not be removed, if any.
  std::string teardown();
  // Names carrying this test bed's prefix still present (namespaces, links): empty after a clean teardown.
  std::string leftovers() const;

 private:
  void run(const std::string& command);  // throws with the command's output on failure
  void choose_subnet();
  void start_guardian();
  void dismiss_guardian();

  std::string prefix_;
  std::string bridge_;
  std::string subnet_base_;  // "10.213.57."
  std::string subnet_;
  std::string root_address_;
  std::vector<TestbedHost> hosts_;
  std::vector<std::string> made_namespaces_;
  std::vector<std::string> made_links_;  // root-side links: the bridge, veth ends not yet moved away
  int guardian_pipe_ = -1;
  int guardian_pid_ = -1;
};

}  // namespace dli::testing
