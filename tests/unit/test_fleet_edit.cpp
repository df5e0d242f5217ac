#include "dli/config/fleet_edit.hpp"

#include <string>

#include <gtest/gtest.h>

namespace dli {
namespace {

NewSshHost new_host() {
  NewSshHost host;
  host.name = "jetson-2";
  host.address = "10.0.0.7";
  host.user = "bench";
  host.key_file = "~/.ssh/dli_ed25519";
  return host;
}

std::string edited(const std::string& text, const NewSshHost& host = new_host()) {
  auto result = append_host_entry(text, host);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? result.value() : "";
}

TEST(FleetEdit, AppendsAfterTheLastEntryKeepingCommentsAndWhatFollows) {
  const std::string text =
      "# The lab's machines\n"
      "store: ftp://store.lab/dli   # shared\n"
      "hosts:\n"
      "  - name: local   # this machine\n"
      "    kind: local\n"
      "\n"
      "  # the Jetson\n"
      "  - name: jetson-1\n"
      "    kind: ssh\n"
      "    address: 10.0.0.6\n"
      "    user: bench\n"
      "\n"
      "# Who hears of failures\n"
      "notify:\n"
      "  mail_to: [lab@example.org]\n";
  EXPECT_EQ(edited(text),
            "# The lab's machines\n"
            "store: ftp://store.lab/dli   # shared\n"
            "hosts:\n"
            "  - name: local   # this machine\n"
            "    kind: local\n"
            "\n"
            "  # the Jetson\n"
            "  - name: jetson-1\n"
            "    kind: ssh\n"
            "    address: 10.0.0.6\n"
            "    user: bench\n"
            "  - name: jetson-2\n"
            "    kind: ssh\n"
            "    address: 10.0.0.7\n"
            "    user: bench\n"
            "    key_file: ~/.ssh/dli_ed25519\n"
            "\n"
            "# Who hears of failures\n"
            "notify:\n"
            "  mail_to: [lab@example.org]\n");
}

TEST(FleetEdit, FollowsTheEntriesIndentationAndWritesOnlyWhatDiffersFromDefaults) {
  NewSshHost host = new_host();
  host.port = 2222;
  host.key_file.clear();
  host.use_agent = true;
  host.known_hosts = "/etc/dli/known_hosts";
  host.agent_path = "/opt/dli/bin/dli-agent";
  host.work_dir = "/var/tmp/dli";
  host.connect_timeout = 2.5;
  EXPECT_EQ(edited("hosts:\n- name: a\n  kind: local\n", host),
            "hosts:\n- name: a\n  kind: local\n"
            "- name: jetson-2\n  kind: ssh\n  address: 10.0.0.7\n  port: 2222\n  user: bench\n  use_agent: true\n"
            "  known_hosts: /etc/dli/known_hosts\n  connect_timeout: 2.5\n  agent_path: /opt/dli/bin/dli-agent\n"
            "  work_dir: /var/tmp/dli\n");
  EXPECT_EQ(edited("hosts:    # ours\n    -   name: a\n        kind: local\n"),
            "hosts:    # ours\n    -   name: a\n        kind: local\n"
            "    -   name: jetson-2\n        kind: ssh\n        address: 10.0.0.7\n        user: bench\n"
            "        key_file: ~/.ssh/dli_ed25519\n");
}

TEST(FleetEdit, AFileWithoutAFinalNewlineGetsOneBeforeTheEntry) {
  EXPECT_EQ(edited("hosts:\n  - name: a\n    kind: local"),
            "hosts:\n  - name: a\n    kind: local\n  - name: jetson-2\n    kind: ssh\n    address: 10.0.0.7\n"
            "    user: bench\n    key_file: ~/.ssh/dli_ed25519\n");
  EXPECT_EQ(edited("hosts:\n  - name: a\n    kind: local\nparallel: 4"),
            "hosts:\n  - name: a\n    kind: local\n  - name: jetson-2\n    kind: ssh\n    address: 10.0.0.7\n"
            "    user: bench\n    key_file: ~/.ssh/dli_ed25519\nparallel: 4");
}

TEST(FleetEdit, QuotesValuesThatWouldNotReadBackAsTheSameString) {
  EXPECT_EQ(yaml_scalar("10.0.0.7"), "10.0.0.7");
  EXPECT_EQ(yaml_scalar("~/.ssh/id"), "~/.ssh/id");
  EXPECT_EQ(yaml_scalar("yes"), "\"yes\"");
  EXPECT_EQ(yaml_scalar("~"), "\"~\"");
  EXPECT_EQ(yaml_scalar("/keys/my key #1"), "\"/keys/my key #1\"");
  EXPECT_EQ(yaml_scalar("-x"), "\"-x\"");
  EXPECT_EQ(yaml_scalar("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(yaml_scalar(""), "\"\"");
}

TEST(FleetEdit, RefusesWhatItCannotEditAsText) {
  EXPECT_FALSE(append_host_entry("hosts: [{name: a, kind: local}]\n", new_host()).ok());
  EXPECT_FALSE(append_host_entry("parallel: 4\n", new_host()).ok());
  EXPECT_FALSE(append_host_entry("  hosts:\n  - name: a\n", new_host()).ok());
  NewSshHost broken = new_host();
  broken.user = "bench\nkind: local";
  EXPECT_FALSE(append_host_entry("hosts:\n  - name: a\n    kind: local\n", broken).ok());
}

}  // namespace
}  // namespace dli
