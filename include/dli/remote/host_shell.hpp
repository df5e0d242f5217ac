#pragma once
// How the integrator reaches a host to start its agent and run short commands there: local machine or SSH.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/protocol/agent_command.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/work_dir.hpp"  // the file names a start puts in the work dir
#include "dli/util/result.hpp"

namespace dli {

struct AgentLaunch {
  std::string agent_exe;  // on the host
  AgentRunArgs args;      // work_dir must be set: the start writes there
  // Store credentials as netrc text, written to <work_dir>/store-<run>.netrc (mode 0600; through the start
  // command's stdin on SSH hosts), never on a command line or in the agent's environment; the agent gets
  // DLI_CREDENTIALS_FILE pointing at it and removes the file when it ends. Empty: no file.
  std::string secret_netrc = {};
  // The host's tasks.json, written to args.tasks_file before the agent starts (through the start command's
  // stdin, after the secret, on SSH hosts), so that the agent needs no store login to start its first test.
  // Empty: no file (the agent reads its task list from the store).
  std::string tasks_json = {};
  std::vector<std::string> argv() const { return agent_argv(agent_exe, args); }  // never carries a secret
};

struct CommandOutput {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// What a batch scheduler says of the job that runs a host's agent (kind slurm, docs/slurm.md).
struct AgentJob {
  enum class Phase {
    kWaiting,  // queued (or suspended, requeued): no heartbeat can come yet, and none is missed
    kRunning,  // the agent runs: its heartbeats decide
    kEnded,    // the job is over: the agent's final heartbeat, else `ended_as` with `reason`
  };
  Phase phase = Phase::kRunning;
  std::string id;
  std::string reason;  // for people, e.g. "slurm job 12 PENDING (Resources)"
  HostState ended_as = HostState::kLost;
};

class HostShell {
 public:
  virtual ~HostShell() = default;
  // Starts the agent detached from the integrator (it survives the integrator's exit) and returns once it
  // is started. Error (with a reason a person can act on) when it cannot be started; its kind says why for the
  // host's state: kAgentMissing, or the connection's (kUnreachable, kHostKeyRefused, kAuthFailed, ...).
  virtual Status start_agent(const AgentLaunch& launch) = 0;
  // Opens the connection start_agent() will use, ahead of time: while the integrator publishes the run, so that
  // the connection's handshake is not on the sweep's critical path. Failures are left to start_agent() to report.
  virtual void prepare_start() {}
  // Runs a short command on the host and waits for it (hosts check, describe), with `stdin_data` as its input
  // (secrets travel this way, never on a command line). The arguments are shell-quoted on remote hosts.
  // Error (with the connection's kind) when the host cannot be reached, kTimedOut when the command outlives its
  // timeout; a non-zero exit is a CommandOutput, not an Error.
  virtual Result<CommandOutput> run(const std::vector<std::string>& argv, const std::string& stdin_data,
                                    double timeout_seconds) = 0;
  // Waits until the agent this shell started has exited (true) or `until` has passed (false); nullopt when this
  // shell cannot tell (no agent started by it, a local host, the connection lost): then only the store says.
  // One caller at a time.
  virtual std::optional<bool> wait_agent_exit(std::chrono::steady_clock::time_point until) {
    (void)until;
    return std::nullopt;
  }
  // Whether the agent process `pid` (as reported in its status) is still alive; nullopt when unknowable.
  virtual std::optional<bool> agent_alive(int pid) = 0;
  // The batch job start_agent() submitted (a scheduler's shell): its id, recorded in the store so that a later
  // `dli-integrator cancel` can end it; empty for shells that start agents directly.
  virtual std::string job_id() const { return {}; }
  // That job's state as the scheduler tells it now; nullopt without a job, or when the scheduler cannot say.
  virtual std::optional<AgentJob> agent_job() { return std::nullopt; }
};

// Local machine: double-fork + setsid, output to <work_dir>/agent-<run>.out.
std::unique_ptr<HostShell> make_local_shell();
std::unique_ptr<HostShell> make_host_shell(const HostConfig& host);  // by host.kind

}  // namespace dli
