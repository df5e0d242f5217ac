#pragma once
// Test support: a real vsftpd (plain FTP or FTPS with explicit TLS) on a free port, with its own local user
// (random password) whose chrooted home is a temporary folder. Needs root. The constructor throws with the
// server's log when it cannot start: tests fail, never skip. The destructor removes only what it created.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

namespace dli::testing {

struct VsftpdOptions {
  std::string address = "127.0.0.1";  // an address of this host, or of `netns`
  std::string netns;                  // run inside this network namespace ("ip netns exec"); empty: here
  int port = 0;                       // 0: a free one
  bool tls = false;                   // FTPS: AUTH TLS required for logins and data
  bool require_ssl_reuse = true;      // vsftpd's default, kept unless a test says otherwise
  int passive_ports = 16;
  int max_clients = 0;                // connections at once; more are turned away with "421 too many users"; 0: any
  // > 0: the user's home is a tmpfs of this many KiB, mounted in a mount namespace of the server's own (so nothing
  // is left mounted when it ends): a disk that fills up. home() then shows the folder under it, not its content.
  int home_size_kib = 0;
  long max_rate_bytes_per_second = 0;  // per session, both directions (vsftpd's local_max_rate); 0: unlimited
};

class VsftpdServer {
 public:
  explicit VsftpdServer(VsftpdOptions options = {}) : options_(std::move(options)) {
    try {
      set_up();
    } catch (...) {
      tear_down();
      throw;
    }
  }
  ~VsftpdServer() { tear_down(); }
  VsftpdServer(const VsftpdServer&) = delete;
  VsftpdServer& operator=(const VsftpdServer&) = delete;

  // "ftp://ADDR:PORT/path" or "ftps://..."; `path` is relative to the user's (chrooted) home.
  std::string url(const std::string& path = "") const {
    return std::string(options_.tls ? "ftps" : "ftp") + "://" + options_.address + ":" + std::to_string(port_) + "/" +
           path;
  }
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }
  const std::string& address() const { return options_.address; }
  int port() const { return port_; }
  // The self-signed certificate, which is its own CA (FTPS only).
  std::string ca_file() const { return dir_->str("cert.pem"); }
  // "sha256//BASE64" of the certificate's public key, for pinning (FTPS only).
  const std::string& pinned_public_key() const { return pin_; }
  // The folder the FTP user sees as "/".
  std::string home() const { return dir_->str("home"); }
  bool running() { return process_.running(); }
  // Processes serving connections (vsftpd forks per connection): none once every client has quit.
  std::size_t session_processes() const { return process_.descendants().size(); }
  void stop() { process_.stop(); }  // the listener and every session: transfers in flight break off
  // After stop(): the same server again (address, port, user, home), as after an outage. Throws if it does not
  // listen within 10 s. A home on its own tmpfs (home_size_kib) comes back empty.
  void restart() {
    process_.stop();
    launch();
  }
  // Freezes the server and its sessions (a hung server: connections stay open, nothing answers); resume() undoes it.
  void pause() { process_.pause(); }
  void resume() { process_.resume(); }
  std::string log() const {
    if (!dir_) return "";
    // vsftpd reports some start failures (a port in use, a bad setting) only through its exit status, so the
    // configuration is part of the log.
    return "--- vsftpd output ---\n" + read_text(dir_->str("vsftpd.out")) + "--- vsftpd log ---\n" +
           read_text(dir_->str("vsftpd.log")) + "--- vsftpd.conf ---\n" + read_text(dir_->str("vsftpd.conf"));
  }

 private:
  void set_up() {
    dir_ = std::make_unique<TempDir>();
    ::chmod(dir_->str().c_str(), 0755);  // the FTP user must reach its home below
    const std::string home_dir = dir_->str("home");
    const std::string empty_dir = dir_->str("empty");
    run_checked("mkdir -p " + shell_quote(home_dir) + " " + shell_quote(empty_dir));
    ::chmod(empty_dir.c_str(), 0755);

    // A login shell listed in /etc/shells: vsftpd's PAM stack (pam_shells) refuses users without one.
    user_ = "dliftp" + random_token(8);
    password_ = random_token(24, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789");
    run_checked("/usr/sbin/useradd --no-create-home --home-dir " + shell_quote(home_dir) +
                " --shell /bin/bash --user-group " + shell_quote(user_));
    user_created_ = true;
    // The password goes through chpasswd's stdin, not a command line.
    set_password();
    run_checked("chown " + shell_quote(user_) + ": " + shell_quote(home_dir));

    if (options_.tls) make_certificate();
    // Free ports are found before vsftpd binds them: a test running beside this one may take one in between, and
    // vsftpd then exits at once. Ports chosen here are chosen again then; a port the test asked for is not.
    for (int attempt = 1;; ++attempt) {
      port_ = options_.port != 0 ? options_.port : free_tcp_ports(options_.address, options_.netns);
      int passive = free_tcp_ports(options_.address, options_.netns, options_.passive_ports);
      if (passive <= port_ && port_ < passive + options_.passive_ports) passive += options_.passive_ports;
      write_config(passive);
      try {
        launch();
        return;
      } catch (const std::runtime_error&) {
        if (options_.port != 0 || attempt == 3 || process_.running()) throw;
      }
    }
  }

  void launch() {
    const std::string home_dir = dir_->str("home");
    std::vector<std::string> argv{"/usr/sbin/vsftpd", dir_->str("vsftpd.conf")};
    if (options_.home_size_kib > 0) {
      // unshare and sh exec into vsftpd: the PID stays the server's.
      const std::string script = "mount -t tmpfs -o size=" + std::to_string(options_.home_size_kib) +
                                 "k,mode=0755 dli-test-ftp-home " + shell_quote(home_dir) + " && chown " +
                                 shell_quote(user_) + ": " + shell_quote(home_dir) + " && exec " +
                                 shell_quote(argv[0]) + " " + shell_quote(argv[1]);
      argv = {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script};
    }
    process_.start(argv, options_.netns, dir_->str("vsftpd.out"));
    if (!wait_for_listener(process_, options_.address, port_, options_.netns)) {
      const std::string state = process_.running() ? "not listening after 10 s" : process_.exit_description();
      throw std::runtime_error("vsftpd did not start on " + options_.address + ":" + std::to_string(port_) + " (" +
                               state + "; a silent exit usually means the port was taken or a setting rejected)\n" +
                               log());
    }
  }

  void set_password() {
    for (int attempt = 0; attempt < 20; ++attempt) {
      FILE* chpasswd = ::popen("/usr/sbin/chpasswd -c SHA512 2>/dev/null", "w");
      if (chpasswd == nullptr) throw std::runtime_error("cannot run chpasswd");
      std::fprintf(chpasswd, "%s:%s\n", user_.c_str(), password_.c_str());
      if (::pclose(chpasswd) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // most likely the lock (see run_checked)
    }
    throw std::runtime_error("chpasswd failed for " + user_);
  }

  void make_certificate() {
    const std::string address = options_.address;
    run_checked("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout " + shell_quote(dir_->str("key.pem")) +
                " -out " + shell_quote(dir_->str("cert.pem")) + " -subj " + shell_quote("/CN=" + address) +
                " -addext " + shell_quote("subjectAltName=IP:" + address));
    const CommandOutput pin = run_command(
        "openssl x509 -in " + shell_quote(ca_file()) +
        " -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | openssl base64 -A");
    if (pin.exit_code != 0) throw std::runtime_error("cannot compute the certificate's key pin:\n" + pin.output);
    pin_ = "sha256//" + pin.output;
    while (!pin_.empty() && (pin_.back() == '\n' || pin_.back() == '\r')) pin_.pop_back();
  }

  void write_config(int passive) {
    // clang-format off
    std::string config =
        "listen=YES\n"
        "listen_ipv6=NO\n"
        "listen_address=" + options_.address + "\n"
        "listen_port=" + std::to_string(port_) + "\n"
        "background=NO\n"
        "anonymous_enable=NO\n"
        "local_enable=YES\n"
        "write_enable=YES\n"
        "local_umask=022\n"
        "chroot_local_user=YES\n"
        "allow_writeable_chroot=YES\n"
        "pasv_enable=YES\n"
        "pasv_address=" + options_.address + "\n"
        "pasv_min_port=" + std::to_string(passive) + "\n"
        "pasv_max_port=" + std::to_string(passive + options_.passive_ports - 1) + "\n"
        "secure_chroot_dir=" + dir_->str("empty") + "\n"
        "seccomp_sandbox=NO\n"
        "pam_service_name=vsftpd\n"
        "xferlog_enable=YES\n"
        "log_ftp_protocol=YES\n"
        "vsftpd_log_file=" + dir_->str("vsftpd.log") + "\n";
    if (options_.max_clients > 0) config += "max_clients=" + std::to_string(options_.max_clients) + "\n";
    if (options_.max_rate_bytes_per_second > 0) {
      config += "local_max_rate=" + std::to_string(options_.max_rate_bytes_per_second) + "\n";
    }
    if (options_.tls) {
      config +=
          "ssl_enable=YES\n"
          "allow_anon_ssl=NO\n"
          "force_local_logins_ssl=YES\n"
          "force_local_data_ssl=YES\n"
          "rsa_cert_file=" + ca_file() + "\n"
          "rsa_private_key_file=" + dir_->str("key.pem") + "\n";
      // Left out when true, so that the server really runs with its compiled-in default.
      if (!options_.require_ssl_reuse) config += "require_ssl_reuse=NO\n";
    }
    // clang-format on
    dir_->write("vsftpd.conf", config);
  }

  // useradd and friends give up at once when another process holds /etc/passwd's lock (tests run in parallel).
  static void run_checked(const std::string& command) {
    CommandOutput result;
    for (int attempt = 0; attempt < 20; ++attempt) {
      result = run_command(command);
      if (result.exit_code == 0) return;
      if (result.output.find("lock") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("failed: " + command + "\n" + result.output);
  }

  void tear_down() {
    process_.stop();  // first: userdel refuses while the user's sessions run
    if (user_created_) {
      try {
        run_checked("/usr/sbin/userdel " + shell_quote(user_));
      } catch (const std::exception&) {
        // Nothing better to do in a destructor; the user is named dliftp* with a home under /tmp/dli-test-*.
      }
    }
    user_created_ = false;
    dir_.reset();
  }

  VsftpdOptions options_;
  std::unique_ptr<TempDir> dir_;
  ServerProcess process_;
  std::string user_;
  std::string password_;
  bool user_created_ = false;
  int port_ = 0;
  std::string pin_;
};

}  // namespace dli::testing
