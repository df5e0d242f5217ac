#include "dli/agent/work_dir_room.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
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

// Creates, writes and removes a one-byte file in `folder`; the first step's error, if one failed.
std::optional<std::string> write_probe_problem(const std::string& folder) {
  const std::string path = folder + "/.write-probe." + std::to_string(::getpid());
  int error = 0;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = errno;
  } else {
    if (::write(fd, "x", 1) != 1) error = errno;
    if (::close(fd) != 0 && error == 0) error = errno;
    ::unlink(path.c_str());
  }
  if (error == 0) return std::nullopt;
  return fmt::format("a file cannot be written there ({})", std::strerror(error));
}

}  // namespace

std::optional<std::string> room_shortfall(std::uintmax_t available, std::uintmax_t needed) {
  if (available >= needed) return std::nullopt;
  return fmt::format("{} free, a test needs {}", in_binary_units(available), in_binary_units(needed));
}

std::optional<std::string> work_dir_problem(const std::string& folder, bool probe_writing, std::uintmax_t needed) {
  std::error_code error;
  const std::filesystem::space_info space = std::filesystem::space(folder, error);
  if (error) return std::nullopt;
  if (auto shortfall = room_shortfall(space.available, needed)) return shortfall;
  return probe_writing ? write_probe_problem(folder) : std::nullopt;
}

}  // namespace dli
