#include "dli/protocol/agent_command.hpp"

#include <fmt/format.h>

namespace dli {

bool AgentRunArgs::operator==(const AgentRunArgs& other) const {
  return store_url == other.store_url && run_id == other.run_id && host == other.host &&
         work_dir == other.work_dir && redo == other.redo && first_attempt == other.first_attempt && heartbeat_seconds == other.heartbeat_seconds &&
         test_heartbeat_seconds == other.test_heartbeat_seconds &&
         publish_deadline_seconds == other.publish_deadline_seconds && tasks_file == other.tasks_file &&
         launch == other.launch && detach == other.detach;
}

bool AgentDescribeArgs::operator==(const AgentDescribeArgs& other) const {
  return as_json == other.as_json && store_url == other.store_url && probe_name == other.probe_name &&
         credentials_stdin == other.credentials_stdin;
}

std::vector<std::string> agent_argv(const std::string& agent_exe, const AgentRunArgs& args) {
  using namespace agent_cli;
  std::vector<std::string> argv = {agent_exe, kRunCommand};
  argv.insert(argv.end(), {kStore, args.store_url, kRunId, args.run_id, kHost, args.host});
  if (!args.work_dir.empty()) argv.insert(argv.end(), {kWorkDir, args.work_dir});
  if (args.redo) argv.emplace_back(kRedo);
  if (args.first_attempt) argv.emplace_back(kFirstAttempt);
  // "{}" is the shortest text that reads back as the same double.
  if (args.heartbeat_seconds != AgentRunArgs{}.heartbeat_seconds) {
    argv.insert(argv.end(), {kHeartbeat, fmt::format("{}", args.heartbeat_seconds)});
  }
  if (args.test_heartbeat_seconds != AgentRunArgs{}.test_heartbeat_seconds) {
    argv.insert(argv.end(), {kTestHeartbeat, fmt::format("{}", args.test_heartbeat_seconds)});
  }
  if (args.publish_deadline_seconds != AgentRunArgs{}.publish_deadline_seconds) {
    argv.insert(argv.end(), {kPublishDeadline, fmt::format("{}", args.publish_deadline_seconds)});
  }
  if (!args.tasks_file.empty()) argv.insert(argv.end(), {kTasksFile, args.tasks_file});
  if (!args.launch.empty()) argv.insert(argv.end(), {kLaunch, args.launch});
  if (args.detach) argv.emplace_back(kDetach);
  return argv;
}

std::vector<std::string> agent_argv(const std::string& agent_exe, const AgentDescribeArgs& args) {
  using namespace agent_cli;
  std::vector<std::string> argv = {agent_exe, kDescribeCommand};
  if (args.as_json) argv.emplace_back(kJson);
  if (!args.store_url.empty()) argv.insert(argv.end(), {kStore, args.store_url});
  if (!args.probe_name.empty()) argv.insert(argv.end(), {kProbe, args.probe_name});
  if (args.credentials_stdin) argv.emplace_back(kCredentialsStdin);
  return argv;
}

}  // namespace dli
