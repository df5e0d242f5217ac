#pragma once
// A fleet on this machine: three SSH hosts (network namespaces with their own sshd) and a store host (vsftpd in a
// fourth namespace, whose sshd also serves SFTP). The integrator runs here, in the root namespace, as a user would.
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "support/process.hpp"
#include "support/run_output.hpp"
#include "support/ssh_test_fleet.hpp"
#include "support/temp_dir.hpp"
#include "support/vsftpd_server.hpp"

namespace dli::testing {

class FleetWorkspace : public ::testing::Test {
 protected:
  static constexpr int kTestHosts = 3;
  static constexpr int kStoreHost = 3;

  SshTestFleet fleet{kTestHosts + 1};
  TempDir work;
  std::unique_ptr<VsftpdServer> ftp;

  // Starts vsftpd on the store host and gives the integrator its password through a 0600 credentials file.
  // `max_rate`: bytes per second per session (0: unlimited), so that a transfer lasts long enough to be cut.
  void start_ftp(bool tls, long max_rate = 0) {
    VsftpdOptions options;
    options.netns = fleet.bed().host(kStoreHost).netns;
    options.address = fleet.bed().host(kStoreHost).address;
    options.tls = tls;
    options.max_rate_bytes_per_second = max_rate;
    ftp = std::make_unique<VsftpdServer>(options);
    const std::string credentials =
        work.write("credentials", "machine " + ftp->address() + " login " + ftp->user() + " password " +
                                      ftp->password() + "\n");
    ::chmod(credentials.c_str(), 0600);
    ::setenv("DLI_CREDENTIALS_FILE", credentials.c_str(), 1);
  }
  void TearDown() override { ::unsetenv("DLI_CREDENTIALS_FILE"); }

  std::string ftp_url() const { return ftp->url("store"); }
  std::string ftps_url() const { return ftp->url("store") + "?ca_file=" + ftp->ca_file(); }
  std::string sftp_url() const {
    return "sftp://" + fleet.sshd(kStoreHost).user() + "@" + fleet.target(kStoreHost).address + ":" +
           std::to_string(fleet.sshd(kStoreHost).port()) + work.str("sftp-store") +
           "?known_hosts=" + fleet.known_hosts() + "&ssh_private_key=" + fleet.key().private_key;
  }
  // Where the FTP store's objects land on this (shared) filesystem.
  std::string ftp_store_dir() const { return ftp->home() + "/store"; }

  static std::string host_name(int i) { return "node-" + std::to_string(i); }

  void write_fleet(int hosts = kTestHosts) const {
    std::string yaml = "parallel: 8\nhosts:\n";
    for (int i = 0; i < hosts; ++i) {
      const auto target = fleet.target(i);
      yaml += "  - name: " + host_name(i) + "\n    kind: ssh\n    address: " + target.address +
              "\n    port: " + std::to_string(target.port) + "\n    user: " + target.user +
              "\n    key_file: " + target.key_file + "\n    known_hosts: " + target.known_hosts +
              "\n    connect_timeout: 5\n    agent_path: " + DLI_AGENT_EXE + "\n    work_dir: " +
              work.str("agent-" + host_name(i)) + "\n";
    }
    work.write("fleet.yaml", yaml);
  }

  // Per host: real OpenCV inference on the digits CNN, and null tests of a fixed length.
  void write_sweep(int null_sleep_ms = 5, int iterations = 5) const {
    work.write("sweep.yaml", R"(name: fleet-e2e
fleet: fleet.yaml
models:
  - {name: digits_cnn, file: )" + std::string(DLI_MODELS_DIR) + R"(/digits_cnn.onnx, format: onnx, input_shape: [1, 8, 8]}
launchers:
  - opencv-dnn
  - {framework: "null", params: {sleep_ms: )" + std::to_string(null_sleep_ms) + R"(}}
batch_sizes: [1, 2]
modes: [sync]
threads: [1]
measure: {iterations: )" + std::to_string(iterations) + R"(, min_seconds: 0, warmup_iterations: 1, timeout_seconds: 120}
)");
  }
  static constexpr int kTestsPerHost = 4;

  CommandOutput integrator(const std::string& arguments) const {
    return run_command(std::string(DLI_INTEGRATOR_EXE) + " " + arguments);
  }
  CommandOutput run_sweep(const std::string& store_url) const {
    return integrator("run " + shell_quote(work.str("sweep.yaml")) + " --store " + shell_quote(store_url) +
                      " --out " + shell_quote(work.str("out")) + " --no-progress");
  }
};

}  // namespace dli::testing
