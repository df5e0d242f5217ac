#pragma once
// The agent's work dir on a host (docs/protocol.md 8-9): what the integrator's start puts there and what the agent
// keeps there, by name, for both sides.
#include <string>

namespace dli {

// "store-<run>.netrc": the name the agent recognises as its own credentials file to remove (agent/main.cpp).
std::string credentials_file_name(const std::string& run_id);
// "tasks-<run>.json": the start's copy of the host's task list in the work dir (AgentRunArgs::tasks_file).
std::string tasks_file_name(const std::string& run_id);
// "agent-<run>.out": the agent's standard output and error, where its start sends them (the same lines as its log,
// and whatever a crash says).
std::string agent_output_file_name(const std::string& run_id);
// "<work dir>/runs/<run>": the run's scratch (each test's request, result and log, the spool, the agent's log and
// lock).
std::string run_folder(const std::string& work_dir, const std::string& run_id);

}  // namespace dli
