#pragma once
// The integrator's writes that start a run: models (content-addressed), task lists, then the manifest.
#include <string>

#include "dli/integrator/plan.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/store/store.hpp"

namespace dli {

// "20261121-193000-<sweep>" for a run starting now.
std::string run_id_now(const std::string& sweep_name);
// `wanted`, or with "-2", "-3", ... after it: the first that no run of the store has.
Result<std::string> free_run_id(Store& store, const std::string& wanted);
// free_run_id(run_id_now(sweep_name)).
Result<std::string> new_run_id(Store& store, const std::string& sweep_name);

// 32 random hex digits: the token of agents started before their run is published (docs/protocol.md 6, "Start").
std::string new_launch_token();

// Uploads each model file the plan needs unless the store already has it, then every host's task list,
// then the manifest (last, so a manifest means the run is fully published), carrying `launch` when not empty.
Result<Manifest> publish_run(Store& store, const Plan& plan, const std::string& run_id,
                             const std::string& launch = "");

}  // namespace dli
