#pragma once
// An agent started before its run was published (AgentRunArgs::launch, docs/protocol.md 6, "Start"): whether the
// run's manifest is there yet and carries this agent's launch token, and whether its starter is still there.
// Private to dli_agent.
#include <string>

#include "dli/store/store.hpp"
#include "dli/util/result.hpp"

namespace dli {

enum class LaunchState {
  kConfirmed,  // the manifest carries the token: the run is this agent's
  kNotYet,     // no manifest yet
  kForeign,    // a manifest without this token: another integrator's run has the id
};

// Pure: what `manifest_text` (a manifest.json) says of `launch`. An unreadable manifest is not this launch's.
LaunchState launch_state_of(const std::string& manifest_text, const std::string& launch);

// Whether the run's manifest is there (one question), and if so one read of it.
Result<LaunchState> check_launch(Store& store, const std::string& run_id, const std::string& launch);

// The integrator that starts an agent before publishing holds the other end of the agent's fd 3 (the SSH start's
// channel, or a local pipe); false once that end is closed: its starter gave the run up (or ended) before publishing
// it. True when fd 3 is not a pipe: nothing to tell.
bool launch_starter_present();

}  // namespace dli
