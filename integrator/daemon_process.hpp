#pragma once
// The daemon's child processes: one `dli-integrator run` or `resume` per run (docs/daemon.md, "Runs"), and the
// self-pipe that turns signals into events of its loop.
#include <string>
#include <vector>

namespace dli::cli {

// Starts `argv` (argv[0] an absolute path) with stdout and stderr appended to `log_path` and stdin from /dev/null.
// The child gets SIGTERM when the daemon dies, however it dies: a daemon killed with SIGKILL leaves no run behind
// that a restarted daemon would race with (the agents are detached and go on). The child's pid; throws
// std::runtime_error when it cannot be started.
int start_run_process(const std::vector<std::string>& argv, const std::string& log_path);

// Whether `pid` is a live process whose command line contains `word` (a run id): the pid of a run recorded by an
// earlier daemon may have been reused since.
bool process_mentions(int pid, const std::string& word);

// SIGTERM, SIGINT, SIGHUP and SIGCHLD written as one byte each to a pipe the loop polls: no work in a handler.
class SignalPipe {
 public:
  SignalPipe();  // installs the handlers; one per process
  ~SignalPipe();
  SignalPipe(const SignalPipe&) = delete;
  SignalPipe& operator=(const SignalPipe&) = delete;
  // Waits up to `timeout_ms` for signals; the signal numbers received, oldest first.
  std::vector<int> wait(int timeout_ms);
};

}  // namespace dli::cli
