#include "dli/integrator/agent_deploy.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "dli/protocol/runner_catalogue.hpp"

namespace dli {
namespace fs = std::filesystem;

namespace {

Error missing(std::string message) { return Error{std::move(message), false, ErrorKind::kAgentMissing}; }

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

// $1: the target. Written next to it first so that the rename is atomic and an agent in use keeps running.
constexpr char kInstallScript[] =
    "set -e; target=\"$1\"; tmp=\"$1.dli-deploy.$$\"; mkdir -p \"$(dirname \"$target\")\"; "
    "trap 'rm -f \"$tmp\"' EXIT; cat > \"$tmp\"; chmod 755 \"$tmp\"; mv -f \"$tmp\" \"$target\"; trap - EXIT";

}  // namespace

Result<std::string> remote_agent_version(HostShell& shell, const std::string& agent_path) {
  // `test -x` first: a missing file and an agent that fails to start (a missing library) say different things.
  auto ran = shell.run({"/bin/sh", "-c", "test -x \"$1\" || exit 127; exec \"$1\" --version", "sh", agent_path}, "",
                       30);
  if (!ran) return ran.error();
  const std::string output = trimmed(ran.value().output);
  if (ran.value().exit_code == 127 && output.empty()) {
    return missing(fmt::format("no executable {} on the host", agent_path));
  }
  if (ran.value().exit_code != 0 || output.empty() || output.find('\n') != std::string::npos) {
    return missing(fmt::format("{} --version exited with {}: {}", agent_path, ran.value().exit_code,
                               output.substr(0, 500)));
  }
  // "dli-agent 0.1.0": the version is the last word.
  return output.substr(output.rfind(' ') + 1);
}

DeployPlan deploy_plan(const std::string& local_agent, const std::string& remote_agent_path) {
  DeployPlan plan;
  const fs::path local_folder = fs::path(local_agent).parent_path();
  const fs::path remote_folder = fs::path(remote_agent_path).parent_path();
  for (const auto& entry : runner_catalogue()) {
    const fs::path runner = local_folder / entry.executable;
    std::error_code error;
    const auto status = fs::symlink_status(runner, error);
    if (error || !fs::exists(status)) continue;
    if (!fs::is_regular_file(status)) {
      plan.skipped.push_back(fmt::format("{} (a script runner: install it on the host as docs/runners.md says)",
                                         entry.executable));
      continue;
    }
    plan.files.push_back({runner.string(), (remote_folder / entry.executable).string()});
  }
  plan.files.push_back({local_agent, remote_agent_path});
  return plan;
}

Status deploy_files(HostShell& shell, const std::vector<DeployFile>& files) {
  for (const auto& file : files) {
    std::ifstream in(file.local, std::ios::binary);
    if (!in) return Error{fmt::format("cannot read {}", file.local), false, ErrorKind::kOther};
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Generous: a few MB over a slow link.
    auto ran = shell.run({"/bin/sh", "-c", kInstallScript, "sh", file.remote}, bytes, 300);
    if (!ran) return ran.error();
    if (ran.value().exit_code != 0) {
      return Error{fmt::format("cannot write {} on the host (exit {}): {}", file.remote, ran.value().exit_code,
                               trimmed(ran.value().output).substr(0, 500)),
                   false, ErrorKind::kDenied};
    }
  }
  return {};
}

}  // namespace dli
