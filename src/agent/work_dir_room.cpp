#include "dli/agent/work_dir_room.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace dli {

namespace {

std::string in_binary_units(std::uintmax_t bytes) {
  if (bytes >= (std::uintmax_t{1} << 20) && bytes % (std::uintmax_t{1} << 20) == 0) {
    return fmt::format("{} MiB", bytes >> 20);
  }
  return fmt::format("{} KiB", bytes >> 10);
}

}  // namespace

std::optional<std::string> room_shortfall(std::uintmax_t available, std::uintmax_t needed) {
  if (available >= needed) return std::nullopt;
  return fmt::format("{} free, a test needs {}", in_binary_units(available), in_binary_units(needed));
}

std::optional<std::string> work_dir_room_problem(const std::string& folder, std::uintmax_t needed) {
  std::error_code error;
  const std::filesystem::space_info space = std::filesystem::space(folder, error);
  if (error) return std::nullopt;
  return room_shortfall(space.available, needed);
}

}  // namespace dli
