// The local machine as a host: commands with input, and the agent start's failure reasons.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "dli/remote/host_shell.hpp"
#include "support/error_kind.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

TEST(HostShellLocal, RunPassesInputAndReturnsOutputAndExitCode) {
  auto shell = make_local_shell();
  auto ran = shell->run({"/bin/sh", "-c", "cat; echo ' err' >&2; exit 3"}, "secret-free input", 10);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(ran.value().exit_code, 3);
  EXPECT_EQ(ran.value().output, "secret-free input err\n");
}

TEST(HostShellLocal, RunOfAMissingProgramIsAnError) {
  auto ran = make_local_shell()->run({"/nonexistent/dli-agent", "describe"}, "", 10);
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("/nonexistent/dli-agent"), std::string::npos) << ran.error().message;
}

TEST(HostShellLocal, RunTimesOut) {
  auto ran = make_local_shell()->run({"/bin/sleep", "10"}, "", 0.3);
  ASSERT_FALSE(ran.ok());
  EXPECT_NE(ran.error().message.find("did not finish"), std::string::npos) << ran.error().message;
  EXPECT_EQ(ran.error().kind, ErrorKind::kTimedOut);
}

TEST(HostShellLocal, StartingAMissingAgentSaysAgentMissing) {
  testing::TempDir dir;
  AgentLaunch launch{"/nonexistent/dli-agent", {"file:///tmp/x", "run1", "local", dir.str("work")}};
  const Status started = make_local_shell()->start_agent(launch);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().kind, ErrorKind::kAgentMissing) << started.error().message;
  EXPECT_EQ(started.error().message, "/nonexistent/dli-agent is not an executable file");
}

TEST(HostShellLocal, StartedAgentRunsDetachedWithItsArguments) {
  testing::TempDir dir;
  // A stand-in agent that records its arguments: the real one is exercised by the end-to-end tests.
  const std::string fake_agent = dir.write("agent.sh", "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/args\"\n");
  ASSERT_EQ(::chmod(fake_agent.c_str(), 0755), 0);
  AgentLaunch launch{fake_agent, {"file:///tmp/x", "run1", "local", dir.str("work"), true}};
  ASSERT_TRUE(make_local_shell()->start_agent(launch).ok());
  std::string args;
  for (int i = 0; i < 100 && args.empty(); ++i) {
    ::usleep(20000);
    args = testing::read_file(dir.str("args"));
  }
  EXPECT_EQ(args, "run --store file:///tmp/x --run run1 --host local --work-dir " + dir.str("work") + " --redo\n");
}

}  // namespace
}  // namespace dli
