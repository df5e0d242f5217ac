#include "support/netns_testbed.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dli::testing {
namespace {

std::string random_prefix() {
  std::random_device device;
  char text[16];
  std::snprintf(text, sizeof text, "dli-%06x", device() & 0xffffffu);
  return text;
}

// Held while a subnet is chosen and claimed: parallel test processes must not pick the same one.
class SubnetLock {
 public:
  SubnetLock() : fd_(::open("/tmp/dli-netns-testbed.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~SubnetLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  SubnetLock(const SubnetLock&) = delete;
  SubnetLock& operator=(const SubnetLock&) = delete;

 private:
  int fd_;
};

}  // namespace

NetnsTestbed::NetnsTestbed(int hosts) : prefix_(random_prefix()), bridge_(prefix_ + "-br") {
  if (::geteuid() != 0) throw std::runtime_error("NetnsTestbed needs root (network namespaces)");
  if (hosts < 1 || hosts > 200) throw std::runtime_error("NetnsTestbed: 1 to 200 hosts");
  try {
    start_guardian();
    choose_subnet();
    for (int i = 0; i < hosts; ++i) {
      const std::string index = std::to_string(i);
      TestbedHost host{prefix_ + "-h" + index, subnet_base_ + std::to_string(11 + i)};
      const std::string outside = prefix_ + "-v" + index;  // stays in this namespace, on the bridge
      const std::string inside = prefix_ + "-p" + index;   // moved into the host, renamed eth0
      run("ip netns add " + host.netns);
      made_namespaces_.push_back(host.netns);
      run("ip link add " + outside + " type veth peer name " + inside);
      made_links_.push_back(outside);
      made_links_.push_back(inside);
      run("ip link set " + inside + " netns " + host.netns);
      run("ip -n " + host.netns + " link set " + inside + " name eth0");
      run("ip -n " + host.netns + " addr add " + host.address + "/24 dev eth0");
      run("ip -n " + host.netns + " link set eth0 up");
      run("ip -n " + host.netns + " link set lo up");
      run("ip link set " + outside + " master " + bridge_);
      run("ip link set " + outside + " up");
      hosts_.push_back(host);
    }
  } catch (...) {
    teardown();
    throw;
  }
}

NetnsTestbed::~NetnsTestbed() { teardown(); }

void NetnsTestbed::run(const std::string& command) {
  const CommandOutput result = run_command(command);
  if (result.exit_code != 0) {
    throw std::runtime_error("test bed " + prefix_ + ": `" + command + "` exited with " +
                             std::to_string(result.exit_code) + ": " + result.output);
  }
}

void NetnsTestbed::choose_subnet() {
  SubnetLock lock;
  const std::string taken = run_command("ip -o -4 addr; ip -o -4 route").output;
  const unsigned seed = std::stoul(prefix_.substr(4), nullptr, 16);
  for (unsigned attempt = 0; attempt < 254; ++attempt) {
    const std::string base = "10.213." + std::to_string(1 + (seed + attempt) % 254) + ".";
    if (taken.find(base) != std::string::npos) continue;
    subnet_base_ = base;
    subnet_ = base + "0/24";
    root_address_ = base + "1";
    run("ip link add " + bridge_ + " type bridge");
    made_links_.push_back(bridge_);
    run("ip addr add " + root_address_ + "/24 dev " + bridge_);
    run("ip link set " + bridge_ + " up");
    return;
  }
  throw std::runtime_error("test bed: every 10.213.X.0/24 is in use");
}

// Waits for "done" on its stdin; end of file instead means this process died: clean up after it. The prefix
// holds only [a-z0-9-], so it needs no quoting.
void NetnsTestbed::start_guardian() {
  const std::string script =
      "read -r word; [ \"$word\" = done ] && exit 0\n"
      "mine=$(ip netns list | cut -d' ' -f1 | grep '^" + prefix_ + "-')\n"
      "for ns in $mine; do for pid in $(ip netns pids \"$ns\"); do kill \"$pid\"; done; done\n"
      "sleep 1\n"
      "for ns in $mine; do for pid in $(ip netns pids \"$ns\"); do kill -9 \"$pid\"; done; ip netns del \"$ns\"; done\n"
      "sleep 1\n"
      "for link in $(ip -o link | cut -d: -f2 | cut -d@ -f1); do case \"$link\" in " + prefix_ + "-*)\n"
      "  ip link del \"$link\" ;; esac; done\n";
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw std::runtime_error("test bed: pipe failed");
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("test bed: fork failed");
  if (child == 0) {
    ::setsid();  // survives a signal to our process group
    ::dup2(ends[0], STDIN_FILENO);
    const int quiet = ::open("/dev/null", O_WRONLY);
    ::dup2(quiet, STDOUT_FILENO);
    ::dup2(quiet, STDERR_FILENO);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(ends[0]);
  guardian_pipe_ = ends[1];
  guardian_pid_ = child;
}

void NetnsTestbed::dismiss_guardian() {
  if (guardian_pid_ <= 0) return;
  (void)!::write(guardian_pipe_, "done\n", 5);
  ::close(guardian_pipe_);
  ::waitpid(guardian_pid_, nullptr, 0);
  guardian_pipe_ = -1;
  guardian_pid_ = -1;
}

std::string NetnsTestbed::silent_address() const { return subnet_base_ + "250"; }

CommandOutput NetnsTestbed::exec_in(int index, const std::vector<std::string>& argv) const {
  std::string command = "ip netns exec " + shell_quote(host(index).netns);
  for (const auto& arg : argv) command += " " + shell_quote(arg);
  return run_command(command);
}

std::string NetnsTestbed::teardown() {
  // Processes still inside a namespace keep it (and its veth) alive after `ip netns del`: end them first.
  // They are ours: they run in namespaces this test bed made.
  // SIGTERM first, so that what they hold (lock files, temp files) is released; SIGKILL what remains.
  for (const int signal : {SIGTERM, SIGKILL}) {
    bool any = false;
    for (const auto& netns : made_namespaces_) {
      std::istringstream pids(run_command("ip netns pids " + netns).output);
      for (int pid = 0; pids >> pid;) {
        if (pid > 1 && pid != ::getpid()) any = ::kill(pid, signal) == 0 || any;
      }
    }
    if (!any) break;
    for (int i = 0; i < 50 && signal == SIGTERM; ++i) {
      std::string left;
      for (const auto& netns : made_namespaces_) left += run_command("ip netns pids " + netns).output;
      if (left.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  for (const auto& netns : made_namespaces_) run_command("ip netns del " + netns);
  for (const auto& link : made_links_) run_command("ip link del " + link + " 2>/dev/null");
  made_namespaces_.clear();
  made_links_.clear();
  hosts_.clear();
  dismiss_guardian();
  // The kernel frees a namespace (and the veth inside) once its last process is gone, asynchronously.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string left = leftovers();
  while (!left.empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = leftovers();
  }
  return left;
}

std::string NetnsTestbed::leftovers() const {
  std::string left;
  std::istringstream lines(run_command("ip netns list; ip -o link").output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(prefix_ + "-") != std::string::npos) left += line + "\n";
  }
  return left;
}

}  // namespace dli::testing
