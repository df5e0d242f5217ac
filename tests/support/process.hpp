#pragma once
// Test support: run a command line through the shell and capture what it printed.
#include <cstdio>
#include <string>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dli::testing {

struct CommandOutput {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

inline CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, got);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Whole content of a file, empty on any error. For /proc files of processes that may be exiting: there an
// ifstream read can fail with ESRCH, and libstdc++'s filebuf then throws even without an exception mask.
inline std::string read_file_quietly(const std::string& path) {
  std::string text;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  return text;
}

inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace dli::testing
