#pragma once
// Test support: run a program as a child in a given folder and measure it: exit code, output, wall time and the
// child's own peak resident memory (wait4's rusage, so other processes of the test do not count).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace dli::testing {

struct MeasuredRun {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string output;  // stdout and stderr, interleaved
  double seconds = 0;
  long peak_rss_kb = 0;
};

// `output_file` receives the child's output (a file, not a pipe: no pipe buffer to drain while it runs).
inline MeasuredRun run_measured(const std::vector<std::string>& argv, const std::string& folder,
                                const std::string& output_file) {
  MeasuredRun run;
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = ::fork();
  if (child < 0) return run;
  if (child == 0) {
    const int out = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || ::chdir(folder.c_str()) != 0) ::_exit(127);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (::wait4(child, &status, 0, &usage) != child) return run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.peak_rss_kb = usage.ru_maxrss;  // kilobytes on Linux
  run.output = read_file_quietly(output_file);
  return run;
}

}  // namespace dli::testing
