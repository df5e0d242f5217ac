#include "support/netns_sshd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace dli::testing {
namespace {

void keygen(const std::string& type, const std::string& path, const std::string& comment) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::filesystem::remove(path + ".pub", ignored);
  const CommandOutput made = run_command("ssh-keygen -q -t " + shell_quote(type) + " -N '' -C " +
                                         shell_quote(comment) + " -f " + shell_quote(path));
  if (made.exit_code != 0) throw std::runtime_error("ssh-keygen -t " + type + " failed: " + made.output);
}

bool accepts_tcp(const std::string& address, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

SshClientKey make_client_key(const std::string& dir, const std::string& name, const std::string& type) {
  SshClientKey key;
  key.private_key = dir + "/" + name;
  key.public_key = key.private_key + ".pub";
  keygen(type, key.private_key, "dli-test-client");
  return key;
}

NetnsSshd::NetnsSshd(const NetnsTestbed& bed, int host, const SshClientKey& authorized, int port)
    : netns_(bed.host(host).netns), address_(bed.host(host).address), port_(port) {
  const passwd* me = ::getpwuid(::getuid());
  user_ = me != nullptr ? me->pw_name : "root";
  std::filesystem::create_directories("/run/sshd");  // sshd's privilege separation directory
  std::filesystem::copy_file(authorized.public_key, dir_.str("authorized_keys"));
  keygen("ed25519", dir_.str("host_ed25519"), "dli-test-host");
  dir_.write("sshd_config",
             "Port " + std::to_string(port_) + "\n"
             "ListenAddress " + address_ + "\n"
             "HostKey " + dir_.str("host_ed25519") + "\n"
             "PidFile " + dir_.str("sshd.pid") + "\n"
             "AuthorizedKeysFile " + dir_.str("authorized_keys") + "\n"
             "StrictModes no\n"
             "UsePAM no\n"
             "PasswordAuthentication no\n"
             "KbdInteractiveAuthentication no\n"
             "PermitRootLogin prohibit-password\n"
             "LogLevel VERBOSE\n"
             // bash reads ~/.bashrc for commands run by sshd only in a top-level shell (SHLVL < 2). This machine's
             // root .bashrc runs `pyenv init`, whose rehash lock serialises every session and stalls them all
             // for 60 s when one is killed while holding it: the test hosts behave like hosts with a quiet .bashrc.
             "SetEnv SHLVL=1\n"
             "Subsystem sftp /usr/lib/openssh/sftp-server\n");
  start();
}

NetnsSshd::~NetnsSshd() { stop(); }

void NetnsSshd::start() {
  if (pid_ > 0) return;
  const std::string config = dir_.str("sshd_config");
  const std::string log_path = dir_.str("sshd.log");
  std::vector<std::string> args = {"/usr/sbin/ip", "netns", "exec", netns_, "/usr/sbin/sshd", "-D", "-e", "-f", config};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    if (out >= 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
    }
    if (in >= 0) ::dup2(in, STDIN_FILENO);
    ::execv(argv[0], argv.data());  // ip netns exec execs sshd in turn: the PID stays sshd's
    ::_exit(127);
  }
  pid_ = child;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("sshd in " + netns_ + " exited at start: " + log());
    }
    if (accepts_tcp(address_, port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  throw std::runtime_error("sshd in " + netns_ + " does not listen on " + address_ + ":" + std::to_string(port_) +
                           " after 5 s: " + log());
}

void NetnsSshd::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > until) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  // A connection child forked just before may still hold the listening socket until it closes it: stopped
  // means refused.
  for (int i = 0; i < 200 && accepts_tcp(address_, port_); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void NetnsSshd::regenerate_host_key() {
  stop();
  keygen("ed25519", dir_.str("host_ed25519"), "dli-test-host");
  start();
}

void NetnsSshd::authorize(const SshClientKey& key) {
  std::ofstream(dir_.str("authorized_keys"), std::ios::app) << read_file(key.public_key);
}

void NetnsSshd::add_host_key(const std::string& type) {
  keygen(type, dir_.str("host_" + type), "dli-test-host");
  std::ofstream(dir_.str("sshd_config"), std::ios::app) << "HostKey " << dir_.str("host_" + type) << "\n";
  if (running()) {
    stop();
    start();
  }
}

std::string NetnsSshd::known_hosts_line(const std::string& type) const {
  std::string key = read_file(dir_.str("host_" + type + ".pub"));
  while (!key.empty() && key.back() == '\n') key.pop_back();
  const std::string name = port_ == 22 ? address_ : "[" + address_ + "]:" + std::to_string(port_);
  return name + " " + key + "\n";
}

std::string NetnsSshd::write_known_hosts(const std::string& path) const {
  std::ofstream(path, std::ios::app) << known_hosts_line();
  return path;
}

std::string NetnsSshd::log() const { return read_file(dir_.str("sshd.log")); }

}  // namespace dli::testing
