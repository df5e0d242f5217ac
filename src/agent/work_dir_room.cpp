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

// Creates, writes and removes a one-byte file in `folder`; the error when any step fails.
std::optional<std::string> write_probe_problem(const std::string& folder) {
  const std::string path = folder + "/.write-probe." + std::to_string(::getpid());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fmt::format("a file cannot be written there ({})", std::strerror(errno));
  const bool written = ::write(fd, "x", 1) == 1;
  const int write_error = errno;
  const bool closed = ::close(fd) == 0;
  const int close_error = errno;
  ::unlink(path.c_str());
  if (!written) return fmt::format("a file cannot be written there ({})", std::strerror(write_error));
  if (!closed) return fmt::format("a file cannot be written there ({})", std::strerror(close_error));
  return std::nullopt;
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
