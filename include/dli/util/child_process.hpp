#pragma once
// Runs a command as a child in its own process group, with a wall-clock limit that kills the whole group.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dli {

struct ChildOutcome {
  enum class Kind { kExited, kSignaled, kTimedOut, kSpawnFailed } kind = Kind::kSpawnFailed;
  int exit_code = -1;  // when kExited
  int signal = 0;      // when kSignaled
  double wall_seconds = 0;
  double cpu_seconds = 0;  // user + system time of the child and the descendants it waited for
  std::string error;   // when kSpawnFailed
};

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is an absolute path or found through PATH
  std::string output_path;        // stdout and stderr appended here; empty: inherit
  std::string error_path;         // when set, stderr goes here instead (truncated), stdout alone to output_path
  std::string input_path;         // stdin read from here; empty: /dev/null when output_path is set, else inherit
  double timeout_seconds = 0;     // 0: none. On expiry: SIGTERM to the group, SIGKILL after kill_grace_seconds
  double kill_grace_seconds = 2;
  // RLIMIT_AS of the child, set before exec, in bytes; 0: inherited. It bounds address space, not resident memory:
  // allocations past it fail (ENOMEM, std::bad_alloc), and so does an exec whose image does not fit.
  std::uint64_t address_space_limit_bytes = 0;
  // The CPUs the child may run on (sched_setaffinity before exec; its threads and children inherit them); empty:
  // inherited from the caller.
  std::vector<int> cpus;
  std::vector<std::string> extra_env;  // "NAME=value" added to the inherited environment
  bool scrub_env = false;  // true: the child gets only extra_env, nothing inherited
  // Called about every `tick_seconds` while waiting (heartbeats). Must be quick.
  std::function<void()> on_tick;
  double tick_seconds = 1.0;
};

ChildOutcome run_child(const ChildOptions& options);

// Last `max_lines` lines (at most `max_bytes`) of a text file; empty if unreadable.
std::string tail_of_file(const std::string& path, int max_lines = 20, std::size_t max_bytes = 4096);

// A text file whole when it has at most head_bytes + tail_bytes, otherwise its first lines (at most head_bytes)
// and its last (at most tail_bytes), and how many bytes lie between them. Empty if unreadable.
struct FileExcerpt {
  std::string head;  // the whole file when left_out is 0
  std::string tail;
  std::size_t left_out = 0;
};
FileExcerpt excerpt_of_file(const std::string& path, std::size_t head_bytes, std::size_t tail_bytes);

}  // namespace dli
