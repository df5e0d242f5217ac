#pragma once
// Test support: a server started in the foreground by absolute path, optionally inside a network namespace
// ("ip netns exec NS ..."), remembered by PID and stopped by PID together with the processes it forked (sshd's
// per-connection processes start their own sessions, so a process-group kill would miss them).
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace dli::testing {

// Prefix for a shell command line that must run inside `netns` (empty: the current namespace).
inline std::string netns_prefix(const std::string& netns) {
  return netns.empty() ? std::string() : "/usr/sbin/ip netns exec " + shell_quote(netns) + " ";
}

inline bool tcp_port_free(const std::string& address, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::inet_pton(AF_INET, address.c_str(), &where.sin_addr) == 1 &&
                  ::bind(fd, reinterpret_cast<sockaddr*>(&where), sizeof where) == 0;
  ::close(fd);
  return ok;
}

// First port of `count` consecutive free ones, below Linux's ephemeral range (32768+) so that outgoing
// connections do not take them meanwhile. Inside a namespace the test made, everything is free.
inline int free_tcp_ports(const std::string& address, const std::string& netns, int count = 1) {
  static std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> base(20000, 32000 - count);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int first = base(random);
    bool all = true;
    for (int port = first; all && port < first + count; ++port) all = !netns.empty() || tcp_port_free(address, port);
    if (all) return first;
  }
  throw std::runtime_error("no free TCP port on " + address);
}

inline std::string read_text(const std::string& path) { return read_file_quietly(path); }

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess() { stop(); }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // argv[0] must be an absolute path. stdout and stderr go to `log_path`.
  void start(std::vector<std::string> argv, const std::string& netns, const std::string& log_path) {
    if (!netns.empty()) argv.insert(argv.begin(), {"/usr/sbin/ip", "netns", "exec", netns});
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
      // Only async-signal-safe calls between fork and exec.
      ::setpgid(0, 0);
      ::signal(SIGPIPE, SIG_DFL);
      const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      const int null = ::open("/dev/null", O_RDONLY);
      if (log < 0 || null < 0) ::_exit(126);
      ::dup2(null, 0);
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::close_range(3, ~0U, 0);  // the test's own sockets stay out of the server
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pid_ = child;
    reaped_ = false;
  }

  pid_t pid() const { return pid_; }

  // Everything the server forked that still runs (per-connection processes, say); zombies do not count.
  std::vector<pid_t> descendants() const {
    std::vector<pid_t> running;
    if (pid_ <= 0) return running;
    for (pid_t pid : descendants_and_self(pid_)) {
      const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
      const std::size_t close = stat.rfind(')');
      if (pid != pid_ && close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z') {
        running.push_back(pid);
      }
    }
    return running;
  }

  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = status;
      pid_ = -1;
      return false;
    }
    return true;
  }

  // "exited with 1", "killed by signal 9", or "" while running.
  std::string exit_description() const {
    if (WIFEXITED(exit_status_)) return "exited with " + std::to_string(WEXITSTATUS(exit_status_));
    if (WIFSIGNALED(exit_status_)) return "killed by signal " + std::to_string(WTERMSIG(exit_status_));
    return "";
  }

  // SIGSTOP / SIGCONT to the server and everything it forked: a hung server (connections open, no answers).
  void pause() { signal_family(SIGSTOP); }
  void resume() { signal_family(SIGCONT); }

  // SIGTERM to the server and everything it forked, SIGKILL to what is left after 3 s.
  void stop() {
    if (pid_ <= 0) return;
    const std::vector<pid_t> family = descendants_and_self(pid_);
    for (pid_t pid : family) ::kill(pid, SIGTERM);
    for (pid_t pid : family) ::kill(pid, SIGCONT);  // a paused process handles SIGTERM only once continued
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline && any_alive(family)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (pid_t pid : family) {
      if (alive(pid)) ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_status_ = status;
    pid_ = -1;
  }

 private:
  // A zombie counts as gone; our own child is reaped here.
  bool alive(pid_t pid) {
    if (pid == pid_) {
      int status = 0;
      const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
      if (reaped == pid_) {
        exit_status_ = status;
        reaped_ = true;
      }
      if (reaped_) return false;
    }
    const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    const std::size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
  }

  bool any_alive(const std::vector<pid_t>& family) {
    for (pid_t pid : family) {
      if (alive(pid)) return true;
    }
    return false;
  }

  void signal_family(int signal) {
    if (pid_ <= 0) return;
    for (pid_t pid : descendants_and_self(pid_)) ::kill(pid, signal);
  }

  static std::vector<pid_t> descendants_and_self(pid_t root) {
    std::multimap<pid_t, pid_t> children;
    if (DIR* proc = ::opendir("/proc")) {
      while (const dirent* entry = ::readdir(proc)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
        if (pid <= 0) continue;
        const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
        const std::size_t close = stat.rfind(')');
        if (close == std::string::npos) continue;
        // After ") ": state, then the parent's PID.
        const std::size_t parent_at = stat.find(' ', close + 2);
        if (parent_at == std::string::npos) continue;
        children.emplace(static_cast<pid_t>(std::atoi(stat.c_str() + parent_at + 1)), pid);
      }
      ::closedir(proc);
    }
    std::vector<pid_t> family{root};
    for (std::size_t i = 0; i < family.size(); ++i) {
      auto range = children.equal_range(family[i]);
      for (auto it = range.first; it != range.second; ++it) family.push_back(it->second);
    }
    return family;
  }

  pid_t pid_ = -1;
  int exit_status_ = 0;
  bool reaped_ = false;
};

// Waits until `server` itself listens on address:port (seen with `ss -p` inside the namespace: another process
// holding the port does not count). False when the server exited first or `timeout` passed.
inline bool wait_for_listener(ServerProcess& server, const std::string& address, int port, const std::string& netns,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const std::string command =
      netns_prefix(netns) + "/usr/bin/ss -Hltnp " + shell_quote("sport = :" + std::to_string(port));
  const std::string wanted = address + ":" + std::to_string(port);
  const std::string owner = "pid=" + std::to_string(server.pid()) + ",";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!server.running()) return false;
    const std::string listening = run_command(command).output;
    if (listening.find(wanted) != std::string::npos && listening.find(owner) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

inline std::string random_token(std::size_t length, const std::string& alphabet = "abcdefghijkmnpqrstuvwxyz23456789") {
  static std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string token;
  for (std::size_t i = 0; i < length; ++i) token += alphabet[pick(random)];
  return token;
}

}  // namespace dli::testing
