#pragma once
// Test support: a minimal OpenSSH server for SFTP on a free port, with its own ed25519 host key, one generated
// ed25519 client key in its AuthorizedKeysFile, and a known_hosts file for clients. Needs root. The constructor
// throws with the server's log when it cannot start: tests fail, never skip. (The network-namespace test bed
// has its own sshd for launching agents; this one only serves stores.)
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

struct SshdOptions {
  std::string address = "127.0.0.1";  // an address of this host, or of `netns`
  std::string netns;                  // run inside this network namespace ("ip netns exec"); empty: here
  int port = 0;                       // 0: a free one
  std::string user;                   // who logs in; empty: the user running the test
};

class SshdServer {
 public:
  explicit SshdServer(SshdOptions options = {}) : options_(std::move(options)) {
    try {
      set_up();
    } catch (...) {
      process_.stop();
      throw;
    }
  }
  ~SshdServer() { process_.stop(); }
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  // "sftp://USER@ADDR:PORT" + `absolute_path`.
  std::string url(const std::string& absolute_path) const {
    return "sftp://" + user_ + "@" + options_.address + ":" + std::to_string(port_) + absolute_path;
  }
  const std::string& user() const { return user_; }
  const std::string& address() const { return options_.address; }
  int port() const { return port_; }
  std::string client_key() const { return dir_.str("client_ed25519"); }
  std::string client_public_key() const { return dir_.str("client_ed25519.pub"); }
  std::string known_hosts() const { return dir_.str("known_hosts"); }
  // The "[ADDR]:PORT" (or "ADDR" on port 22) name known_hosts files use for this server.
  std::string known_hosts_name() const {
    return port_ == 22 ? options_.address : "[" + options_.address + "]:" + std::to_string(port_);
  }
  // A folder the login user owns, for store tests.
  std::string data_dir() const { return dir_.str("data"); }
  bool running() { return process_.running(); }
  void stop() { process_.stop(); }
  // Freezes the server and its sessions (a hung server: connections stay open, nothing answers); resume() undoes it.
  void pause() { process_.pause(); }
  void resume() { process_.resume(); }
  std::string log() const { return "--- sshd output ---\n" + read_text(dir_.str("sshd.log")); }

 private:
  void set_up() {
    ::chmod(dir_.str().c_str(), 0755);
    if (options_.user.empty()) {
      const passwd* entry = ::getpwuid(::geteuid());
      if (entry == nullptr) throw std::runtime_error("cannot name the current user");
      user_ = entry->pw_name;
    } else {
      user_ = options_.user;
    }
    run_checked("mkdir -p /run/sshd " + shell_quote(data_dir()));
    run_checked("chown " + shell_quote(user_) + " " + shell_quote(data_dir()));
    run_checked("ssh-keygen -q -t ed25519 -N '' -C dli-test-host -f " + shell_quote(dir_.str("host_ed25519")));
    run_checked("ssh-keygen -q -t ed25519 -N '' -C dli-test-client -f " + shell_quote(client_key()));
    dir_.write("authorized_keys", read_text(client_public_key()));

    port_ = options_.port != 0 ? options_.port : free_tcp_ports(options_.address, options_.netns);
    // known_hosts holds "type base64" of the host key, without its comment.
    const std::string host_key = read_text(dir_.str("host_ed25519.pub"));
    const std::size_t second_blank = host_key.find(' ', host_key.find(' ') + 1);
    dir_.write("known_hosts", known_hosts_name() + " " + host_key.substr(0, second_blank) + "\n");

    // clang-format off
    dir_.write("sshd_config",
               "Port " + std::to_string(port_) + "\n"
               "ListenAddress " + options_.address + "\n"
               "HostKey " + dir_.str("host_ed25519") + "\n"
               "PidFile " + dir_.str("sshd.pid") + "\n"
               "AuthorizedKeysFile " + dir_.str("authorized_keys") + "\n"
               "AllowUsers " + user_ + "\n"
               "PermitRootLogin prohibit-password\n"
               "PubkeyAuthentication yes\n"
               "PasswordAuthentication no\n"
               "KbdInteractiveAuthentication no\n"
               "StrictModes no\n"
               "UsePAM no\n"
               "UseDNS no\n"
               "LogLevel VERBOSE\n"
               "Subsystem sftp /usr/lib/openssh/sftp-server\n");
    // clang-format on
    const CommandOutput check =
        run_command(netns_prefix(options_.netns) + "/usr/sbin/sshd -t -f " + shell_quote(dir_.str("sshd_config")));
    if (check.exit_code != 0) throw std::runtime_error("sshd rejects its configuration:\n" + check.output);

    process_.start({"/usr/sbin/sshd", "-D", "-e", "-f", dir_.str("sshd_config")}, options_.netns, dir_.str("sshd.log"));
    if (!wait_for_listener(process_, options_.address, port_, options_.netns)) {
      const std::string state = process_.running() ? "not listening after 10 s" : process_.exit_description();
      throw std::runtime_error("sshd did not start on " + options_.address + ":" + std::to_string(port_) + " (" +
                               state + ")\n" + log());
    }
  }

  static void run_checked(const std::string& command) {
    const CommandOutput result = run_command(command);
    if (result.exit_code != 0) throw std::runtime_error("failed: " + command + "\n" + result.output);
  }

  SshdOptions options_;
  TempDir dir_;
  ServerProcess process_;
  std::string user_;
  int port_ = 0;
};

}  // namespace dli::testing
