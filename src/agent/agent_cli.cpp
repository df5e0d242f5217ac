#include "dli/agent/agent_cli.hpp"

#include <string>

#include <CLI/CLI.hpp>

#include "dli/util/version.hpp"

namespace dli {

AgentSubcommands define_agent_cli(CLI::App& app, AgentRunArgs& run, AgentDescribeArgs& describe) {
  using namespace agent_cli;
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("dli-agent ") + kVersion);
  AgentSubcommands commands;

  commands.run = app.add_subcommand(kRunCommand, "Run this host's task list of a run");
  commands.run->add_option(kStore, run.store_url, "Store URL, e.g. file:///srv/dli-store")->required();
  commands.run->add_option(kRunId, run.run_id, "Run id")->required();
  commands.run->add_option(kHost, run.host, "This host's name in the fleet")->required();
  commands.run->add_option(kWorkDir, run.work_dir, "Model cache and scratch files (default /tmp/dli-agent-<host>)");
  commands.run->add_flag(kRedo, run.redo, "Run again tests that already have a result");
  commands.run->add_flag(kFirstAttempt, run.first_attempt,
                         "The integrator's first start of this host in this run (nothing of it in the store yet)");
  commands.run->add_option(kHeartbeat, run.heartbeat_seconds, "Seconds between status rewrites")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  commands.run->add_option(kTestHeartbeat, run.test_heartbeat_seconds,
                           "Seconds between status rewrites while a test measures (at least --heartbeat)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  commands.run->add_option(kPublishDeadline, run.publish_deadline_seconds,
                           "Seconds the agent waits, after its last test, for the store to take its spooled results "
                           "(default 21600)")
      ->check(CLI::Range(1.0, 7 * 24 * 3600.0));
  commands.run->add_option(kTasksFile, run.tasks_file,
                           "This host's task list as a local file (the start command writes it), or - for standard "
                           "input; missing or not this run's: read from the store");
  commands.run->add_option(kLaunch, run.launch,
                           "Started before the run was published: use the store for it only once its manifest "
                           "carries this token (the integrator's; docs/protocol.md 6)");
  commands.run->add_flag(kDetach, run.detach,
                         "Leave the starter's session and ignore its hangup (a start over SSH; docs/fleet-ssh.md)");

  commands.describe =
      app.add_subcommand(kDescribeCommand, "Describe this host: CPU, cores, memory, OS, frameworks");
  commands.describe->add_flag(kJson, describe.as_json, "As JSON");
  commands.describe->add_option(kStore, describe.store_url, "Also write, read and delete a probe object here");
  commands.describe->add_option(kProbe, describe.probe_name, "Name in the probe object's key (the host name)");
  commands.describe->add_flag(kCredentialsStdin, describe.credentials_stdin,
                              "Read store credentials (netrc text) from stdin");

  commands.version = app.add_subcommand(kVersionCommand, "Print the version");
  return commands;
}

}  // namespace dli
