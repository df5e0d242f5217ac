// The network-namespace test bed itself: hosts come up reachable, and teardown removes exactly what it made.
#include "support/netns_testbed.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/netns_sshd.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {
namespace {

TEST(Testbed, ThreeHostsHaveTheirOwnAddressAndReachEachOtherAndTheRootNamespace) {
  TempDir dir;
  NetnsTestbed bed(3);
  ASSERT_EQ(bed.size(), 3);
  EXPECT_EQ(bed.prefix().rfind("dli-", 0), 0u);
  const SshClientKey key = make_client_key(dir.str(), "client");
  std::set<std::string> addresses;
  {
    std::vector<std::unique_ptr<NetnsSshd>> sshds;
    for (int i = 0; i < 3; ++i) {
      addresses.insert(bed.host(i).address);
      const CommandOutput shown = bed.exec_in(i, {"ip", "-o", "-4", "addr", "show", "dev", "eth0"});
      EXPECT_EQ(shown.exit_code, 0) << shown.output;
      EXPECT_NE(shown.output.find(bed.host(i).address + "/24"), std::string::npos) << shown.output;
      EXPECT_NE(bed.exec_in(i, {"ip", "-o", "link", "show", "lo"}).output.find("UP"), std::string::npos);
      sshds.push_back(std::make_unique<NetnsSshd>(bed, i, key));  // starting checks it is reachable from here
    }
    // Host to host, across the bridge: host 0 reads host 2's SSH banner.
    const CommandOutput banner =
        bed.exec_in(0, {"bash", "-c", "exec 3<>/dev/tcp/" + bed.host(2).address + "/22 && head -c 8 <&3"});
    EXPECT_EQ(banner.output, "SSH-2.0-") << banner.output;
    // A namespace sees only its own addresses: the root namespace's eth0 address is not there.
    EXPECT_EQ(bed.exec_in(1, {"ip", "-o", "-4", "addr"}).output.find(bed.host(0).address), std::string::npos);
  }
  EXPECT_EQ(addresses.size(), 3u);
  EXPECT_EQ(bed.teardown(), "");
}

TEST(Testbed, ParallelTestBedsDifferAndTeardownRemovesOnlyItsOwn) {
  NetnsTestbed first(2);
  NetnsTestbed second(1);
  EXPECT_NE(first.prefix(), second.prefix());
  EXPECT_NE(first.subnet(), second.subnet());
  EXPECT_NE(first.leftovers(), "");

  const CommandOutput sleeper = first.exec_in(0, {"sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"});
  const int pid = std::stoi(sleeper.output);
  ASSERT_GT(pid, 0);

  EXPECT_EQ(first.teardown(), "");
  EXPECT_EQ(first.leftovers(), "");
  EXPECT_NE(second.leftovers().find(second.host(0).netns), std::string::npos) << "the other test bed is untouched";
  EXPECT_EQ(second.exec_in(0, {"true"}).exit_code, 0);
  EXPECT_EQ(run_command("tr '\\0' ' ' < /proc/" + std::to_string(pid) + "/cmdline 2>/dev/null").output.find("sleep"),
            std::string::npos)
      << "a process left inside a removed namespace";
  EXPECT_EQ(first.teardown(), "") << "teardown is idempotent";
}

TEST(Testbed, TheRootNamespaceGetsAnAddressOnTheBridge) {
  NetnsTestbed bed(1);
  const CommandOutput shown = run_command("ip -o -4 addr show dev " + bed.bridge());
  EXPECT_NE(shown.output.find(bed.root_address() + "/24"), std::string::npos) << shown.output;
  EXPECT_EQ(bed.subnet(), bed.root_address().substr(0, bed.root_address().rfind('.')) + ".0/24");
}

TEST(Testbed, GuardianRemovesTheTestBedOfAProcessKilledBeforeTeardown) {
  int ends[2];
  ASSERT_EQ(::pipe(ends), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ends[0]);
    try {
      NetnsTestbed doomed(2);
      (void)!::write(ends[1], doomed.prefix().data(), doomed.prefix().size());
      ::raise(SIGKILL);  // while it exists: no destructor, no teardown
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(ends[1]);
  char prefix[32] = {};
  const ssize_t got = ::read(ends[0], prefix, sizeof prefix - 1);
  ::close(ends[0]);
  ::waitpid(child, nullptr, 0);
  ASSERT_GT(got, 0) << "the child could not make its test bed";
  const std::string name = std::string(prefix) + "-";
  // The guardian removes the bridge last, a second after the namespaces: it must still be there now.
  EXPECT_NE(run_command("ip -o link").output.find(name + "br"), std::string::npos) << "nothing to clean: void test";
  std::string left;
  for (int i = 0; i < 100; ++i) {
    left.clear();
    std::istringstream lines(run_command("ip netns list; ip -o link").output);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(name) != std::string::npos) left += line + "\n";
    }
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(left, "");
}

}  // namespace
}  // namespace dli::testing
