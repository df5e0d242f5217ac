#pragma once
// From what a runner measured to the test's figures: statistics, histogram, the mode's metrics and the verdict
// (docs/methodology.md). Computed once, by the agent, for every runner whatever its language. Pure.
#include "dli/protocol/runner_protocol.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

// The mode's throughput figures from its request (query) times (docs/methodology.md, "Modes and their metrics").
Throughput mode_metrics(const TestSpec& spec, const Summary& summary, const std::vector<double>& seconds,
                        double wall_seconds, double latency);

// The verdict's inputs for these figures and this spec. `host_busy` comes from the agent's host-load check.
VerdictInputs verdict_inputs(const TestSpec& spec, const Measurement& measurement, bool host_busy);

// raw.request_seconds must hold the times (the side file already loaded). Throws std::invalid_argument when there
// are none or the stream counts do not add up to them.
Measurement assess(const RawMeasurement& raw, const TestSpec& spec, bool host_busy = false);

}  // namespace dli
