#include "dli/integrator/host_check.hpp"

#include <fmt/format.h>

#include "dli/protocol/agent_command.hpp"
#include "dli/store/credentials.hpp"
#include "dli/util/version.hpp"

namespace dli {

HostState host_state_of(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kHostKeyRefused: return HostState::kHostKeyRefused;
    case ErrorKind::kAuthFailed: return HostState::kAuthFailed;
    case ErrorKind::kAgentMissing: return HostState::kAgentMissing;
    case ErrorKind::kOther:
    case ErrorKind::kUnreachable:
    case ErrorKind::kTimedOut:
    case ErrorKind::kProtocol:
    case ErrorKind::kNoSpace:
    case ErrorKind::kDenied:
    case ErrorKind::kNotFound:
    case ErrorKind::kLocalNoSpace: break;
  }
  return HostState::kUnreachable;
}

HostCheck check_host(HostShell& shell, const HostConfig& host, const std::string& agent_exe,
                     const std::string& store_url) {
  HostCheck check;
  check.host = host.name;
  AgentDescribeArgs describe;
  describe.as_json = true;
  describe.store_url = store_url;
  describe.probe_name = host.name;
  // A remote host gets the store's credentials on stdin; a local one looks them up itself, as the integrator does.
  std::string secret;
  if (host.kind != "local") {
    auto netrc = agent_credentials_netrc(store_url);
    if (!netrc) {
      check.state = "store-failed";
      check.reason = netrc.error().message;
      return check;
    }
    secret = netrc.value();
    describe.credentials_stdin = !secret.empty();
  }
  auto ran = shell.run(agent_argv(agent_exe, describe), secret, 60);
  if (!ran) {
    check.state = to_string(host_state_of(ran.error()));
    check.reason = ran.error().message;
    return check;
  }
  const CommandOutput& output = ran.value();
  // The agent prints its JSON as the last line; anything before it is log output.
  const auto start = output.output.rfind("\n{");
  const std::string json_text = output.output.substr(start == std::string::npos ? 0 : start + 1);
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(json_text);
    check.info = host_info_from_json(document.at("host"));
  } catch (const std::exception& error) {
    check.state = "agent-missing";
    check.reason = fmt::format("{} describe exited with {} and no description: {}", agent_exe, output.exit_code,
                               output.output.substr(0, 500));
    return check;
  }
  if (check.info->agent_version != kVersion) {
    check.state = "version-mismatch";
    check.reason = fmt::format("agent {} is version {}, integrator is {}", agent_exe, check.info->agent_version,
                               kVersion);
    return check;
  }
  const auto& probe = document.at("store_probe");
  if (!probe.at("ok").get<bool>()) {
    check.state = "store-failed";
    check.reason = probe.at("error").get<std::string>();
  }
  return check;
}

}  // namespace dli
