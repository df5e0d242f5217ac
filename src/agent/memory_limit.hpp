#pragma once
// A test's memory limit (the sweep's measure.memory_limit_mb) as the agent applies and reports it. Private to
// the agent component.
#include <cstdint>
#include <string>

#include "dli/measure/measure_config.hpp"

namespace dli {

// RLIMIT_AS for the runner's process, in bytes; 0: no limit.
std::uint64_t address_space_limit_bytes(const MeasureConfig& measure);

// Appended to the reason of a runner that was killed or could not start under a limit: ", under a memory limit
// of N MiB"; empty without one. Only a hint: a process that fails an allocation past RLIMIT_AS dies the way it
// would for any other cause (SIGSEGV on a null pointer, SIGABRT from std::terminate), so the agent cannot know.
std::string memory_limit_note(const MeasureConfig& measure);

}  // namespace dli
