#include "memory_limit.hpp"

#include <fmt/format.h>

namespace dli {

std::uint64_t address_space_limit_bytes(const MeasureConfig& measure) {
  if (measure.memory_limit_mb <= 0) return 0;
  return static_cast<std::uint64_t>(measure.memory_limit_mb) << 20;
}

std::string memory_limit_note(const MeasureConfig& measure) {
  if (measure.memory_limit_mb <= 0) return "";
  return fmt::format(", under a memory limit of {} MiB", measure.memory_limit_mb);
}

}  // namespace dli
