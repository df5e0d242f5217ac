// docker/compose.yaml, the demo lab (docs/packages.md), checked against the repository since no Docker engine runs
// here: its services, the Dockerfiles and stages they build, sshd on the agents, the start order, secrets only as
// files, and the configs the integrator mounts, loaded by dli's own loader as the container would see them.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "dli/config/lab.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

namespace fs = std::filesystem;

const fs::path kRepo = DLI_SOURCE_DIR;
const fs::path kDockerDir = kRepo / "docker";
const char* const kServices[] = {"integrator", "store", "agent1", "agent2"};
const char* const kAgents[] = {"agent1", "agent2"};
const std::string kSecretsDir = "/run/secrets/";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> strings_of(const YAML::Node& node) {  // a list, or one scalar
  std::vector<std::string> values;
  if (!node) return values;  // absent: yaml-cpp throws on any other question to an absent node
  if (node.IsSequence()) {
    for (const auto& item : node) values.push_back(item.as<std::string>());
  } else if (node.IsScalar()) {
    values.push_back(node.as<std::string>());
  }
  return values;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Compose's two spellings of `secrets:` in a service: a name, or {source: name, ...}.
std::vector<std::string> secrets_of(const YAML::Node& service) {
  std::vector<std::string> names;
  if (!service["secrets"]) return names;
  for (const auto& item : service["secrets"]) {
    names.push_back(item.IsMap() ? item["source"].as<std::string>() : item.as<std::string>());
  }
  return names;
}

// Compose's two spellings of `environment:`: a map, or a list of NAME=VALUE.
std::vector<std::pair<std::string, std::string>> environment_of(const YAML::Node& service) {
  std::vector<std::pair<std::string, std::string>> entries;
  const YAML::Node environment = service["environment"];
  if (!environment) return entries;
  if (environment.IsMap()) {
    for (const auto& entry : environment) {
      entries.emplace_back(entry.first.as<std::string>(), entry.second.IsNull() ? "" : entry.second.as<std::string>());
    }
  } else {
    for (const auto& item : environment) {
      const std::string text = item.as<std::string>();
      const auto equals = text.find('=');
      entries.emplace_back(text.substr(0, equals), equals == std::string::npos ? "" : text.substr(equals + 1));
    }
  }
  return entries;
}

struct BindMount {
  fs::path source;       // on this machine, resolved against docker/ (where compose.yaml is)
  std::string target;    // in the container
};

std::vector<BindMount> bind_mounts_of(const YAML::Node& service) {
  std::vector<BindMount> mounts;
  if (!service["volumes"]) return mounts;
  for (const auto& item : service["volumes"]) {
    const std::string text = item.as<std::string>();
    if (text.empty() || text[0] != '.') continue;  // a named volume
    const auto colon = text.find(':');
    const std::string target = text.substr(colon + 1, text.find(':', colon + 1) - colon - 1);
    mounts.push_back({(kDockerDir / text.substr(0, colon)).lexically_normal(), target});
  }
  return mounts;
}

// Where a container path of a service lives on this machine, through its bind mounts; empty when in none.
fs::path on_host(const std::vector<BindMount>& mounts, const std::string& container_path) {
  for (const auto& mount : mounts) {
    if (container_path == mount.target) return mount.source;
    if (container_path.rfind(mount.target + "/", 0) == 0) {
      return (mount.source / container_path.substr(mount.target.size() + 1)).lexically_normal();
    }
  }
  return {};
}

// The stage names of a Dockerfile (`FROM image AS name`).
std::set<std::string> stages_of(const fs::path& dockerfile) {
  std::set<std::string> stages;
  std::istringstream lines(read_text(dockerfile));
  const std::regex from(R"(^\s*FROM\s+\S+\s+AS\s+(\S+)\s*$)", std::regex::icase);
  std::smatch match;
  for (std::string line; std::getline(lines, line);) {
    if (std::regex_match(line, match, from)) stages.insert(match[1]);
  }
  return stages;
}

class ComposeFile : public ::testing::Test {
 protected:
  YAML::Node compose = YAML::LoadFile((kDockerDir / "compose.yaml").string());
  YAML::Node services = compose["services"];
};

TEST_F(ComposeFile, HasTheLabsFourServices) {
  ASSERT_TRUE(services.IsMap());
  for (const char* name : kServices) EXPECT_TRUE(services[name].IsMap()) << "no service " << name;
}

TEST_F(ComposeFile, EachServiceBuildsADockerfileAndStageOfTheRepository) {
  for (const char* name : kServices) {
    const YAML::Node build = services[name]["build"];
    ASSERT_TRUE(build.IsMap()) << name << ": no build section";
    const fs::path context = kDockerDir / build["context"].as<std::string>();
    ASSERT_TRUE(fs::is_directory(context)) << name << ": " << context;
    EXPECT_TRUE(fs::equivalent(context, kRepo)) << name << ": the Dockerfiles COPY from the repository root";
    const fs::path dockerfile = context / build["dockerfile"].as<std::string>();
    ASSERT_TRUE(fs::is_regular_file(dockerfile)) << name << ": " << dockerfile << " missing";
    EXPECT_TRUE(fs::equivalent(dockerfile.parent_path(), kDockerDir)) << name << ": " << dockerfile;
    if (build["target"]) {
      EXPECT_EQ(stages_of(dockerfile).count(build["target"].as<std::string>()), 1U)
          << name << ": no stage " << build["target"].as<std::string>() << " in " << dockerfile;
    }
  }
}

TEST_F(ComposeFile, AgentsRunSshdOnPort22WithTheLabsPublicKey) {
  for (const char* name : kAgents) {
    const YAML::Node agent = services[name];
    ASSERT_TRUE(agent.IsMap()) << name;
    EXPECT_TRUE(contains(strings_of(agent["expose"]), "22")) << name << " does not expose sshd's port 22";
    ASSERT_TRUE(agent["build"]["target"]) << name << ": builds the plain agent image, which has no sshd";
    const std::string target = agent["build"]["target"].as<std::string>();
    // The stage the agent builds installs sshd and starts it.
    const std::string dockerfile = read_text(kRepo / agent["build"]["dockerfile"].as<std::string>());
    const auto stage = dockerfile.find(" AS " + target);
    ASSERT_NE(stage, std::string::npos) << name;
    const std::string stage_text = dockerfile.substr(stage, dockerfile.find("\nFROM ", stage) - stage);
    EXPECT_NE(stage_text.find("openssh-server"), std::string::npos) << name;
    EXPECT_NE(stage_text.find("EXPOSE 22"), std::string::npos) << name;
    EXPECT_TRUE(contains(secrets_of(agent), "lab_ssh_key_pub")) << name;
    // Its host key is the lab's, mounted where the entrypoint installs it, so the integrator can verify it.
    bool host_key = false;
    for (const auto& secret : agent["secrets"]) {
      host_key |= secret.IsMap() && secret["source"].as<std::string>() == std::string(name) + "_host_key" &&
                  secret["target"] && secret["target"].as<std::string>() == "ssh_host_key";
    }
    EXPECT_TRUE(host_key) << name << " does not get " << name << "_host_key as ssh_host_key";
    EXPECT_NE(read_text(kRepo / "docker/agent-sshd-entrypoint.sh").find("/run/secrets/ssh_host_key"),
              std::string::npos);
  }
}

TEST_F(ComposeFile, IntegratorStartsAfterTheStoreAndTheAgents) {
  const std::vector<std::string> depends = strings_of(services["integrator"]["depends_on"]);
  for (const char* name : {"store", "agent1", "agent2"}) {
    EXPECT_TRUE(contains(depends, name)) << "integrator does not depend on " << name;
  }
}

TEST_F(ComposeFile, SecretsComeFromIgnoredFilesNeverFromValues) {
  const YAML::Node secrets = compose["secrets"];
  ASSERT_TRUE(secrets.IsMap());
  const std::string gitignore = read_text(kRepo / ".gitignore");
  for (const auto& secret : secrets) {
    const std::string name = secret.first.as<std::string>();
    ASSERT_TRUE(secret.second["file"]) << name << ": a secret from a file only (not `environment:`, not inline)";
    const std::string file = secret.second["file"].as<std::string>();
    EXPECT_EQ(file.rfind("./lab-secrets/", 0), 0U) << name << ": " << file << " outside docker/lab-secrets";
  }
  EXPECT_NE(gitignore.find("/docker/lab-secrets/"), std::string::npos) << "docker/lab-secrets/ is not git-ignored";
  // Nor sent to docker build, where a COPY . would bake them into an image layer.
  EXPECT_NE(read_text(kRepo / ".dockerignore").find("\ndocker/lab-secrets/\n"), std::string::npos)
      << "docker/lab-secrets/ is not in .dockerignore";

  const std::regex secret_like("PASS|SECRET|TOKEN|KEY|CREDENTIAL", std::regex::icase);
  for (const auto& service : services) {
    const std::string name = service.first.as<std::string>();
    for (const auto& used : secrets_of(service.second)) {
      EXPECT_TRUE(secrets[used]) << name << " uses secret " << used << ", which is not defined";
    }
    for (const auto& [variable, value] : environment_of(service.second)) {
      if (!std::regex_search(variable, secret_like)) continue;
      // Only a path to a secret this service is given may stand there.
      ASSERT_EQ(value.rfind(kSecretsDir, 0), 0U) << name << ": " << variable << " holds a value, not a secret's path";
      EXPECT_TRUE(contains(secrets_of(service.second), value.substr(kSecretsDir.size())))
          << name << ": " << variable << " names " << value << ", a secret it does not get";
    }
  }
}

// The lab file the integrator's command names, found through its mounts, is loaded as the container would load it:
// a copy in a temporary repository layout, with /run/secrets/<name> replaced by stand-in files (each must be a secret
// the integrator gets) and the sweeps' models (a generated folder) by stand-ins where the mounts say they are.
TEST_F(ComposeFile, IntegratorMountsExistAndItsLabLoads) {
  const YAML::Node integrator = services["integrator"];
  const std::vector<BindMount> mounts = bind_mounts_of(integrator);
  ASSERT_FALSE(mounts.empty());
  for (const auto& mount : mounts) {
    // models/ is made by scripts/make_models.py, not committed.
    if (mount.source != (kRepo / "models").lexically_normal()) {
      EXPECT_TRUE(fs::exists(mount.source)) << mount.source << " (mounted at " << mount.target << ") missing";
    }
  }
  const std::vector<std::string> command = strings_of(integrator["command"]);
  ASSERT_EQ(command.size(), 2U);
  EXPECT_EQ(command[0], "daemon");
  const fs::path lab = on_host(mounts, command[1]);
  ASSERT_FALSE(lab.empty()) << command[1] << " is in none of the integrator's mounts";
  ASSERT_TRUE(fs::is_regular_file(lab)) << lab;

  const testing::TempDir copy;
  const fs::path lab_folder_copy = copy.path() / lab.parent_path().lexically_relative(kRepo);
  const std::vector<std::string> integrator_secrets = secrets_of(integrator);
  const std::regex secret_path(R"(/run/secrets/([A-Za-z0-9_.-]+))");
  for (const auto& entry : fs::directory_iterator(lab.parent_path())) {
    std::string text = read_text(entry.path());
    std::string replaced;
    std::smatch match;
    while (std::regex_search(text, match, secret_path)) {
      EXPECT_TRUE(contains(integrator_secrets, match[1])) << entry.path() << " names " << match[0]
                                                          << ", a secret the integrator does not get";
      replaced += match.prefix().str() + copy.write("secrets/" + match[1].str(), "stand-in\n");
      text = match.suffix().str();
    }
    copy.write((lab_folder_copy / entry.path().filename()).lexically_relative(copy.path()), replaced + text);

    const YAML::Node config = YAML::LoadFile(entry.path().string());
    if (!config.IsMap() || !config["models"]) continue;
    for (const auto& model : config["models"]) {
      const std::string in_container =
          (fs::path(command[1]).parent_path() / model["file"].as<std::string>()).lexically_normal().string();
      const fs::path source = on_host(mounts, in_container);
      ASSERT_FALSE(source.empty()) << in_container << " (a model) is in none of the integrator's mounts";
      ASSERT_EQ(source.lexically_relative(kRepo).begin()->string(), "models") << source;
      copy.write(source.lexically_relative(kRepo).string(), "stand-in");
    }
  }
  const LabConfig loaded = load_lab((lab_folder_copy / lab.filename()).string());
  ASSERT_EQ(loaded.fleet.hosts.size(), 2U);
  for (const auto& host : loaded.fleet.hosts) {
    EXPECT_TRUE(contains({"agent1", "agent2"}, host.name)) << host.name;
    EXPECT_TRUE(services[host.name]) << "fleet host " << host.name << " is no service of the lab";
    EXPECT_EQ(host.kind, "ssh") << host.name;
    EXPECT_EQ(host.agent_path, "/usr/bin/dli-agent") << host.name << ": not where the dli-agent package puts it";
    EXPECT_FALSE(host.ssh.trust_on_first_use) << host.name << ": the lab's host keys are known, none is trusted blind";
  }
  EXPECT_EQ(loaded.store_url.rfind("ftp://dli@store/", 0), 0U) << loaded.store_url;
}

}  // namespace
}  // namespace dli
