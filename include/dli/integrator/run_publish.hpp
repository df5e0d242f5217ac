#pragma once
// The integrator's writes that start a run: models (content-addressed), task lists, then the manifest.
#include <string>

#include "dli/integrator/plan.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/store/store.hpp"

namespace dli {

// "20261121-193000-<sweep>", made unique against the store's existing runs.
Result<std::string> new_run_id(Store& store, const std::string& sweep_name);

// Uploads each model file the plan needs unless the store already has it, then every host's task list,
// then the manifest (last, so a manifest means the run is fully published).
Result<Manifest> publish_run(Store& store, const Plan& plan, const std::string& run_id);

}  // namespace dli
