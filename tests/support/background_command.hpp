#pragma once
// Test support: a program started in the background while the test acts (kills a host, stops a server), with its
// output in a file and its exit status when it ends. The test is its parent, so its PID is the program's own (no
// shell in between) and a SIGKILL sent to it reaches the program itself.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"

namespace dli::testing {

class BackgroundCommand {
 public:
  // argv[0] is an absolute path; stdout and stderr go to `output_path`.
  BackgroundCommand(std::vector<std::string> argv, std::string output_path) : output_path_(std::move(output_path)) {
    std::vector<char*> args;
    for (std::string& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
      // Only async-signal-safe calls between fork and exec.
      const int out = ::open(output_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int null = ::open("/dev/null", O_RDONLY);
      if (out < 0 || null < 0) ::_exit(126);
      ::dup2(null, 0);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::close_range(3, ~0U, 0);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    pid_ = child;
  }
  // A test that fails before the program ends must not leave it running.
  ~BackgroundCommand() {
    if (!status_) {
      ::kill(pid_, SIGKILL);
      wait_for_exit(std::chrono::seconds(10));
    }
  }
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;

  pid_t pid() const { return pid_; }
  std::string output() const { return read_file_quietly(output_path_); }

  // The exit code once it has ended (-1 when a signal ended it); nullopt while it runs.
  std::optional<int> exit_code() {
    if (!status_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    }
    if (!status_) return std::nullopt;
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -1;
  }
  // Polls until it ends or `limit` passes.
  std::optional<int> wait_for_exit(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!exit_code() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return exit_code();
  }
  // SIGKILL, and reaped: no goodbye, as a crash or the OOM killer would end it.
  void kill_now() {
    ::kill(pid_, SIGKILL);
    wait_for_exit(std::chrono::seconds(10));
  }

 private:
  std::string output_path_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace dli::testing
