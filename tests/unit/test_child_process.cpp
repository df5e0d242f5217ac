// run_child: exit codes, signals, timeouts that kill the whole process group, output capture, spawn failures.
#include "dli/util/child_process.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace dli {
namespace {

using testing::TempDir;

ChildOptions shell(const std::string& script) {
  ChildOptions options;
  options.argv = {"/bin/sh", "-c", script};
  return options;
}

// Gone, or a zombie waiting for a reaper that is not us: either way it runs no more.
bool process_gone(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

bool gone_within(int pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

int read_pid(const std::string& path) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::ifstream in(path);
    int pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

TEST(ChildProcess, ReportsTheExitCode) {
  const ChildOutcome ok = run_child(shell("exit 0"));
  EXPECT_EQ(ok.kind, ChildOutcome::Kind::kExited);
  EXPECT_EQ(ok.exit_code, 0);
  const ChildOutcome three = run_child(shell("exit 3"));
  EXPECT_EQ(three.kind, ChildOutcome::Kind::kExited);
  EXPECT_EQ(three.exit_code, 3);
  EXPECT_GE(three.wall_seconds, 0.0);
  EXPECT_LT(three.wall_seconds, 5.0);
}

TEST(ChildProcess, ReportsTheSignalThatKilledIt) {
  const ChildOutcome outcome = run_child(shell("kill -SEGV $$"));
  EXPECT_EQ(outcome.kind, ChildOutcome::Kind::kSignaled);
  EXPECT_EQ(outcome.signal, SIGSEGV);
}

TEST(ChildProcess, AppendsStdoutAndStderrToTheOutputFile) {
  TempDir dir;
  ChildOptions options = shell("echo to-stdout; echo to-stderr >&2");
  options.output_path = dir.str("out.log");
  ASSERT_EQ(run_child(options).exit_code, 0);
  ASSERT_EQ(run_child(options).exit_code, 0);
  EXPECT_EQ(testing::read_file(options.output_path), "to-stdout\nto-stderr\nto-stdout\nto-stderr\n");
}

TEST(ChildProcess, LeadsItsOwnProcessGroup) {
  TempDir dir;
  ChildOptions options = shell("echo $$ $(cut -d' ' -f5 /proc/$$/stat)");
  options.output_path = dir.str("out.log");
  ASSERT_EQ(run_child(options).exit_code, 0);
  std::istringstream words(testing::read_file(options.output_path));
  int pid = 0, group = 0;
  words >> pid >> group;
  EXPECT_GT(pid, 0);
  EXPECT_EQ(pid, group);
}

TEST(ChildProcess, InheritsNoDescriptorBeyondTheStandardThree) {
  TempDir dir;
  FILE* leaked = std::fopen(dir.str("parent-file").c_str(), "w");  // opened without close-on-exec
  ASSERT_NE(leaked, nullptr);
  ChildOptions options = shell("ls /proc/$$/fd");
  options.output_path = dir.str("out.log");
  const ChildOutcome outcome = run_child(options);
  std::fclose(leaked);
  ASSERT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(testing::read_file(options.output_path), "0\n1\n2\n");
}

TEST(ChildProcess, AddsExtraEnvironmentVariables) {
  TempDir dir;
  ChildOptions options = shell("echo \"$DLI_TEST_A/$HOME\"");
  options.output_path = dir.str("out.log");
  options.extra_env = {"DLI_TEST_A=alpha", "HOME=/nowhere"};
  ASSERT_EQ(run_child(options).exit_code, 0);
  EXPECT_EQ(testing::read_file(options.output_path), "alpha//nowhere\n");
}

TEST(ChildProcess, TimeoutKillsTheChildAndItsGrandchildren) {
  TempDir dir;
  const std::string pid_file = dir.str("grandchild.pid");
  ChildOptions options = shell("sleep 100 & echo $! > " + pid_file + "; sleep 100");
  options.timeout_seconds = 0.5;
  const ChildOutcome outcome = run_child(options);
  EXPECT_EQ(outcome.kind, ChildOutcome::Kind::kTimedOut);
  EXPECT_GE(outcome.wall_seconds, 0.5);
  EXPECT_LT(outcome.wall_seconds, 4.0);
  const int grandchild = read_pid(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(gone_within(grandchild, std::chrono::seconds(3))) << "grandchild " << grandchild << " survived";
}

TEST(ChildProcess, AChildIgnoringSigtermIsKilledAfterTheGrace) {
  ChildOptions options = shell("trap '' TERM; sleep 100");  // sleep inherits the ignored SIGTERM
  options.timeout_seconds = 0.3;
  options.kill_grace_seconds = 0.3;
  const ChildOutcome outcome = run_child(options);
  EXPECT_EQ(outcome.kind, ChildOutcome::Kind::kTimedOut);
  EXPECT_EQ(outcome.signal, SIGKILL);
  EXPECT_LT(outcome.wall_seconds, 3.0);
}

TEST(ChildProcess, BackgroundProcessesDoNotOutliveANormalExit) {
  TempDir dir;
  const std::string pid_file = dir.str("grandchild.pid");
  const ChildOutcome outcome = run_child(shell("sleep 100 & echo $! > " + pid_file + "; exit 0"));
  EXPECT_EQ(outcome.kind, ChildOutcome::Kind::kExited);
  const int grandchild = read_pid(pid_file);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(gone_within(grandchild, std::chrono::seconds(3))) << "grandchild " << grandchild << " survived";
}

TEST(ChildProcess, SpawnFailureSaysWhy) {
  ChildOptions missing;
  missing.argv = {"/nonexistent/dli-no-such-program", "x"};
  const ChildOutcome outcome = run_child(missing);
  EXPECT_EQ(outcome.kind, ChildOutcome::Kind::kSpawnFailed);
  EXPECT_EQ(outcome.error, "cannot execute /nonexistent/dli-no-such-program: No such file or directory");

  TempDir dir;
  ChildOptions not_executable;
  not_executable.argv = {dir.write("script.sh", "#!/bin/sh\nexit 0\n")};
  const ChildOutcome denied = run_child(not_executable);
  EXPECT_EQ(denied.kind, ChildOutcome::Kind::kSpawnFailed);
  EXPECT_NE(denied.error.find("Permission denied"), std::string::npos) << denied.error;

  ChildOptions unwritable = shell("exit 0");
  unwritable.output_path = dir.str("no/such/folder/out.log");
  const ChildOutcome no_output = run_child(unwritable);
  EXPECT_EQ(no_output.kind, ChildOutcome::Kind::kSpawnFailed);
  EXPECT_NE(no_output.error.find("out.log"), std::string::npos) << no_output.error;

  EXPECT_EQ(run_child(ChildOptions{}).kind, ChildOutcome::Kind::kSpawnFailed);
}

// RLIMIT_AS is set in the child alone, soft and hard (the test may not raise it back); `ulimit -v` shows KiB.
TEST(ChildProcess, LimitsTheChildsAddressSpaceAndNotItsParents) {
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &before), 0);
  TempDir dir;
  ChildOptions limited = shell("ulimit -S -v; ulimit -H -v");
  limited.output_path = dir.str("limits.txt");
  limited.address_space_limit_bytes = std::uint64_t{384} << 20;
  const ChildOutcome outcome = run_child(limited);
  ASSERT_EQ(outcome.kind, ChildOutcome::Kind::kExited) << outcome.error;
  EXPECT_EQ(outcome.exit_code, 0);
  std::ifstream in(dir.str("limits.txt"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "393216\n393216\n");

  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_cur);
  EXPECT_EQ(after.rlim_max, before.rlim_max);
}

// The affinity is set in the child alone, before exec: what the command itself reads is the given CPU.
TEST(ChildProcess, RestrictsTheChildToItsCpusAndNotItsParent) {
  cpu_set_t before;
  ASSERT_EQ(::sched_getaffinity(0, sizeof before, &before), 0);
  int first = 0;
  while (!CPU_ISSET(first, &before)) ++first;
  TempDir dir;
  ChildOptions pinned = shell("grep Cpus_allowed_list /proc/self/status");
  pinned.output_path = dir.str("cpus.txt");
  pinned.cpus = {first};
  const ChildOutcome outcome = run_child(pinned);
  ASSERT_EQ(outcome.kind, ChildOutcome::Kind::kExited) << outcome.error;
  EXPECT_EQ(outcome.exit_code, 0);
  std::ifstream in(dir.str("cpus.txt"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "Cpus_allowed_list:\t" + std::to_string(first) + "\n");

  cpu_set_t after;
  ASSERT_EQ(::sched_getaffinity(0, sizeof after, &after), 0);
  EXPECT_TRUE(CPU_EQUAL(&after, &before));
}

TEST(ChildProcess, CpusItCannotHaveAreASpawnFailure) {
  ChildOptions absent = shell("exit 0");
  absent.cpus = {1000};  // within cpu_set_t, but no machine this runs on has it
  const ChildOutcome outcome = run_child(absent);
  EXPECT_EQ(outcome.kind, ChildOutcome::Kind::kSpawnFailed);
  EXPECT_EQ(outcome.error, "cannot restrict /bin/sh to CPUs 1000: Invalid argument");
  absent.cpus = {-1};
  EXPECT_EQ(run_child(absent).error, "no such CPU: -1");
}

TEST(ChildProcess, FindsProgramsThroughPath) {
  ChildOptions options;
  options.argv = {"sh", "-c", "exit 4"};
  EXPECT_EQ(run_child(options).exit_code, 4);
}

TEST(ChildProcess, CallsOnTickWhileWaiting) {
  ChildOptions options = shell("sleep 0.6");
  int ticks = 0;
  options.tick_seconds = 0.1;
  options.on_tick = [&ticks] { ++ticks; };
  const ChildOutcome outcome = run_child(options);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_GE(ticks, 3);
  EXPECT_LE(ticks, static_cast<int>(outcome.wall_seconds / options.tick_seconds) + 1) << "not more often than asked";
}

TEST(ChildProcess, AThrowingOnTickKillsTheGroupBeforePropagating) {
  TempDir dir;
  const std::string pid_file = dir.str("child.pid");
  ChildOptions options = shell("echo $$ > " + pid_file + "; sleep 100");
  options.tick_seconds = 0.2;
  options.on_tick = [] { throw std::runtime_error("stop"); };
  EXPECT_THROW(run_child(options), std::runtime_error);
  const int child = read_pid(pid_file);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(gone_within(child, std::chrono::seconds(3)));
}

TEST(TailOfFile, KeepsTheLastLines) {
  TempDir dir;
  const std::string path = dir.write("log", "one\ntwo\nthree\nfour\n");
  EXPECT_EQ(tail_of_file(path, 2), "three\nfour");
  EXPECT_EQ(tail_of_file(path, 10), "one\ntwo\nthree\nfour");
  EXPECT_EQ(tail_of_file(dir.write("unterminated", "a\nb"), 1), "b");
  EXPECT_EQ(tail_of_file(dir.write("leading", "\nb\n"), 1), "b");
  EXPECT_EQ(tail_of_file(dir.write("empty", "")), "");
  EXPECT_EQ(tail_of_file(dir.str("missing")), "");
}

TEST(TailOfFile, KeepsTheLastBytesWithoutAPartialFirstLine) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  const std::string path = dir.write("log", text);
  const std::string tail = tail_of_file(path, 1000, 30);
  EXPECT_LE(tail.size(), 30u);
  EXPECT_EQ(tail.substr(0, 5), "line ");
  EXPECT_EQ(tail.substr(tail.size() - 8), "line 999");
  // One long line cut by the byte limit is kept (the end of it), never starting inside a UTF-8 character.
  const std::string long_line = dir.write("long", std::string(100, 'x') + "\xc3\xa9" + "tail\n");
  EXPECT_EQ(tail_of_file(long_line, 5, 5), "tail");
  EXPECT_EQ(tail_of_file(long_line, 5, 6), "tail");
  EXPECT_EQ(tail_of_file(long_line, 5, 7), "\xc3\xa9tail");
}

TEST(ExcerptOfFile, ASmallFileIsWholeALargeOneItsHeadAndTailInWholeLines) {
  TempDir dir;
  const FileExcerpt small = excerpt_of_file(dir.write("small", "one\ntwo\n"), 8, 8);
  EXPECT_EQ(small.head, "one\ntwo\n");
  EXPECT_EQ(small.tail, "");
  EXPECT_EQ(small.left_out, 0u);
  std::string text;
  for (int i = 0; i < 100; ++i) text += "line " + std::to_string(i) + "\n";  // 890 bytes
  const FileExcerpt large = excerpt_of_file(dir.write("large", text), 20, 20);
  EXPECT_EQ(large.head, "line 0\nline 1\n");  // "line 2\n" would pass 20 bytes
  EXPECT_EQ(large.tail, "line 98\nline 99");  // "line 97\n" would pass 20 bytes
  EXPECT_EQ(large.left_out, text.size() - large.head.size() - large.tail.size());
  EXPECT_EQ(excerpt_of_file(dir.str("missing"), 8, 8).head, "");
}


// The child starts in the parent's memory (clone with CLONE_VM): it must leave with every disposition at its default
// and nothing blocked, whatever the parent ignores, catches or blocks, and leave the parent's own as they were.
void count_signal(int) {}

std::string status_field(const std::string& status, const std::string& name) {
  const auto at = status.find("\n" + name + ":");
  if (at == std::string::npos) return "";
  const auto start = status.find_first_not_of(" \t", at + name.size() + 2);
  return status.substr(start, status.find('\n', start) - start);
}

TEST(ChildProcess, TheCommandGetsDefaultSignalsWhateverTheParentSetAndTheParentKeepsItsOwn) {
  TempDir dir;
  struct sigaction ignore {}, catcher {}, old_int {}, old_usr1 {};
  ignore.sa_handler = SIG_IGN;
  catcher.sa_handler = count_signal;
  ::sigaction(SIGINT, &ignore, &old_int);
  ::sigaction(SIGUSR1, &catcher, &old_usr1);
  sigset_t usr2, old_mask;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  ::pthread_sigmask(SIG_BLOCK, &usr2, &old_mask);

  ChildOptions options;
  options.argv = {"/bin/cat", "/proc/self/status"};
  options.output_path = dir.str("status");
  const ChildOutcome outcome = run_child(options);

  struct sigaction int_now {}, usr1_now {};
  ::sigaction(SIGINT, nullptr, &int_now);
  ::sigaction(SIGUSR1, nullptr, &usr1_now);
  sigset_t mask_now;
  ::pthread_sigmask(SIG_SETMASK, nullptr, &mask_now);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGUSR1, &old_usr1, nullptr);

  ASSERT_EQ(outcome.kind, ChildOutcome::Kind::kExited);
  ASSERT_EQ(outcome.exit_code, 0);
  const std::string status = testing::read_file(dir.str("status"));
  EXPECT_EQ(status_field(status, "SigIgn"), "0000000000000000") << status;
  EXPECT_EQ(status_field(status, "SigBlk"), "0000000000000000") << status;
  EXPECT_EQ(int_now.sa_handler, SIG_IGN);
  EXPECT_EQ(usr1_now.sa_handler, &count_signal);
  EXPECT_TRUE(sigismember(&mask_now, SIGUSR2));
  EXPECT_FALSE(sigismember(&mask_now, SIGTERM));
}

}  // namespace
// The waiting agent must not disturb the test it waits for: it sleeps until the child ends, a tick or a deadline
// (a pidfd in poll()), instead of waking up every few milliseconds to ask.
TEST(ChildProcess, WaitingForAChildWakesTheWaiterAlmostNever) {
  ChildOptions options;
  options.argv = {"/bin/sleep", "1"};
  options.timeout_seconds = 30;
  rusage before{};
  ASSERT_EQ(::getrusage(RUSAGE_THREAD, &before), 0);
  const ChildOutcome outcome = run_child(options);
  rusage after{};
  ASSERT_EQ(::getrusage(RUSAGE_THREAD, &after), 0);
  ASSERT_EQ(outcome.kind, ChildOutcome::Kind::kExited);
  EXPECT_GE(outcome.wall_seconds, 0.99);
  // Each sleep of the waiting thread is a voluntary context switch: polling every 1-20 ms made about 55 in a second.
  EXPECT_LE(after.ru_nvcsw - before.ru_nvcsw, 5);
}

}  // namespace dli
