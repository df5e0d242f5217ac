// The SSH HostShell against real sshd hosts in network namespaces: the agent is a small shell script that
// records how it was started, then sleeps.
#include "dli/remote/host_shell_ssh.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dli/integrator/host_check.hpp"
#include "support/error_kind.hpp"
#include "support/ssh_test_fleet.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using testing::SshTestFleet;
using Clock = std::chrono::steady_clock;

// Records its arguments (one per line), its PID and its network namespace in the work dir, then waits.
constexpr char kAgentScript[] = R"(#!/bin/sh
for arg in "$@"; do
  if [ "$previous" = --work-dir ]; then work="$arg"; fi
  previous="$arg"
done
printf '%s\n' "$@" > "$work/args"
readlink /proc/self/ns/net > "$work/netns"
printf '%s' "${DLI_CREDENTIALS_FILE-unset}" > "$work/credentials_env"
echo started
echo $$ > "$work/pid.tmp" && mv "$work/pid.tmp" "$work/pid"
exec sleep 60
)";

std::string wait_for_file(const std::string& path, double seconds = 5) {
  const auto until = Clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (!std::filesystem::exists(path) && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return testing::read_file(path);
}

// Plain read(2): an ifstream throws when the process vanishes between open and read.
std::string read_proc_file(const std::filesystem::path& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  for (ssize_t got = 0; (got = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  return text;
}

// Exists and is not a zombie.
bool process_exists(int pid) {
  const std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  return !stat.empty() && stat.substr(stat.rfind(')') + 2, 1) != "Z";
}

// Every process's command line, as anyone on the host could read it.
// Processes come and go during the scan: errors are skipped, never thrown.
bool any_cmdline_contains(const std::string& text) {
  std::error_code error;
  for (std::filesystem::directory_iterator entry("/proc", error), end; !error && entry != end;
       entry.increment(error)) {
    const std::string name = entry->path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_proc_file(entry->path() / "cmdline").find(text) != std::string::npos) return true;
  }
  return false;
}

class SshSessionHostShell : public ::testing::Test {
 protected:
  std::string make_agent() const {
    const std::string path = work_.write("bin/fake-agent", kAgentScript);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }
  AgentLaunch launch(int host, const std::string& run_id) const {
    AgentLaunch launch;
    launch.agent_exe = make_agent();
    launch.args.store_url = "ftp://store.example/runs dir/it's; $(touch " + work_.str("pwned") + ")";
    launch.args.run_id = run_id;
    launch.args.host = "host" + std::to_string(host);
    launch.args.work_dir = work_.str("work/" + launch.args.host + " with space");
    return launch;
  }
  testing::TempDir work_;
};

TEST_F(SshSessionHostShell, StartAgentDetachesItAndWritesTheSecretPrivately) {
  SshTestFleet fleet(1);
  AgentLaunch agent = launch(0, "run-1");
  agent.secret_netrc = "machine store.example login bench password s3cr3t-" + fleet.bed().prefix() + "\n";
  auto shell = make_ssh_shell(fleet.target(0), SshShellOptions{0, 60, 30});

  // Watch every command line on the machine while the agent starts.
  std::atomic<bool> watching{true};
  std::atomic<bool> leaked{false};
  std::atomic<int> scans{0};
  std::thread watcher([&] {
    while (watching) {
      if (any_cmdline_contains("s3cr3t-")) leaked = true;
      ++scans;
    }
  });
  const auto start = Clock::now();
  const Status started = shell->start_agent(agent);
  const double took_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  ASSERT_TRUE(started.ok()) << started.error().message;

  const std::string pid_text = wait_for_file(agent.args.work_dir + "/pid");
  watching = false;
  watcher.join();
  std::printf("start_agent over SSH: %.1f ms; /proc scanned %d times meanwhile\n", took_ms, scans.load());
  EXPECT_FALSE(leaked) << "the secret appeared on a command line";
  EXPECT_GT(scans.load(), 0);
  ASSERT_FALSE(pid_text.empty());
  const int pid = std::stoi(pid_text);

  // The secret file: exact content, owner-only.
  const std::string netrc = agent.args.work_dir + "/" + credentials_file_name(agent.args.run_id);
  EXPECT_EQ(testing::read_file(netrc), agent.secret_netrc);
  struct stat info {};
  ASSERT_EQ(::stat(netrc.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(testing::read_file(agent.args.work_dir + "/credentials_env"), netrc) << "the agent is told where it is";

  // Arguments arrive unchanged, whatever quotes and shell syntax they hold, with --detach (the agent leaves the
  // command's session itself: LaunchBeforePublish checks the real agent does).
  AgentRunArgs detached = agent.args;
  detached.detach = true;
  const std::vector<std::string> argv = agent_argv(agent.agent_exe, detached);
  std::string expected_args;
  for (std::size_t i = 1; i < argv.size(); ++i) expected_args += argv[i] + "\n";
  EXPECT_EQ(testing::read_file(agent.args.work_dir + "/args"), expected_args);
  EXPECT_FALSE(std::filesystem::exists(work_.str("pwned")));
  EXPECT_EQ(wait_for_file(agent.args.work_dir + "/agent-run-1.out"), "started\n");

  // It ran "on" the host: in that host's network namespace.
  const auto host_netns = fleet.bed().exec_in(0, {"readlink", "/proc/self/ns/net"});
  EXPECT_EQ(testing::read_file(agent.args.work_dir + "/netns"), host_netns.output);

  EXPECT_EQ(shell->agent_alive(pid), std::optional<bool>(true));
  shell.reset();  // closes every SSH connection of the shell
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_TRUE(process_exists(pid)) << "the agent did not outlive the SSH session";

  auto watcher_shell = make_ssh_shell(fleet.target(0), SshShellOptions{0, 60, 30});
  EXPECT_EQ(watcher_shell->agent_alive(pid), std::optional<bool>(true));
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100 && process_exists(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(watcher_shell->agent_alive(pid), std::optional<bool>(false));

  // Started again with a new secret: the file is replaced, still 0600.
  agent.secret_netrc = "machine store.example login bench password other\n";
  ::chmod(netrc.c_str(), 0644);
  ASSERT_TRUE(watcher_shell->start_agent(agent).ok());
  EXPECT_EQ(testing::read_file(netrc), agent.secret_netrc);
  ASSERT_EQ(::stat(netrc.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(fleet.teardown(), "");
}

TEST_F(SshSessionHostShell, AgentAliveIsUnknowableWhileTheHostCannotBeReached) {
  SshTestFleet fleet(1);
  auto shell = make_ssh_shell(fleet.target(0), SshShellOptions{0, 60, 30});
  EXPECT_EQ(shell->agent_alive(1), std::optional<bool>(true));  // init exists on every host
  fleet.sshd(0).stop();
  // The kept connection still works (sshd's session process lives on); a new shell cannot connect.
  EXPECT_EQ(shell->agent_alive(1), std::optional<bool>(true));
  auto fresh = make_ssh_shell(fleet.target(0), SshShellOptions{0, 60, 30});
  const auto start = Clock::now();
  EXPECT_EQ(fresh->agent_alive(1), std::nullopt);
  EXPECT_EQ(fresh->agent_alive(1), std::nullopt);  // and does not try again at once
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 2.0);
  EXPECT_EQ(shell->agent_alive(0), std::nullopt);  // no such PID to ask about
}

TEST_F(SshSessionHostShell, AgentAliveReconnectsWhenTheServerDroppedTheKeptConnection) {
  SshTestFleet fleet(1);
  auto shell = make_ssh_shell(fleet.target(0), SshShellOptions{0, 60, 30});
  EXPECT_EQ(shell->agent_alive(1), std::optional<bool>(true));
  // End the sshd processes serving that connection (every process in the host but the listener).
  std::istringstream pids(testing::run_command("ip netns pids " + fleet.bed().host(0).netns).output);
  int ended = 0;
  for (int pid = 0; pids >> pid;) {
    if (pid != fleet.sshd(0).pid() && ::kill(pid, SIGTERM) == 0) ++ended;
  }
  EXPECT_GT(ended, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(shell->agent_alive(1), std::optional<bool>(true));
}

TEST_F(SshSessionHostShell, MissingAgentIsReportedAsAgentMissing) {
  SshTestFleet fleet(1);
  AgentLaunch agent = launch(0, "run-2");
  agent.agent_exe = "/opt/nowhere/dli-agent";
  agent.secret_netrc = "machine x login y password z\n";
  auto shell = make_ssh_shell(fleet.target(0));
  const Status started = shell->start_agent(agent);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message, "/opt/nowhere/dli-agent not found (or not executable) on host0 (" +
                                         fleet.bed().host(0).address + ")");
  EXPECT_EQ(started.error().kind, ErrorKind::kAgentMissing);
  EXPECT_EQ(to_string(host_state_of(started.error())), "agent-missing");
  EXPECT_FALSE(std::filesystem::exists(agent.args.work_dir + "/" + credentials_file_name(agent.args.run_id)))
      << "no secret left for an agent that is not there";

  // Without a secret, no file and no variable.
  AgentLaunch plain = launch(0, "run-2b");
  ASSERT_TRUE(shell->start_agent(plain).ok());
  EXPECT_FALSE(wait_for_file(plain.args.work_dir + "/pid").empty());
  EXPECT_EQ(testing::read_file(plain.args.work_dir + "/credentials_env"), "unset");
  EXPECT_FALSE(std::filesystem::exists(plain.args.work_dir + "/" + credentials_file_name(plain.args.run_id)));

  agent.agent_exe = work_.str("bin");  // a directory is not an agent either
  make_agent();
  EXPECT_EQ(shell->start_agent(agent).error().kind, ErrorKind::kAgentMissing);
}

TEST_F(SshSessionHostShell, FailuresCarryTheStateTheIntegratorReports) {
  SshTestFleet fleet(1);
  SshTarget unknown_key = fleet.target(0);
  unknown_key.known_hosts = fleet.dir().write("empty", "");
  SshTarget wrong_key = fleet.target(0);
  wrong_key.key_file = testing::make_client_key(fleet.dir().str(), "stranger").private_key;
  SshTarget silent = fleet.target(0);
  silent.address = fleet.bed().silent_address();
  silent.connect_timeout_seconds = 1;

  const AgentLaunch agent = launch(0, "run-3");
  const auto state_of_start = [&](const SshTarget& target) {
    return to_string(host_state_of(make_ssh_shell(target)->start_agent(agent).error()));
  };
  EXPECT_EQ(state_of_start(unknown_key), "host-key-refused");
  EXPECT_EQ(state_of_start(wrong_key), "auth-failed");
  EXPECT_EQ(state_of_start(silent), "unreachable");
  auto ran = make_ssh_shell(wrong_key)->run({"true"}, "", 10);
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(to_string(host_state_of(ran.error())), "auth-failed");
}

TEST_F(SshSessionHostShell, RunQuotesArgumentsAndReturnsExitCodeAndOutput) {
  SshTestFleet fleet(1);
  auto shell = make_ssh_shell(fleet.target(0));
  auto ran = shell->run({"sh", "-c", "printf '%s|' \"$@\"; cat; echo oops >&2; exit 4", "sh", "a b", "it's", "$HOME", ";"},
                        "from stdin|", 10);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(ran.value().exit_code, 4);
  EXPECT_EQ(ran.value().output, "a b|it's|$HOME|;|from stdin|oops\n");

  auto slow = shell->run({"sleep", "10"}, "", 0.5);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().kind, ErrorKind::kTimedOut) << slow.error().message;
}

TEST_F(SshSessionHostShell, StartsThreeHostsFromThreeThreadsAtOnce) {
  SshTestFleet fleet(3);
  std::vector<std::unique_ptr<HostShell>> shells;
  std::vector<AgentLaunch> launches;
  for (int i = 0; i < 3; ++i) {
    shells.push_back(make_ssh_shell(fleet.target(i)));
    launches.push_back(launch(i, "run-parallel"));
    launches.back().secret_netrc = "machine store login host" + std::to_string(i) + " password p\n";
  }
  std::vector<Status> results(3);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] { results[i] = shells[i]->start_agent(launches[i]); });
  }
  for (auto& thread : threads) thread.join();
  std::printf("3 agents started over SSH from 3 threads: %.1f ms\n",
              std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  std::set<std::string> namespaces;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error().message;
    const std::string pid = wait_for_file(launches[i].args.work_dir + "/pid");
    ASSERT_FALSE(pid.empty());
    EXPECT_EQ(shells[i]->agent_alive(std::stoi(pid)), std::optional<bool>(true));
    namespaces.insert(testing::read_file(launches[i].args.work_dir + "/netns"));
    EXPECT_EQ(testing::read_file(launches[i].args.work_dir + "/" + credentials_file_name(launches[i].args.run_id)), launches[i].secret_netrc);
  }
  EXPECT_EQ(namespaces.size(), 3u) << "each agent ran on its own host";
  shells.clear();
  EXPECT_EQ(fleet.teardown(), "") << "the agents and everything else are gone";
}

}  // namespace
}  // namespace dli
