#pragma once
// A host reached over SSH: the agent is started there detached, short commands run there.
#include <memory>
#include <string>
#include <vector>

#include "dli/remote/host_shell.hpp"
#include "dli/ssh/ssh_target.hpp"

namespace dli {

struct SshShellOptions {
  // agent_alive asks the host (`kill -0` over SSH) at most this often and answers from memory in between: the
  // integrator polls every host twice a second. 0: ask every time.
  double alive_check_interval_seconds = 10;
  // After the host could not be reached, agent_alive answers "unknowable" this long without trying again, so a
  // dead network never stalls the poll loop by a connect timeout per poll; heartbeats decide meanwhile.
  double alive_retry_after_seconds = 60;
  double start_timeout_seconds = 60;  // the whole start command (mkdir, secret file, launch) on the host
};

// Errors carry SshSession's kinds (include/dli/ssh/ssh_session.hpp), and kAgentMissing from start_agent.
std::unique_ptr<HostShell> make_ssh_shell(const SshTarget& target, const SshShellOptions& options = {});

// The POSIX sh script start_agent runs on the host; its stdin carries launch.secret_netrc. Public for tests.
std::string remote_start_script(const AgentLaunch& launch);
// Single-quotes `text` for a POSIX shell: the only way an argument reaches the remote command unchanged.
std::string quote_for_remote_shell(const std::string& text);
std::string remote_command_line(const std::vector<std::string>& argv);  // each argument quoted, space-separated

}  // namespace dli
