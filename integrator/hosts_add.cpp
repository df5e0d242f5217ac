// `hosts add`: fingerprint confirmed, key recorded, agent checked (and deployed), `hosts check`, then the fleet
// file gains the entry. Steps that talk to the host come before the fleet file is touched, so a failed add
// leaves the fleet as it was (the confirmed key stays in known_hosts: it is the host's).
#include "hosts_add.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "dli/integrator/agent_deploy.hpp"
#include "dli/integrator/host_check.hpp"
#include "dli/ssh/host_key_scan.hpp"
#include "dli/ssh/host_key_text.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/util/version.hpp"

namespace dli::cli {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void refuse(const std::string& file, const std::string& key, const std::string& message) {
  throw ConfigError({{file, 0, 0, key, message}});
}

// Asks on the terminal; never when stdin is not one (a script must say what it wants with flags).
bool confirm(const std::string& question) {
  if (::isatty(STDIN_FILENO) == 0) return false;
  std::cout << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, "", "cannot read the fleet file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a person does about a host that failed a step, by its state (docs/onboarding.md).
std::string what_to_do(const std::string& state, const HostConfig& host) {
  const SshTarget& ssh = host.ssh;
  if (state == "unreachable") return "check that the host is up, sshd runs there, and the address and port are right";
  if (state == "host-key-refused") {
    return fmt::format("if the host was reinstalled, remove its old key (ssh-keygen -R '{}' -f {}) and add it again",
                       ssh.port == 22 ? ssh.address : fmt::format("[{}]:{}", ssh.address, ssh.port),
                       ssh.known_hosts);
  }
  if (state == "auth-failed") {
    return fmt::format("add the public key to ~{}/.ssh/authorized_keys on the host (ssh-copy-id -i KEY.pub {}@{}); "
                       "use an ed25519 or ECDSA key, not RSA",
                       ssh.user, ssh.user, ssh.address);
  }
  if (state == "agent-missing" || state == "version-mismatch") {
    return fmt::format("run again with --deploy to copy this build's agent, or install dli-agent {} at {}", kVersion,
                       host.agent_path);
  }
  if (state == "store-failed") return "let the host reach the store (network, firewall, credentials)";
  return "see docs/onboarding.md";
}

int host_failed(const std::string& step, const std::string& state, const std::string& reason, const HostConfig& host) {
  spdlog::error("{}: {}: {}: {}", host.name, step, state, reason);
  spdlog::error("{}: what to do: {}", host.name, what_to_do(state, host));
  return exit_code::kHostsUnreached;
}

// Checks the agent's version; copies it when missing or different and allowed (`deploy`, or confirmed).
int ensure_agent(HostShell& shell, const HostConfig& host, const std::string& local_agent, bool deploy) {
  auto version = remote_agent_version(shell, host.agent_path);
  if (version && version.value() == kVersion) {
    std::cout << "Agent: " << host.agent_path << " is version " << kVersion << "\n";
    return exit_code::kOk;
  }
  if (!version && version.error().kind != ErrorKind::kAgentMissing) {
    return host_failed("agent check", to_string(host_state_of(version.error())), version.error().message, host);
  }
  const std::string found = version ? "version " + version.value() : version.error().message;
  std::cout << "Agent: " << found << "; this integrator is version " << kVersion << "\n";
  if (!deploy && !confirm(fmt::format("Copy {} and its runners to {}?", local_agent, host.agent_path))) {
    return host_failed("agent check", version ? "version-mismatch" : "agent-missing", found, host);
  }
  const DeployPlan plan = deploy_plan(local_agent, host.agent_path);
  for (const auto& skipped : plan.skipped) std::cout << "Not copied: " << skipped << "\n";
  for (const auto& file : plan.files) std::cout << "Copying " << file.local << " -> " << file.remote << "\n";
  if (auto copied = deploy_files(shell, plan.files); !copied) {
    return host_failed("deploy", to_string(host_state_of(copied.error())), copied.error().message + " (is " +
                       fs::path(host.agent_path).parent_path().string() + " writable by " + host.ssh.user + "?)",
                       host);
  }
  version = remote_agent_version(shell, host.agent_path);
  if (!version || version.value() != kVersion) {
    return host_failed("deploy", "agent-missing",
                       "the copied agent does not run there: " +
                           (version ? "version " + version.value() : version.error().message) +
                           " (it needs the same libraries as here: docs/fleet-ssh.md, section 1)",
                       host);
  }
  std::cout << "Agent: " << host.agent_path << " is version " << kVersion << " (deployed)\n";
  return exit_code::kOk;
}

// The temporary fleet file, removed unless kept (renamed over the fleet).
struct PendingFile {
  std::string path;
  bool kept = false;
  ~PendingFile() {
    std::error_code ignored;
    if (!kept) fs::remove(path, ignored);
  }
};

std::string absolute_unless_home(const std::string& path) {
  if (path.empty() || path.rfind("~/", 0) == 0) return path;
  return fs::absolute(path).lexically_normal().string();
}

std::string expand_home(const std::string& path) {
  const char* home = std::getenv("HOME");
  return path.rfind("~/", 0) == 0 && home != nullptr ? home + path.substr(1) : path;
}

}  // namespace

int add_host(const HostsAddOptions& options) {
  // 1. What the command line asks must fit the fleet: checked before anything connects or is written.
  const FleetConfig fleet = load_fleet(options.fleet_path);
  NewSshHost entry = options.host;
  entry.key_file = absolute_unless_home(entry.key_file);
  entry.known_hosts = absolute_unless_home(entry.known_hosts);
  for (const auto& host : fleet.hosts) {
    if (host.name == entry.name) refuse(fleet.path, "hosts", "a host named '" + entry.name + "' is already there");
    if (host.kind == "ssh" && host.ssh.address == entry.address && host.ssh.port == entry.port) {
      refuse(fleet.path, "hosts", fmt::format("host '{}' already has address {} port {}", host.name, entry.address,
                                              entry.port));
    }
  }
  auto edited = append_host_entry(read_text(fleet.path), entry);
  if (!edited) refuse(fleet.path, "hosts", edited.error().message);

  // 2. The host's key, confirmed before it is trusted.
  SshTarget target;
  target.address = entry.address;
  target.port = entry.port;
  target.user = entry.user;
  target.known_hosts = expand_home(entry.known_hosts.empty() ? "~/.ssh/known_hosts" : entry.known_hosts);
  if (entry.connect_timeout > 0) target.connect_timeout_seconds = entry.connect_timeout;
  auto key = fetch_host_key(target);
  if (!key) {
    spdlog::error("{}: cannot get the host key of {}:{}: {}", entry.name, entry.address, entry.port,
                  key.error().message);
    spdlog::error("{}: what to do: check that the host is up, sshd runs there, and the address and port are right",
                  entry.name);
    return exit_code::kHostsUnreached;
  }
  const std::string fingerprint = key.value().fingerprint();
  std::cout << "Host key of " << entry.address << ":" << entry.port << ": " << key.value().type << " " << fingerprint
            << "\n";
  if (!options.fingerprint.empty() && !same_fingerprint(options.fingerprint, fingerprint)) {
    refuse("--fingerprint", "fingerprint",
           fmt::format("the host offers {}, not {}: nothing was written (compare with `ssh-keygen -lf "
                       "/etc/ssh/ssh_host_ed25519_key.pub` run on the host itself)",
                       fingerprint, options.fingerprint));
  }
  const KnownHostState known = known_host_state(target, key.value());
  if (known == KnownHostState::kChanged) {
    spdlog::error("{}: known_hosts {} holds another key for {}:{}", entry.name, target.known_hosts, entry.address,
                  entry.port);
    spdlog::error("{}: what to do: if the host was reinstalled, remove the old key (ssh-keygen -R ADDRESS -f {}) "
                  "and run this again",
                  entry.name, target.known_hosts);
    return exit_code::kHostsUnreached;
  }
  if (known == KnownHostState::kUnknown) {
    if (options.fingerprint.empty() &&
        !confirm("Is this the host's key (compare with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it)?")) {
      refuse("--fingerprint", "fingerprint",
             "the host key was not confirmed: nothing was written (give --fingerprint " + fingerprint +
                 " once you have compared it with the host's own, or answer the question on a terminal)");
    }
    if (auto recorded = record_host_key(target, key.value()); !recorded) {
      spdlog::error("{}: {}", entry.name, recorded.error().message);
      return exit_code::kHostsUnreached;
    }
    std::cout << "Recorded in " << target.known_hosts << "\n";
  }

  // 3. The edited fleet, read back by the validating loader, gives the host exactly as runs will see it.
  PendingFile pending{fleet.path + ".dli-add"};
  {
    std::ofstream out(pending.path, std::ios::binary | std::ios::trunc);
    out << edited.value();
    if (!out.flush()) refuse(pending.path, "", "cannot write the edited fleet file");
  }
  std::error_code ignored;
  fs::permissions(pending.path, fs::status(fleet.path).permissions(), ignored);
  const FleetConfig added = load_fleet(pending.path);
  const HostConfig* host = added.find(entry.name);
  if (host == nullptr) refuse(pending.path, "hosts", "the edited fleet lacks the new host");

  // 4. The agent (deployed when allowed), then the same check as `hosts check`.
  auto shell = make_host_shell(*host);
  if (const int code = ensure_agent(*shell, *host, options.local_agent, options.deploy); code != exit_code::kOk) {
    return code;
  }
  const HostCheck check = check_host(*shell, *host, host->agent_path, resolve_store(options.store_url, fleet.store_url));
  std::cout << "== " << host->name << " (ssh): " << check.state << (check.reason.empty() ? "" : ": " + check.reason)
            << "\n";
  if (!check.ok()) return host_failed("hosts check", check.state, check.reason, *host);

  // 5. Only now the fleet file changes, in one rename.
  fs::rename(pending.path, fleet.path);
  pending.kept = true;
  std::cout << "Added " << host->name << " to " << fleet.path << "\n";
  if (check.info) std::cout << format_host_info(*check.info);
  return exit_code::kOk;
}

int deploy_to_host(const HostConfig& host, const std::string& local_agent, bool force) {
  if (host.kind == "slurm") {
    refuse("NAME", "hosts", "host '" + host.name + "' is a Slurm host: install dli-agent at its agent_path (" +
                                host.agent_path + "), where the cluster's nodes see it (docs/slurm.md)");
  }
  if (host.kind != "ssh") refuse("NAME", "hosts", "host '" + host.name + "' is local: it uses the agent beside this program");
  auto shell = make_host_shell(host);
  if (force) {
    auto copied = deploy_files(*shell, deploy_plan(local_agent, host.agent_path).files);
    if (!copied) return host_failed("deploy", to_string(host_state_of(copied.error())), copied.error().message, host);
  }
  return ensure_agent(*shell, host, local_agent, true);
}

}  // namespace dli::cli
