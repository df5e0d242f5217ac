#pragma once
// dli-agent's command line, defined once: the integrator writes it (agent_argv), dli-agent parses it with the
// same names (define_agent_cli, include/dli/agent/agent_cli.hpp). A unit test checks that what one writes the
// other reads back unchanged (tests/unit/test_agent_command.cpp).
#include <string>
#include <vector>

namespace dli {

// The subcommands and flags, as both sides spell them.
namespace agent_cli {
inline constexpr char kRunCommand[] = "run";
inline constexpr char kDescribeCommand[] = "describe";
inline constexpr char kVersionCommand[] = "version";
inline constexpr char kStore[] = "--store";
inline constexpr char kRunId[] = "--run";
inline constexpr char kHost[] = "--host";
inline constexpr char kWorkDir[] = "--work-dir";
inline constexpr char kRedo[] = "--redo";
inline constexpr char kFirstAttempt[] = "--first-attempt";
inline constexpr char kHeartbeat[] = "--heartbeat";
inline constexpr char kTestHeartbeat[] = "--test-heartbeat";
inline constexpr char kPublishDeadline[] = "--publish-deadline";
inline constexpr char kTasksFile[] = "--tasks-file";
inline constexpr char kLaunch[] = "--launch";
inline constexpr char kDetach[] = "--detach";
// The value of --tasks-file that means "the task list is this process's standard input".
inline constexpr char kTasksFromStdin[] = "-";
inline constexpr char kJson[] = "--json";
inline constexpr char kProbe[] = "--probe";
inline constexpr char kCredentialsStdin[] = "--credentials-stdin";
}  // namespace agent_cli

// Seconds between an agent's heartbeats (docs/protocol.md 5): far below the integrator's default 60 s of silence
// before a host is lost, and rare enough to cost the store and the measured host next to nothing.
inline constexpr double kDefaultHeartbeatSeconds = 5.0;
// While a test measures, the agent beats only this often (docs/protocol.md 5): a quarter of the integrator's
// default 60 s of silence before a host is lost. The integrator passes a quarter of its own `lost_after`.
inline constexpr double kDefaultTestHeartbeatSeconds = 15.0;

// `dli-agent run`: one host's task list of a run.
struct AgentRunArgs {
  std::string store_url;
  std::string run_id;
  std::string host;
  std::string work_dir;  // empty: /tmp/dli-agent-<host>
  bool redo = false;
  // The integrator's first start of this host in this run: nothing of it is in the store yet, so the agent neither
  // lists the run's heartbeats nor its results (docs/protocol.md 6), and the integrator retires its `starting`.
  bool first_attempt = false;
  double heartbeat_seconds = kDefaultHeartbeatSeconds;
  double test_heartbeat_seconds = kDefaultTestHeartbeatSeconds;  // at least heartbeat_seconds
  double publish_deadline_seconds = 0;  // 0: the agent's default (docs/protocol.md 6)
  // A copy of the host's tasks.json on the host, written by whoever started the agent (a local or batch start), or
  // "-" (agent_cli::kTasksFromStdin): the agent's standard input carries it (the SSH start command's). With it the
  // agent starts its first test without waiting for a store login. Empty, missing or not this run's and host's:
  // the agent reads its task list from the store (docs/protocol.md 6, "Start").
  std::string tasks_file = {};
  // Started before the run was published (docs/protocol.md 6, "Start"): the agent measures at once but uses the
  // store for the run only once its manifest carries this token, and gives up if its starter goes away first.
  std::string launch = {};
  // Leave the starter's session (setsid) and ignore its hangup: an agent started over SSH outlives the connection.
  bool detach = false;
  bool operator==(const AgentRunArgs& other) const;
};

// `dli-agent describe`: this machine, and optionally a store probe.
struct AgentDescribeArgs {
  bool as_json = false;
  std::string store_url;   // empty: no probe
  std::string probe_name;  // the probe object's name (the host's); empty: "host"
  bool credentials_stdin = false;  // store credentials (netrc text) come on stdin, never on the command line
  bool operator==(const AgentDescribeArgs& other) const;
};

// The full command line, argv[0] = agent_exe. Values left at their defaults are left out.
std::vector<std::string> agent_argv(const std::string& agent_exe, const AgentRunArgs& args);
std::vector<std::string> agent_argv(const std::string& agent_exe, const AgentDescribeArgs& args);

}  // namespace dli
