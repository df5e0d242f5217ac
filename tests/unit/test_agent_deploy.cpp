// hosts deploy's parts through the local host shell: the same commands run on an SSH host.
#include "dli/integrator/agent_deploy.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;

std::string executable(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.write(name, text);
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

TEST(AgentDeploy, PlanCopiesTheRunnersBesideTheAgentThenTheAgent) {
  TempDir dir;
  const std::string agent = executable(dir, "build/dli-agent", "agent");
  executable(dir, "build/dli-run-null", "null runner");
  executable(dir, "src/dli-run-pytorch", "#!/bin/sh\n");
  fs::create_symlink(dir.str("src/dli-run-pytorch"), dir.str("build/dli-run-pytorch"));
  const DeployPlan plan = deploy_plan(agent, "/opt/dli/bin/dli-agent");
  ASSERT_EQ(plan.files.size(), 2u);
  EXPECT_EQ(plan.files[0].local, dir.str("build/dli-run-null"));
  EXPECT_EQ(plan.files[0].remote, "/opt/dli/bin/dli-run-null");
  EXPECT_EQ(plan.files[1].local, agent);
  EXPECT_EQ(plan.files[1].remote, "/opt/dli/bin/dli-agent");
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_NE(plan.skipped[0].find("dli-run-pytorch"), std::string::npos);
}

TEST(AgentDeploy, FilesArriveWholeAndExecutableInAFolderMadeForThem) {
  TempDir dir;
  std::string bytes(300000, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  const std::string local = dir.write("here/dli-agent", bytes);
  const std::string remote = dir.str("there/with space/dli-agent");
  auto shell = make_local_shell();
  const Status copied = deploy_files(*shell, {{local, remote}});
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  EXPECT_EQ(read_file(remote), bytes);
  struct stat info {};
  ASSERT_EQ(::stat(remote.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0755u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.str("there/with space")), fs::directory_iterator()), 1)
      << "no temporary file left";
}

TEST(AgentDeploy, AnUnwritableTargetIsAnErrorThatNamesIt) {
  TempDir dir;
  const std::string local = dir.write("dli-agent", "agent");
  dir.write("file", "a file, not a folder");
  auto shell = make_local_shell();
  const Status copied = deploy_files(*shell, {{local, dir.str("file/dli-agent")}});
  ASSERT_FALSE(copied.ok());
  EXPECT_NE(copied.error().message.find(dir.str("file/dli-agent")), std::string::npos) << copied.error().message;
}

TEST(AgentDeploy, VersionIsTheLastWordOfTheAgentsAnswer) {
  TempDir dir;
  auto shell = make_local_shell();
  const std::string agent = executable(dir, "dli-agent", "#!/bin/sh\necho \"dli-agent 9.8.7\"\n");
  auto version = remote_agent_version(*shell, agent);
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(version.value(), "9.8.7");

  auto missing = remote_agent_version(*shell, dir.str("nothing-here"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kAgentMissing);
  EXPECT_NE(missing.error().message.find("no executable"), std::string::npos) << missing.error().message;

  const std::string broken = executable(dir, "broken", "#!/bin/sh\necho 'error while loading shared libraries' >&2\nexit 127\n");
  auto failed = remote_agent_version(*shell, broken);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::kAgentMissing);
  EXPECT_NE(failed.error().message.find("shared libraries"), std::string::npos) << failed.error().message;
}

}  // namespace
}  // namespace dli
