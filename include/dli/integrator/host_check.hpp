#pragma once
// `dli-integrator hosts check`: can this host run our agent against our store, and what machine is it?
#include <optional>
#include <string>

#include "dli/config/config.hpp"
#include "dli/protocol/host_info.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/remote/host_shell.hpp"
#include "dli/util/result.hpp"

namespace dli {

struct HostCheck {
  std::string host;
  std::string state = "ok";  // ok | unreachable | host-key-refused | auth-failed | agent-missing | version-mismatch | store-failed
  std::string reason;
  std::optional<HostInfo> info;
  bool ok() const { return state == "ok"; }
};

// Runs `AGENT describe --store URL --probe HOST` on the host: the agent reports the machine and writes, reads and
// deletes a probe object in the store. The agent's version must equal ours (same protocol and formulas).
HostCheck check_host(HostShell& shell, const HostConfig& host, const std::string& agent_exe,
                     const std::string& store_url);

// The state of a host the integrator could not start or ask, from the failure's kind: the one place kinds become
// host states. Anything but a refused host key or login, or a missing agent, is kUnreachable.
HostState host_state_of(const Error& error);

}  // namespace dli
