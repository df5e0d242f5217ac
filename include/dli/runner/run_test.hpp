#pragma once
// One test in this process, by the methodology's definitions: checks, load, first inference, warm-up, timed loop,
// statistics (sync, async), or the dataset's top-1/top-5 (accuracy).
#include "dli/protocol/runner_protocol.hpp"
#include "dli/runner/framework.hpp"

namespace dli::runner {

// Never throws for the test's own problems: they become a result with status unsupported or failed.
RunnerResult run_test(Framework& framework, const RunnerRequest& request);

// Top-1 and top-5 hits of one batch's outputs (batch x classes floats) against its labels; the first `valid`
// images count, the rest are padding. A label ranks by the outputs strictly above it, ties to the lower index.
struct TopK {
  std::int64_t top1 = 0;
  std::int64_t top5 = 0;
};
TopK count_top_k(const std::vector<float>& outputs, const std::int32_t* labels, int batch, int valid);

}  // namespace dli::runner
