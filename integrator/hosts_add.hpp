#pragma once
// `hosts add` and `hosts deploy` (docs/onboarding.md): a new SSH host onboarded in one command, and this build's
// agent put on a host. Each returns the command's exit code; bad input throws ConfigError (exit 2).
#include <string>

#include "dli/config/config.hpp"
#include "dli/config/fleet_edit.hpp"

namespace dli::cli {

struct HostsAddOptions {
  std::string fleet_path;
  NewSshHost host;
  std::string fingerprint;  // "SHA256:..." the host's key must have; empty: ask on the terminal
  bool deploy = false;      // copy the agent when missing or of another version, without asking
  std::string store_url;    // --store (default: the fleet's)
  std::string local_agent;  // the agent to copy
};

int add_host(const HostsAddOptions& options);

// Copies the agent when the host lacks it or has another version (`force`: always); then checks the version.
int deploy_to_host(const HostConfig& host, const std::string& local_agent, bool force);

}  // namespace dli::cli
