// `dli-integrator hosts add` onboarding a namespace host end to end, non-interactively: its key confirmed by
// --fingerprint, the agent deployed over SSH, `hosts check`, the fleet file edited with its comments intact.
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dli/util/version.hpp"
#include "support/process.hpp"
#include "support/ssh_test_fleet.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kPort = 2222;  // not 22: known_hosts must name the host "[address]:port"

const std::string kFleetText =
    "# The lab (this comment must survive the edit)\n"
    "hosts:\n"
    "  # the integrator's own machine\n"
    "  - name: local\n"
    "    kind: local   # no SSH\n"
    "\n"
    "# shared by every host\n"
    "parallel: 4\n";

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  return fields;
}

class HostsAdd : public ::testing::Test {
 protected:
  SshTestFleet fleet{1, kPort};
  TempDir work;

  void SetUp() override {
    work.write("fleet.yaml", kFleetText);
    fs::create_directories(work.str("store"));
  }
  std::string known_hosts() const { return work.str("known_hosts"); }
  std::string agent_path() const { return work.str("host-bin/dli-agent"); }

  // What `ssh-keygen -lf` says of the host's key: the fingerprint a person would compare.
  std::string real_fingerprint() const {
    const std::string line = work.write("host_key.pub", fleet.sshd(0).known_hosts_line());
    const auto listed = run_command("ssh-keygen -lf " + shell_quote(line));
    const auto fields = words(listed.output);
    return fields.size() > 1 ? fields[1] : "(ssh-keygen: " + listed.output + ")";
  }

  CommandOutput add(const std::string& fingerprint) const {
    const SshTarget target = fleet.target(0);
    return run_command(std::string(DLI_INTEGRATOR_EXE) + " hosts add new-host --fleet " +
                       shell_quote(work.str("fleet.yaml")) + " --address " + target.address + " --port " +
                       std::to_string(target.port) + " --user " + target.user + " --key " +
                       shell_quote(target.key_file) + " --known-hosts " + shell_quote(known_hosts()) +
                       " --agent-path " + shell_quote(agent_path()) + " --work-dir " +
                       shell_quote(work.str("agent-work")) + " --connect-timeout 5 --store " +
                       shell_quote("file://" + work.str("store")) + " --deploy" +
                       (fingerprint.empty() ? "" : " --fingerprint " + shell_quote(fingerprint)) + " </dev/null");
  }
};

TEST_F(HostsAdd, OnboardsAHostWithoutAnAgentEndToEnd) {
  ASSERT_FALSE(fs::exists(agent_path()));
  const std::string fingerprint = real_fingerprint();
  ASSERT_EQ(fingerprint.rfind("SHA256:", 0), 0u) << fingerprint;

  const auto added = add(fingerprint);
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find(fingerprint), std::string::npos) << added.output;

  // known_hosts gained the host's key, named as OpenSSH names a host on another port.
  const auto recorded = words(read_file(known_hosts()));
  const auto expected = words(fleet.sshd(0).known_hosts_line());
  ASSERT_GE(recorded.size(), 3u);
  EXPECT_EQ(recorded[0], "[" + fleet.target(0).address + "]:" + std::to_string(kPort));
  EXPECT_EQ(recorded[1], expected[1]);
  EXPECT_EQ(recorded[2], expected[2]);

  // The agent was copied whole, with the native runners beside it, and runs there (the check below ran it).
  EXPECT_EQ(read_file(agent_path()), read_file(DLI_AGENT_EXE));
  EXPECT_TRUE(fs::exists(work.str("host-bin/dli-run-null")));
  EXPECT_NE(added.output.find("(deployed)"), std::string::npos) << added.output;

  // The fleet file: the entry appended to `hosts:`, every comment and line kept.
  const SshTarget target = fleet.target(0);
  EXPECT_EQ(read_file(work.str("fleet.yaml")),
            "# The lab (this comment must survive the edit)\n"
            "hosts:\n"
            "  # the integrator's own machine\n"
            "  - name: local\n"
            "    kind: local   # no SSH\n"
            "  - name: new-host\n"
            "    kind: ssh\n"
            "    address: " + target.address + "\n"
            "    port: " + std::to_string(kPort) + "\n"
            "    user: " + target.user + "\n"
            "    key_file: " + target.key_file + "\n"
            "    known_hosts: " + known_hosts() + "\n"
            "    connect_timeout: 5\n"
            "    agent_path: " + agent_path() + "\n"
            "    work_dir: " + work.str("agent-work") + "\n"
            "\n"
            "# shared by every host\n"
            "parallel: 4\n");
  EXPECT_FALSE(fs::exists(work.str("fleet.yaml.dli-add")));

  // The summary of what the host has.
  EXPECT_NE(added.output.find("Added new-host"), std::string::npos) << added.output;
  EXPECT_NE(added.output.find("cpu:"), std::string::npos) << added.output;
  EXPECT_NE(added.output.find("memory:"), std::string::npos) << added.output;
  EXPECT_NE(added.output.find("agent:      " + std::string(kVersion)), std::string::npos) << added.output;
  EXPECT_NE(added.output.find("framework:  null"), std::string::npos) << added.output;

  const auto check = run_command(std::string(DLI_INTEGRATOR_EXE) + " hosts check " +
                                 shell_quote(work.str("fleet.yaml")) + " new-host --store " +
                                 shell_quote("file://" + work.str("store")));
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("== new-host (ssh): ok"), std::string::npos) << check.output;

  // Again: the name is taken now, and nothing changes.
  const auto again = add(fingerprint);
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("already"), std::string::npos) << again.output;
}

TEST_F(HostsAdd, AWrongOrUnconfirmedFingerprintIsRefusedWithNothingWritten) {
  const auto wrong = add("SHA256:l+pTM2YtgdggAhlSFfmu5ZsL80CKw/urHjTaFOEws2Q");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find(real_fingerprint()), std::string::npos) << "the offered key is shown\n" << wrong.output;

  // No --fingerprint and no terminal to ask on: refused the same way, saying what to pass.
  const auto unconfirmed = add("");
  EXPECT_EQ(unconfirmed.exit_code, 2) << unconfirmed.output;
  EXPECT_NE(unconfirmed.output.find("--fingerprint " + real_fingerprint()), std::string::npos) << unconfirmed.output;

  EXPECT_FALSE(fs::exists(known_hosts()));
  EXPECT_FALSE(fs::exists(agent_path()));
  EXPECT_EQ(read_file(work.str("fleet.yaml")), kFleetText);
  EXPECT_FALSE(fs::exists(work.str("fleet.yaml.dli-add")));
}

}  // namespace
}  // namespace dli::testing
