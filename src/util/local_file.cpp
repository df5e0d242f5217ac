#include "dli/util/local_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

#include "block_file_buffer.hpp"

namespace dli {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  write_file_atomically(path, [&content](std::ostream& out) { out << content; });
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot create", temporary);
  try {
    util_detail::BlockFileBuffer buffer(fd);  // whole blocks, not a system call a row
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.error() != 0) {
      errno = buffer.error();
      fail("cannot write", temporary);
    }
    if (!out) throw std::runtime_error("cannot write " + temporary);
    const int closed = ::close(std::exchange(fd, -1));  // never twice: another thread may reuse the number
    if (closed != 0) fail("cannot write", temporary);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  std::filesystem::rename(temporary, path);
}

void sync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path);
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) fail("cannot sync", path);
}

void write_file_durably(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", temporary);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t step = ::write(fd, content.data() + written, content.size() - written);
    if (step < 0 && errno == EINTR) continue;
    if (step <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      errno = error;
      fail("cannot write", temporary);
    }
    written += static_cast<std::size_t>(step);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    errno = error;
    fail("cannot sync", temporary);
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    errno = error;
    fail("cannot rename into", path);
  }
  const std::string folder = std::filesystem::path(path).parent_path().string();
  sync_path(folder.empty() ? "." : folder);
}

}  // namespace dli

namespace dli {

Result<void> write_private_file(const std::string& path, const std::string& content) {
  ::unlink(path.c_str());  // an existing file would keep its mode
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"cannot create " + path + ": " + std::strerror(errno)};
  const bool written = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!written) return Error{"cannot write " + path};
  return {};
}

}  // namespace dli
