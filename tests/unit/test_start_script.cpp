// The SSH start command's input: the store's secret, then the host's task list, in one stream. The script the
// integrator sends (remote_start_script) is run here by /bin/sh as sshd would, with a stand-in agent.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "dli/remote/host_shell.hpp"
#include "dli/remote/host_shell_ssh.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

// Runs the start script of `launch` with `input` as its stdin; waits for the stand-in agent's record of its
// arguments and environment.
std::string start_and_wait(const AgentLaunch& launch, const std::string& input, const std::string& record) {
  // `wait`: the local shell ends the command's process group when it exits, which sshd does not; the stand-in
  // agent ends at once anyway.
  auto ran = make_local_shell()->run({"/bin/sh", "-c", remote_start_script(launch) + "wait\n"}, input, 10);
  EXPECT_TRUE(ran.ok() && ran.value().exit_code == 0) << (ran.ok() ? ran.value().output : ran.error().message);
  std::string seen;
  for (int i = 0; i < 100 && seen.empty(); ++i) {
    ::usleep(20000);
    seen = testing::read_file(record);
  }
  return seen;
}

class StartScript : public ::testing::Test {
 protected:
  void SetUp() override {
    // Records its arguments, its standard input and the credentials file's content, as the agent would read them.
    agent = dir.write("agent.sh",
                      "#!/bin/sh\nd=\"$(dirname \"$0\")\"\ncat \"$DLI_CREDENTIALS_FILE\" > \"$d/secret.seen\" 2>/dev/null\n"
                      "cat > \"$d/stdin.seen\"\n"
                      "echo \"$@\" > \"$d/args.tmp\" && mv \"$d/args.tmp\" \"$d/args\"\n");
    ASSERT_EQ(::chmod(agent.c_str(), 0755), 0);
    launch.agent_exe = agent;
    launch.args = {"ftp://store/", "run1", "h1", dir.str("work dir")};
    launch.args.tasks_file = dir.str("work dir") + "/" + tasks_file_name("run1");
    // What a shell could trip on: quotes, a dollar, backquotes; and no final newline.
    launch.tasks_json = "{\"protocol\": 4, \"run_id\": \"run1\", \"host\": \"h1\", \"tests\": [\"it's $x `y`\"]}";
  }
  testing::TempDir dir;
  std::string agent;
  AgentLaunch launch;
};

TEST_F(StartScript, SecretAndTaskListArriveIntactFromOneStream) {
  launch.secret_netrc = "machine store login u password 'p w\"$'\nmachine other login v password q\n";
  const std::string args = start_and_wait(launch, launch.secret_netrc + launch.tasks_json, dir.str("args"));
  EXPECT_NE(args.find("--tasks-file - --detach"), std::string::npos) << args;
  EXPECT_EQ(testing::read_file(dir.str("stdin.seen")), launch.tasks_json) << "the task list is the agent's stdin";
  EXPECT_EQ(testing::read_file(dir.str("secret.seen")), launch.secret_netrc);
  struct stat info {};
  ASSERT_EQ(::stat((dir.str("work dir") + "/store-run1.netrc").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(StartScript, WithoutASecretTheWholeInputIsTheTaskList) {
  const std::string args = start_and_wait(launch, launch.tasks_json, dir.str("args"));
  EXPECT_NE(args.find("--tasks-file -"), std::string::npos) << args;
  EXPECT_EQ(testing::read_file(dir.str("stdin.seen")), launch.tasks_json);
}

TEST_F(StartScript, WithoutATaskListTheSecretIsTheWholeInput) {
  launch.tasks_json.clear();
  launch.args.tasks_file.clear();
  launch.secret_netrc = "machine store login u password p\n";
  const std::string args = start_and_wait(launch, launch.secret_netrc, dir.str("args"));
  EXPECT_EQ(args.find("--tasks-file"), std::string::npos) << args;
  EXPECT_EQ(testing::read_file(dir.str("secret.seen")), launch.secret_netrc);
  EXPECT_EQ(testing::read_file(dir.str("stdin.seen")), "") << "nothing of the start's input but the secret";
}

TEST_F(StartScript, AnOldWiderCredentialsFileIsReplacedNotReused) {
  launch.secret_netrc = "machine store login u password p\n";
  const std::string old_file = dir.write("work dir/store-run1.netrc", "machine old login o password o\nmore\n");
  ASSERT_EQ(::chmod(old_file.c_str(), 0644), 0);
  start_and_wait(launch, launch.secret_netrc + launch.tasks_json, dir.str("args"));
  EXPECT_EQ(testing::read_file(dir.str("secret.seen")), launch.secret_netrc);
  struct stat info {};
  ASSERT_EQ(::stat(old_file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace dli
