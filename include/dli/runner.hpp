#pragma once
// Runs one test in the current process (the agent's child): load, first inference, warm-up, timed loop.
#include "dli/launcher.hpp"
#include "dli/test_result.hpp"
#include "dli/test_spec.hpp"

namespace dli {

// Throws std::runtime_error (bad model, unknown launcher, ...); the agent records it as a failed test.
Measurement run_test(const TestSpec& spec, const ModelFiles& files);

}  // namespace dli
