#pragma once
// An agent started before its run was published (AgentRunArgs::launch, docs/protocol.md 6, "Start"): whether the
// run's manifest is there yet and carries this agent's launch token, and whether its starter is still there.
// Private to dli_agent.
#include <chrono>
#include <functional>
#include <optional>
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

// One launched agent's wait for its run's manifest: the starter's presence, the patience and a question to the store
// at a growing interval (soon at first: the integrator publishes within moments of the start; then every second).
// The publisher steps it between its other work; an agent without its start's task list waits on it at once.
class LaunchWait {
 public:
  using Clock = std::chrono::steady_clock;
  // `starter_present`: empty for launch_starter_present().
  LaunchWait(std::string run_id, std::string launch, double patience_seconds,
             std::function<bool()> starter_present = {});
  // Gives the run up when its starter is gone or the patience is spent; else, once next_check() has come, asks the
  // store. The store's failure is returned (asked again at the next check); state() and refused() say the rest.
  Status step(Store& store);
  // Steps until the run is confirmed (ok) or refused (its reason).
  Status wait(Store& store);
  LaunchState state() const { return state_; }
  // Why nothing of the run may be written: another integrator's manifest, the starter gone, the patience spent.
  const std::optional<Error>& refused() const { return refused_; }
  Clock::time_point next_check() const { return next_check_; }

 private:
  std::string run_id_;
  std::string launch_;
  double patience_seconds_;
  std::function<bool()> starter_present_;
  Clock::time_point deadline_;
  Clock::time_point next_check_{};
  double interval_ = 0.02;
  LaunchState state_ = LaunchState::kNotYet;
  std::optional<Error> refused_;
};

}  // namespace dli
