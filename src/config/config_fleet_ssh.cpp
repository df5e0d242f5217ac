// Host entries of kind ssh: address, account, key and the host key to trust. Files named here live on the
// integrator's machine and are resolved against the fleet file's folder ("~/" against $HOME).
#include <cstdlib>

#include "config_files.hpp"
#include "config_host_kinds.hpp"
#include "dli/config/config_limits.hpp"

namespace dli::config_yaml {

const std::vector<std::string> kSshHostKeys = {"address",           "port",        "user",           "key_file",
                                               "use_agent",         "known_hosts", "trust_on_first_use",
                                               "connect_timeout",   "agent_path"};

namespace {

std::string expand_home(const std::string& text) {
  const char* home = std::getenv("HOME");
  if (text.rfind("~/", 0) == 0 && home != nullptr) return std::string(home) + text.substr(1);
  return text;
}

std::optional<std::string> read_local_file(const Field& field, Problems& problems, bool must_exist) {
  const auto text = read_string(field, problems);
  if (!text) return std::nullopt;
  const std::string path =
      config_files::resolve(expand_home(*text), config_files::folder_of(problems.file()));
  if (must_exist) {
    if (const auto problem = config_files::input_file_problem(path)) {
      problems.add(field, *problem);
      return std::nullopt;
    }
  }
  return path;
}

std::optional<bool> read_bool(const Field& field, Problems& problems) {
  const auto choice = read_choice(field, problems, {"true", "false"});
  if (!choice) return std::nullopt;
  return *choice == "true";
}

}  // namespace

void read_ssh_host_keys(const MapReader& entry, HostConfig& host, Problems& problems) {
  SshTarget& ssh = host.ssh;
  if (const auto value = entry.required("address")) {
    if (const auto address = read_string(*value, problems)) ssh.address = *address;
  }
  if (const auto value = entry.optional("port")) {
    if (const auto port = read_integer(*value, problems, {1, 65535})) ssh.port = static_cast<int>(*port);
  }
  if (const auto value = entry.required("user")) {
    if (const auto user = read_string(*value, problems)) ssh.user = *user;
  }
  if (const auto value = entry.optional("use_agent")) {
    if (const auto use_agent = read_bool(*value, problems)) ssh.use_agent = *use_agent;
  }
  if (const auto value = entry.optional("trust_on_first_use")) {
    if (const auto trust = read_bool(*value, problems)) ssh.trust_on_first_use = *trust;
  }
  if (!ssh.use_agent) {
    // Keys, never passwords: a password would have to sit in this file or on a command line.
    if (const auto value = entry.required("key_file")) {
      if (const auto path = read_local_file(*value, problems, true)) ssh.key_file = *path;
    }
  } else if (const auto value = entry.optional("key_file")) {
    problems.add(*value, "key_file and use_agent: true exclude each other: pick one");
  }
  const std::string default_known_hosts = expand_home("~/.ssh/known_hosts");
  ssh.known_hosts = default_known_hosts;
  if (const auto value = entry.optional("known_hosts")) {
    // With trust on first use the file may not exist yet: it is created when the first key is recorded.
    if (const auto path = read_local_file(*value, problems, !ssh.trust_on_first_use)) ssh.known_hosts = *path;
  }
  if (const auto value = entry.optional("connect_timeout")) {
    const NumberRange range{0, true, config_limits::kMaxConnectTimeoutSeconds, "1 hour"};
    if (const auto seconds = read_number(*value, problems, range)) ssh.connect_timeout_seconds = *seconds;
  }
  read_agent_path(entry, host, problems);
}

void read_agent_path(const MapReader& entry, HostConfig& host, Problems& problems) {
  host.agent_path = "/usr/local/bin/dli-agent";
  if (const auto value = entry.optional("agent_path")) {
    if (const auto path = read_string(*value, problems)) {
      if ((*path)[0] == '/') {
        host.agent_path = *path;
      } else {
        problems.add(*value, "expected an absolute path of dli-agent on that host, got " + describe(value->node));
      }
    }
  }
}

}  // namespace dli::config_yaml
