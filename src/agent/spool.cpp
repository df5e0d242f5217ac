#include "dli/agent/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "dli/protocol/protocol.hpp"
#include "dli/util/local_file.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

constexpr char kResultSuffix[] = ".result.json";

}  // namespace

Spool::Spool(std::string folder) : folder_(std::move(folder)) {
  std::error_code error;
  fs::create_directories(folder_, error);
  if (error) throw std::runtime_error(fmt::format("cannot create the spool {}: {}", folder_, error.message()));
}

std::string Spool::result_path(const std::string& id) const { return folder_ + "/" + id + kResultSuffix; }
std::string Spool::log_path(const std::string& id) const { return folder_ + "/" + id + ".log"; }

void Spool::keep(const TestResult& result, const std::string& log_path) {
  const std::string id = task_key(result.spec);
  std::error_code error;
  if (fs::exists(log_path, error)) {
    fs::rename(log_path, this->log_path(id), error);
    if (error) throw std::runtime_error(fmt::format("cannot move {} into the spool: {}", log_path, error.message()));
  }
  write_file_atomically(result_path(id), to_json(result).dump(1));
}

namespace {

// fsync of a file that may have just been released (published): gone is fine.
void sync_if_present(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;
    throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) throw std::runtime_error(fmt::format("cannot sync {}: {}", path, std::strerror(error)));
}

}  // namespace

void Spool::make_durable(const std::string& id) const {
  sync_if_present(log_path(id));
  sync_if_present(result_path(id));
  sync_if_present(folder_);  // the renames into it
}

std::vector<std::string> Spool::waiting() const {
  std::vector<std::string> ids;
  std::error_code error;
  const std::string suffix = kResultSuffix;
  for (const auto& entry : fs::directory_iterator(folder_, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      ids.push_back(name.substr(0, name.size() - suffix.size()));
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void Spool::release(const std::string& id) {
  std::error_code error;
  fs::remove(result_path(id), error);
  fs::remove(log_path(id), error);
}

}  // namespace dli
