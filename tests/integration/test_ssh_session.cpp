// SshSession against real OpenSSH servers, each in its own network namespace (needs root).
#include "dli/ssh/ssh_session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dli/ssh/ssh_channel.hpp"
#include "support/error_kind.hpp"
#include "support/netns_sshd.hpp"
#include "support/process.hpp"
#include "support/ssh_test_fleet.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using testing::SshTestFleet;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

SshExecResult exec_ok(SshSession& session, const std::string& command, const std::string& input = "") {
  auto ran = session.exec(command, input, 20);
  if (!ran) throw std::runtime_error("exec failed: " + ran.error().message);
  return ran.value();
}

SshSession connect_ok(const SshTarget& target) {
  auto session = SshSession::connect(target);
  if (!session) throw std::runtime_error("connect failed: " + session.error().message);
  return std::move(session).value();
}

TEST(SshSession, EachOfThreeHostsAnswersOnItsOwnAddress) {
  SshTestFleet fleet(3);
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    SshSession session = connect_ok(fleet.target(i));
    const double connect_ms = seconds_since(start) * 1000;
    // SSH_CONNECTION is "client-ip client-port server-ip server-port": proof of which host answered.
    const SshExecResult result = exec_ok(session, "uname -n; echo \"$SSH_CONNECTION\"; echo hello");
    const double round_trip_ms = seconds_since(start) * 1000;
    EXPECT_EQ(result.exit_status, 0);
    EXPECT_NE(result.out.find(fleet.bed().host(i).address + " 22\n"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find(fleet.bed().root_address() + " "), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("\nhello\n"), std::string::npos) << result.out;
    EXPECT_TRUE(result.err.empty()) << result.err;
    const auto again = Clock::now();
    exec_ok(session, "true");
    const double exec_ms = seconds_since(again) * 1000;
    std::printf("host %d: connect %.1f ms, connect + exec %.1f ms, exec on the open session %.1f ms\n", i,
                connect_ms, round_trip_ms, exec_ms);
  }
  EXPECT_EQ(fleet.teardown(), "");
}

TEST(SshSession, CapturesExitStatusStdoutAndStderrSeparately) {
  SshTestFleet fleet(1);
  SshSession session = connect_ok(fleet.target(0));
  const SshExecResult result = exec_ok(session, "echo out; echo err >&2; exit 3");
  EXPECT_EQ(result.exit_status, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
  EXPECT_TRUE(result.exit_signal.empty());

  const SshExecResult killed = exec_ok(session, "kill -KILL $$");
  EXPECT_EQ(killed.exit_signal, "KILL");
  EXPECT_EQ(killed.exit_status, -1);
  EXPECT_TRUE(session.usable());
}

TEST(SshSession, StdinDataReachesTheCommandThenEof) {
  SshTestFleet fleet(1);
  SshSession session = connect_ok(fleet.target(0));
  EXPECT_EQ(exec_ok(session, "cat", "line one\nline two\n").out, "line one\nline two\n");
  EXPECT_EQ(exec_ok(session, "wc -c").out, "0\n");  // no data: EOF at once, the command does not hang

  // Larger than SSH's channel window: needs writing and reading interleaved.
  std::string big;
  for (int i = 0; big.size() < (3u << 20); ++i) big += "row " + std::to_string(i) + "\n";
  const SshExecResult echoed = exec_ok(session, "cat; echo done >&2", big);
  EXPECT_EQ(echoed.out.size(), big.size());
  EXPECT_TRUE(echoed.out == big);
  EXPECT_EQ(echoed.err, "done\n");

  // A command that ignores its input still ends.
  EXPECT_EQ(exec_ok(session, "echo ignored", big).out, "ignored\n");
}

TEST(SshSession, LargeStderrDoesNotStallTheCommand) {
  SshTestFleet fleet(1);
  SshSession session = connect_ok(fleet.target(0));
  const SshExecResult result = exec_ok(session, "head -c 3000000 /dev/zero | tr '\\0' x >&2; echo finished");
  EXPECT_EQ(result.err.size(), 3000000u);
  EXPECT_EQ(result.out, "finished\n");
}

TEST(SshSession, CommandTimeoutIsBoundedAndEndsTheSession) {
  SshTestFleet fleet(1);
  SshSession session = connect_ok(fleet.target(0));
  const auto start = Clock::now();
  auto ran = session.exec("sleep 10", "", 0.5);
  const double took = seconds_since(start);
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.error().kind, ErrorKind::kTimedOut) << ran.error().message;
  EXPECT_LT(took, 2.0);
  EXPECT_FALSE(session.usable());
  EXPECT_FALSE(session.exec("true", "", 5).ok());
}

TEST(SshSession, UnknownHostKeyIsRefused) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  target.known_hosts = fleet.dir().write("empty_known_hosts", "# nothing known yet\n");
  auto session = SshSession::connect(target);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kHostKeyRefused);
  EXPECT_EQ(session.error().message.rfind("unknown host key for " + target.address + ":22", 0), 0u)
      << session.error().message;
  EXPECT_NE(session.error().message.find("trust on first use"), std::string::npos);
  EXPECT_NE(session.error().message.find("ssh-ed25519 SHA256:"), std::string::npos);
  EXPECT_EQ(testing::read_file(target.known_hosts), "# nothing known yet\n");  // nothing recorded

  target.known_hosts = fleet.dir().str("missing_known_hosts");
  auto missing = SshSession::connect(target);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kHostKeyRefused);
}

TEST(SshSession, FingerprintInTheRefusalIsTheOneSshKeygenShows) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  target.known_hosts = fleet.dir().write("empty_known_hosts", "");
  auto session = SshSession::connect(target);
  ASSERT_FALSE(session.ok());
  const std::string line = fleet.sshd(0).known_hosts_line();
  const std::string pub = fleet.dir().write("host.pub", line.substr(line.find(' ') + 1));
  std::istringstream shown(testing::run_command("ssh-keygen -lf " + pub).output);  // "256 SHA256:xxx comment (ED25519)"
  std::string bits, fingerprint;
  shown >> bits >> fingerprint;
  ASSERT_EQ(fingerprint.rfind("SHA256:", 0), 0u) << shown.str();
  EXPECT_NE(session.error().message.find(fingerprint), std::string::npos) << session.error().message;
}

TEST(SshSession, TrustOnFirstUseRecordsTheKeyThenMatchesIt) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  target.known_hosts = fleet.dir().write("tofu_known_hosts", "# keep me\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
  target.trust_on_first_use = true;
  connect_ok(target);
  const std::string recorded = testing::read_file(target.known_hosts);
  const std::string expected = fleet.sshd(0).known_hosts_line();  // "ADDR ssh-ed25519 KEY comment"
  const std::string expected_key = expected.substr(0, expected.rfind(' '));
  EXPECT_EQ(recorded.rfind("# keep me\nother.example ssh-ed25519 AAAAC3Nza", 0), 0u) << recorded;
  EXPECT_NE(recorded.find("\n" + expected_key + " "), std::string::npos) << recorded;

  target.trust_on_first_use = false;  // now known: strict checking accepts it, and nothing more is written
  SshSession session = connect_ok(target);
  EXPECT_EQ(exec_ok(session, "echo ok").out, "ok\n");
  EXPECT_EQ(testing::read_file(target.known_hosts), recorded);
}

TEST(SshSession, NonStandardPortIsRecordedAndCheckedInBracketForm) {
  SshTestFleet fleet(1, 2222);
  SshTarget target = fleet.target(0);
  EXPECT_EQ(target.port, 2222);
  SshSession strict = connect_ok(target);  // the fleet's known_hosts holds "[ADDR]:2222 ..."
  const std::string connection = exec_ok(strict, "echo $SSH_CONNECTION").out;
  EXPECT_EQ(connection.substr(connection.rfind(' ')), " 2222\n");

  target.known_hosts = fleet.dir().write("tofu_known_hosts", "");
  target.trust_on_first_use = true;
  connect_ok(target);
  const std::string recorded = testing::read_file(target.known_hosts);
  EXPECT_EQ(recorded.rfind("[" + target.address + "]:2222 ssh-ed25519 ", 0), 0u) << recorded;
}

TEST(SshSession, HostWithSeveralKeysIsVerifiedByTheTypeKnownHostsHolds) {
  SshTestFleet fleet(1);
  fleet.sshd(0).add_host_key("ecdsa");
  SshTarget target = fleet.target(0);
  target.known_hosts = fleet.dir().write("probe_known_hosts", "");
  target.trust_on_first_use = true;  // records what libssh2 picks by itself
  connect_ok(target);
  std::printf("libssh2's own choice among ed25519 and ECDSA host keys: %s",
              testing::read_file(target.known_hosts).c_str());

  // OpenSSH's client records ed25519 first, hashed (HashKnownHosts yes, Debian's default): only that entry.
  for (const std::string type : {"ed25519", "ecdsa"}) {
    target.trust_on_first_use = false;
    target.known_hosts = fleet.dir().write("known_hosts_" + type, fleet.sshd(0).known_hosts_line(type));
    const auto hashed = testing::run_command("ssh-keygen -H -f " + testing::shell_quote(target.known_hosts));
    ASSERT_EQ(hashed.exit_code, 0) << hashed.output;
    ASSERT_EQ(testing::read_file(target.known_hosts).rfind("|1|", 0), 0u);
    auto session = SshSession::connect(target);
    EXPECT_TRUE(session.ok()) << type << ": " << session.error().message;
  }
}

TEST(SshSession, ChangedHostKeyIsRefusedEvenWithTrustOnFirstUse) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  connect_ok(target);
  const std::string before = testing::read_file(target.known_hosts);
  fleet.sshd(0).regenerate_host_key();
  for (const bool tofu : {false, true}) {
    target.trust_on_first_use = tofu;
    auto session = SshSession::connect(target);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.error().kind, ErrorKind::kHostKeyRefused);
    EXPECT_EQ(session.error().message.rfind("host key for " + target.address +
                                                ":22 changed (possible man-in-the-middle); known_hosts: " +
                                                target.known_hosts,
                                            0),
              0u)
        << session.error().message;
  }
  EXPECT_EQ(testing::read_file(target.known_hosts), before);
}

TEST(SshSession, WrongOrMissingKeyIsAuthFailed) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  const auto other = testing::make_client_key(fleet.dir().str(), "other_ed25519");
  target.key_file = other.private_key;
  auto rejected = SshSession::connect(target);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kAuthFailed) << rejected.error().message;
  EXPECT_NE(rejected.error().message.find(other.private_key), std::string::npos);

  target.key_file = fleet.dir().str("no_such_key");
  auto missing = SshSession::connect(target);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kAuthFailed) << missing.error().message;
  EXPECT_NE(missing.error().message.find("cannot read key file"), std::string::npos);

  // Without its .pub beside it, the public half is derived from the private key.
  target.key_file = fleet.dir().str("bare_key");
  std::filesystem::copy_file(fleet.key().private_key, target.key_file);
  EXPECT_TRUE(SshSession::connect(target).ok());
}

// The sftp:// store logs in with a key, a password, or a key then a password; these servers refuse passwords.
TEST(SshSession, PasswordIsTriedAfterARejectedKey) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  target.password = "not-the-password";
  EXPECT_TRUE(SshSession::connect(target).ok()) << "an accepted key needs no password";

  const auto other = testing::make_client_key(fleet.dir().str(), "other_ed25519");
  target.key_file = other.private_key;
  auto both = SshSession::connect(target);
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().kind, ErrorKind::kAuthFailed) << both.error().message;
  EXPECT_FALSE(both.error().transient);
  EXPECT_NE(both.error().message.find(other.private_key), std::string::npos) << both.error().message;
  EXPECT_NE(both.error().message.find("password was not accepted"), std::string::npos) << both.error().message;

  target.key_file.clear();
  auto alone = SshSession::connect(target);
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().kind, ErrorKind::kAuthFailed) << alone.error().message;
  EXPECT_NE(alone.error().message.find("password was not accepted"), std::string::npos) << alone.error().message;
  EXPECT_EQ(alone.error().message.find(other.private_key), std::string::npos) << "no key was tried";
}

TEST(SshSession, EcdsaKeyAuthenticates) {
  SshTestFleet fleet(1);
  const auto ecdsa = testing::make_client_key(fleet.dir().str(), "client_ecdsa", "ecdsa");
  SshTarget target = fleet.target(0);
  target.key_file = ecdsa.private_key;
  auto before = SshSession::connect(target);
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().kind, ErrorKind::kAuthFailed) << before.error().message;
  fleet.sshd(0).authorize(ecdsa);
  SshSession session = connect_ok(target);
  EXPECT_EQ(exec_ok(session, "echo ecdsa").out, "ecdsa\n");
}

TEST(SshSession, RsaKeyIsRefusedWithAHint) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  const auto rsa = testing::make_client_key(fleet.dir().str(), "client_rsa", "rsa");
  target.key_file = rsa.private_key;
  auto session = SshSession::connect(target);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kAuthFailed);
  EXPECT_NE(session.error().message.find("ed25519"), std::string::npos) << session.error().message;
}

TEST(SshSession, StoppedSshdIsUnreachableAtOnce) {
  SshTestFleet fleet(1);
  fleet.sshd(0).stop();
  const auto start = Clock::now();
  auto session = SshSession::connect(fleet.target(0));
  const double took = seconds_since(start);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kUnreachable);
  EXPECT_NE(session.error().message.find("refused"), std::string::npos) << session.error().message;
  EXPECT_TRUE(session.error().transient);
  EXPECT_LT(took, 5.0);
  std::printf("stopped sshd reported unreachable in %.1f ms\n", took * 1000);

  fleet.sshd(0).start();  // and back
  EXPECT_TRUE(SshSession::connect(fleet.target(0)).ok());
}

TEST(SshSession, SilentAddressIsUnreachableWithinTheConnectTimeout) {
  SshTestFleet fleet(1);
  SshTarget target = fleet.target(0);
  target.address = fleet.bed().silent_address();
  target.connect_timeout_seconds = 1.5;
  const auto start = Clock::now();
  auto session = SshSession::connect(target);
  const double took = seconds_since(start);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kUnreachable) << session.error().message;
  EXPECT_GE(took, 1.0);  // it waited (about) the timeout, not the kernel's two minutes
  EXPECT_LT(took, 2.5);
  std::printf("silent address reported unreachable in %.1f ms: %s\n", took * 1000, session.error().message.c_str());
}

TEST(SshSession, ListenerThatNeverSpeaksSshIsUnreachableWithinTheConnectTimeout) {
  SshTestFleet fleet(1);
  // A listener on this namespace's test bed address that never accepts: the kernel completes the TCP handshake
  // into its backlog, and nothing ever speaks SSH.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, fleet.bed().root_address().c_str(), &address.sin_addr);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t size = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);

  SshTarget target = fleet.target(0);
  target.address = fleet.bed().root_address();
  target.port = ntohs(address.sin_port);
  target.connect_timeout_seconds = 1.5;
  const auto start = Clock::now();
  auto session = SshSession::connect(target);
  const double took = seconds_since(start);
  ::close(listener);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().kind, ErrorKind::kUnreachable) << session.error().message;
  EXPECT_NE(session.error().message.find("handshake"), std::string::npos) << session.error().message;
  EXPECT_GE(took, 1.0);
  EXPECT_LT(took, 2.5);
}

TEST(SshSession, AuthenticatesThroughSshAgent) {
  SshTestFleet fleet(1);
  const std::string socket = fleet.dir().str("agent.sock");
  const pid_t agent = ::fork();
  ASSERT_GE(agent, 0);
  if (agent == 0) {
    ::execl("/usr/bin/ssh-agent", "ssh-agent", "-D", "-a", socket.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  struct Reaper {
    pid_t pid;
    ~Reaper() {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  } reaper{agent};
  for (int i = 0; i < 100 && !std::filesystem::exists(socket); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  SshTarget target = fleet.target(0);
  target.key_file.clear();
  target.use_agent = true;
  target.agent_socket = socket;

  auto empty = SshSession::connect(target);  // the agent holds nothing yet
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::kAuthFailed) << empty.error().message;

  const auto added = testing::run_command("SSH_AUTH_SOCK=" + testing::shell_quote(socket) + " ssh-add " +
                                          testing::shell_quote(fleet.key().private_key));
  ASSERT_EQ(added.exit_code, 0) << added.output;
  SshSession session = connect_ok(target);
  EXPECT_EQ(exec_ok(session, "echo via-agent").out, "via-agent\n");

  target.agent_socket = fleet.dir().str("no-agent.sock");
  auto unreachable_agent = SshSession::connect(target);
  ASSERT_FALSE(unreachable_agent.ok());
  EXPECT_EQ(unreachable_agent.error().kind, ErrorKind::kAuthFailed);
  EXPECT_NE(unreachable_agent.error().message.find("ssh-agent"), std::string::npos);
}

// The sftp:// store's side channel: SFTP's INIT answered by VERSION (draft 3: uint32 length, byte type, ...).
TEST(SshSession, SubsystemChannelCarriesBytesBothWays) {
  SshTestFleet fleet(1);
  SshSession session = connect_ok(fleet.target(0));
  auto channel = session.open_subsystem("sftp", 10);
  ASSERT_TRUE(channel.ok()) << channel.error().message;
  ASSERT_TRUE(channel.value().write(std::string("\0\0\0\5\1\0\0\0\3", 9), 10).ok());
  auto header = channel.value().read(4, 10);
  ASSERT_TRUE(header.ok()) << header.error().message;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(header.value()[i]); };
  const std::size_t size = (std::size_t{byte(0)} << 24) | (std::size_t{byte(1)} << 16) |
                           (std::size_t{byte(2)} << 8) | byte(3);
  ASSERT_GE(size, 5u);
  auto body = channel.value().read(size, 10);
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(body.value().substr(0, 5), std::string("\2\0\0\0\3", 5));  // SSH_FXP_VERSION 3
  EXPECT_NE(body.value().find("posix-rename@openssh.com"), std::string::npos);
  EXPECT_TRUE(session.usable());

  // Nothing more comes: a read is bounded by its timeout, and leaves the session unusable.
  const auto start = Clock::now();
  auto nothing = channel.value().read(1, 0.5);
  ASSERT_FALSE(nothing.ok());
  EXPECT_EQ(nothing.error().kind, ErrorKind::kTimedOut) << nothing.error().message;
  EXPECT_TRUE(nothing.error().transient);
  EXPECT_LT(seconds_since(start), 2.0);
  EXPECT_FALSE(session.usable());
  EXPECT_FALSE(channel.value().write("x", 1).ok());

  SshSession other = connect_ok(fleet.target(0));
  auto unknown = other.open_subsystem("no-such-subsystem", 10);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kProtocol) << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("no-such-subsystem"), std::string::npos) << unknown.error().message;
}

TEST(SshSession, SessionsInParallelThreads) {
  SshTestFleet fleet(3);
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(6);
  const auto start = Clock::now();
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      auto session = SshSession::connect(fleet.target(t % 3));
      if (!session) {
        outputs[static_cast<std::size_t>(t)] = session.error().message;
        return;
      }
      for (int k = 0; k < 5; ++k) {
        auto ran = session.value().exec("echo " + std::to_string(t), "", 10);
        outputs[static_cast<std::size_t>(t)] = ran ? ran.value().out : ran.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 6; ++t) EXPECT_EQ(outputs[static_cast<std::size_t>(t)], std::to_string(t) + "\n");
  std::printf("6 sessions x 5 commands on 3 hosts from 6 threads: %.1f ms\n", seconds_since(start) * 1000);
}

}  // namespace
}  // namespace dli
