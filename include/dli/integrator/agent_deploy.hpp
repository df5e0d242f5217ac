#pragma once
// `dli-integrator hosts deploy` (and `hosts add --deploy`): puts this build's dli-agent and the runners beside it
// on a host, so that the host runs the same version as the integrator (docs/onboarding.md).
#include <string>
#include <vector>

#include "dli/remote/host_shell.hpp"
#include "dli/util/result.hpp"

namespace dli {

// `AGENT --version` on the host: the version it prints. kAgentMissing when there is no such executable or it
// does not run (a missing library: the reason quotes its output); the connection's kinds otherwise.
Result<std::string> remote_agent_version(HostShell& shell, const std::string& agent_path);

struct DeployFile {
  std::string local;   // this machine's file
  std::string remote;  // where it goes on the host
};

struct DeployPlan {
  std::vector<DeployFile> files;     // runners first, the agent last: a host whose agent is new has its runners
  std::vector<std::string> skipped;  // runners found here but not copied, with why (script runners)
};

// The local agent and the runner executables of the catalogue found beside it (regular files only: the script
// runners are links into their source folders, which they need), to the folder of `remote_agent_path`.
DeployPlan deploy_plan(const std::string& local_agent, const std::string& remote_agent_path);

// Copies each file over the host shell (its bytes as the input of `cat`, into a temporary name that is made
// executable and then renamed over the target, so a half-copied agent is never run). Stops at the first failure.
Status deploy_files(HostShell& shell, const std::vector<DeployFile>& files);

}  // namespace dli
