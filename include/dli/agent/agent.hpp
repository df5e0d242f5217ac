#pragma once
// The agent: runs its host's task list, one child process per test, publishing each result as it ends.
#include <string>
#include <vector>

#include "dli/store/store.hpp"

namespace dli {

struct AgentOptions {
  std::string run_id;
  std::string host;
  std::string work_dir;     // model cache and scratch files
  std::vector<std::string> runner_search_path;  // where the runners are (runner_search_path in runner_registry.hpp)
  bool redo = false;        // rerun tests that already have a result
  double heartbeat_seconds = 2.0;
};

struct AgentSummary {
  int total = 0;
  int ran = 0;
  int skipped = 0;  // already had a result
  int failed = 0;   // failed, crashed or timeout (unsupported is not a failure)
};

// Throws std::runtime_error when the task list cannot be read; a failing test is never an exception.
AgentSummary run_agent(Store& store, const AgentOptions& options);

}  // namespace dli
