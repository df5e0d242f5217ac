#pragma once
// What an agent leaves on its host once the store has all of its run (docs/protocol.md 8).
#include <string>

namespace dli {

// Removes the run's scratch folder (each test's request and result, the spool, the agent's log and lock), the task
// list the integrator's start left in the work dir and the agent's output file (its log's lines again). For an agent
// whose every result and log the store has: nothing there is needed any more, and a host's work dir must not grow
// night after night. The model cache stays. Returns what could not be removed; empty when everything went.
std::string remove_run_scratch(const std::string& work_dir, const std::string& run_id);

}  // namespace dli
