#pragma once
// The order a host runs its tests in, repeats included (docs/methodology.md, "Repeats"). Pure.
#include <cstdint>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

// Expands each test into its measure.repeats tasks (repeat 1..N; a test of one repeat stays a single task with
// repeat 0; accuracy tests are never repeated: their answers do not vary) and orders them:
//   grouped:     A1 A2 A3 B1 B2 B3  (the plan's order, each test's repeats back to back)
//   interleaved: A1 B1 A2 B2 A3 B3  (rounds: every test once per round, in the plan's order)
//   shuffled:    every task in an order drawn from `seed` (the same seed gives the same order everywhere)
std::vector<TestSpec> arrange_tests(const std::vector<TestSpec>& tests, TestOrder order, std::uint64_t seed);

}  // namespace dli
