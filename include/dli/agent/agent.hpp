#pragma once
// The agent: runs its host's task list, one child process per test, keeping each result in a local spool until
// the store has it (docs/protocol.md 5 and 6).
#include <string>
#include <vector>

#include "dli/protocol/agent_command.hpp"
#include "dli/store/store.hpp"

namespace dli {

struct AgentOptions {
  std::string run_id;
  std::string host;
  std::string work_dir;     // model cache, spool and scratch files
  std::vector<std::string> runner_search_path;  // where the runners are (runner_search_path in runner_registry.hpp)
  bool redo = false;        // rerun tests that already have a result
  bool first_attempt = false;  // AgentRunArgs::first_attempt
  double heartbeat_seconds = kDefaultHeartbeatSeconds;
  double test_heartbeat_seconds = kDefaultTestHeartbeatSeconds;  // while a test measures
  // How long the agent waits for a store that does not answer: to read its task list or a model (then it gives
  // up on the run or the test), and after its last test for its spool to empty (then it ends store-failed).
  double store_patience_seconds = 600;
  double publish_deadline_seconds = 6 * 3600;
  std::string tasks_file;  // AgentRunArgs::tasks_file: the task list, when its start left it on this host
  std::string tasks_text;  // or the task list itself, when its start gave it on standard input ("-")
  std::string launch;      // AgentRunArgs::launch: started before the run was published
};

struct AgentSummary {
  int total = 0;
  int ran = 0;
  int skipped = 0;  // already had a result (in the store or in the spool)
  int failed = 0;   // failed, crashed or timeout (unsupported is not a failure)
  int not_started = 0;   // tests left when the store refused results or the work dir could not take them
  int unpublished = 0;   // results still in the spool when the agent ended
  bool store_failed = false;  // the store refused results, or did not take them all in time (exit code 5)
  std::string store_error;
  // Why the work dir could not take the next test, full or unwritable (empty when it could): the agent ends
  // `failed` (exit code 3).
  std::string work_dir_problem;
  // False when the agent was started before its run was published and the run never became its own (a foreign
  // manifest, or its starter gave the run up): it wrote nothing to the store, not even its log.
  bool run_confirmed = true;
};

// `store` is the run's store; the agent's test loop and its publisher thread share it (one operation at a time).
// Throws std::runtime_error when the task list cannot be read (after recording that in the host's status where
// it can); a failing test is never an exception.
AgentSummary run_agent(Store& store, const AgentOptions& options);

}  // namespace dli
