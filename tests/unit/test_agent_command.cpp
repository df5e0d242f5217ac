// The agent's command line has one definition: what the integrator writes (AgentLaunch::argv, check_host), the
// agent's own parser (define_agent_cli) reads back as the same values.
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "dli/agent/agent_cli.hpp"
#include "dli/integrator/host_check.hpp"
#include "dli/remote/host_shell.hpp"

namespace dli {
namespace {

// What dli-agent's main gets from an argv: which subcommand, with which values; or the parse error.
struct Parsed {
  std::string command;
  AgentRunArgs run;
  AgentDescribeArgs describe;
  std::string error;
};

Parsed parse_as_the_agent_does(const std::vector<std::string>& argv) {
  Parsed parsed;
  CLI::App app;
  const AgentSubcommands commands = define_agent_cli(app, parsed.run, parsed.describe);
  std::vector<const char*> raw;
  for (const auto& arg : argv) raw.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(raw.size()), raw.data());
  } catch (const CLI::ParseError& error) {
    parsed.error = error.what();
    return parsed;
  }
  for (const CLI::App* command : {commands.run, commands.describe, commands.version}) {
    if (command->parsed()) parsed.command = command->get_name();
  }
  return parsed;
}

TEST(AgentCommand, RunArgumentsOfTheIntegratorReadBackUnchanged) {
  AgentLaunch launch;
  launch.agent_exe = "/opt/dli/bin/dli-agent";
  launch.args.store_url = "ftp://bench@store.example:2121/dli runs?retries=5";
  launch.args.run_id = "20240101-120000-sweep";
  launch.args.host = "jetson-1";
  launch.args.work_dir = "/var/tmp/dli agent/it's";
  launch.secret_netrc = "machine store.example login bench password s3cret\n";
  for (const bool redo : {false, true}) {
    for (const double heartbeat : {2.0, 0.1, 7.25}) {
      launch.args.redo = redo;
      launch.args.first_attempt = !redo;
      launch.args.heartbeat_seconds = heartbeat;
      launch.args.test_heartbeat_seconds = heartbeat * 3;
      launch.args.tasks_file = redo ? "" : launch.args.work_dir + "/" + tasks_file_name(launch.args.run_id);
      if (heartbeat == 0.1) launch.args.tasks_file = agent_cli::kTasksFromStdin;
      launch.args.detach = heartbeat == 7.25;
      launch.args.launch = redo ? "" : "9f1c0de2b3a4c5d6e7f8091a2b3c4d5e";
      const std::vector<std::string> argv = launch.argv();
      EXPECT_EQ(argv.front(), launch.agent_exe);
      for (const auto& arg : argv) EXPECT_EQ(arg.find("s3cret"), std::string::npos) << "a secret on a command line";
      const Parsed parsed = parse_as_the_agent_does(argv);
      ASSERT_EQ(parsed.error, "");
      EXPECT_EQ(parsed.command, agent_cli::kRunCommand);
      EXPECT_TRUE(parsed.run == launch.args) << "redo " << redo << ", heartbeat " << heartbeat;
      EXPECT_EQ(parsed.run.heartbeat_seconds, heartbeat);
    }
  }
}

TEST(AgentCommand, DefaultsAreLeftToTheAgent) {
  AgentRunArgs args;
  args.store_url = "file:///srv/dli-store";
  args.run_id = "r1";
  args.host = "local";
  EXPECT_EQ(agent_argv("dli-agent", args),
            (std::vector<std::string>{"dli-agent", "run", "--store", "file:///srv/dli-store", "--run", "r1", "--host",
                                      "local"}));
  const Parsed parsed = parse_as_the_agent_does(agent_argv("dli-agent", args));
  ASSERT_EQ(parsed.error, "");
  EXPECT_TRUE(parsed.run == args);
  EXPECT_EQ(agent_argv("dli-agent", AgentDescribeArgs{}), (std::vector<std::string>{"dli-agent", "describe"}));
}

TEST(AgentCommand, TheAgentRefusesARunWithoutItsRequiredFlags) {
  EXPECT_NE(parse_as_the_agent_does({"dli-agent", "run", "--store", "file:///x", "--run", "r1"}).error, "");
  EXPECT_NE(parse_as_the_agent_does({"dli-agent"}).error, "");  // a subcommand is required
  EXPECT_EQ(parse_as_the_agent_does({"dli-agent", "version"}).command, agent_cli::kVersionCommand);
}

// Records the command check_host runs and answers as an agent would.
class RecordingShell : public HostShell {
 public:
  Status start_agent(const AgentLaunch&) override { return {}; }
  Result<CommandOutput> run(const std::vector<std::string>& argv, const std::string& stdin_data, double) override {
    argv_ = argv;
    stdin_ = stdin_data;
    return CommandOutput{0, R"({"host": {}, "store_probe": {"ok": true, "error": ""}})"};
  }
  std::optional<bool> agent_alive(int) override { return std::nullopt; }
  std::vector<std::string> argv_;
  std::string stdin_;
};

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

TEST(AgentCommand, DescribeArgumentsOfHostsCheckReadBackUnchanged) {
  HostConfig host;
  host.name = "node-1";
  host.kind = "ssh";
  RecordingShell shell;
  check_host(shell, host, "/opt/dli/bin/dli-agent", "file:///srv/dli-store");
  Parsed parsed = parse_as_the_agent_does(shell.argv_);
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.command, agent_cli::kDescribeCommand);
  EXPECT_TRUE(parsed.describe == (AgentDescribeArgs{true, "file:///srv/dli-store", "node-1", false}));

  // A store with a password: it goes on stdin, and the agent is told to read it there.
  const ScopedEnv password("DLI_STORE_PASSWORD", "s3cret");
  check_host(shell, host, "/opt/dli/bin/dli-agent", "ftp://bench@store.example/dli");
  parsed = parse_as_the_agent_does(shell.argv_);
  ASSERT_EQ(parsed.error, "");
  EXPECT_TRUE(parsed.describe == (AgentDescribeArgs{true, "ftp://bench@store.example/dli", "node-1", true}));
  EXPECT_NE(shell.stdin_.find("s3cret"), std::string::npos);
  for (const auto& arg : shell.argv_) EXPECT_EQ(arg.find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace dli
