#pragma once
// Watches a store's folder on disk (the FTP server's home) while a run goes on, and records any object visible
// under a final key (a name not starting with '.') that is not whole: a JSON document that does not parse, a model
// of the wrong size. The store publishes under temporary names and renames (docs/protocol.md 1.1), so a transfer
// cut off by a dying server must never show.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_dir.hpp"

namespace dli::testing {

class StoreWatch {
 public:
  // `model_sizes`: the bytes each models/<sha256> must have.
  StoreWatch(std::string root, std::map<std::string, std::uintmax_t> model_sizes)
      : root_(std::move(root)), model_sizes_(std::move(model_sizes)) {
    thread_ = std::thread([this] {
      while (!stop_) {
        scan();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }
  ~StoreWatch() { finish(); }
  StoreWatch(const StoreWatch&) = delete;
  StoreWatch& operator=(const StoreWatch&) = delete;

  // Stops watching; what was found wrong (empty when every object seen was whole).
  std::vector<std::string> finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mutex_);
    return problems_;
  }
  int scans() const { return scans_; }
  int objects_checked() const { return checked_; }

 private:
  void scan() {
    namespace fs = std::filesystem;
    std::error_code error;
    for (fs::recursive_directory_iterator it(root_, error), end; !error && it != end; it.increment(error)) {
      const fs::path path = it->path();
      const std::string name = path.filename().string();
      if (name.empty() || name[0] == '.' || !it->is_regular_file(error)) continue;
      if (!changed(path)) continue;  // checked as it is now: only a replaced object needs a new look
      const std::string folder = path.parent_path().filename().string();
      if (folder == "models") {
        check_model(path, name);
      } else if (path.extension() == ".json") {
        check_json(path);
      }
    }
    ++scans_;
  }

  // Whether `path` differs (another file, size or time) from when it was last checked; remembers it as it is now.
  bool changed(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return false;
    const Seen now{info.st_ino, info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec};
    auto [at, added] = seen_.emplace(path.string(), now);
    if (added) return true;
    if (at->second == now) return false;
    at->second = now;
    return true;
  }

  void check_model(const std::filesystem::path& path, const std::string& sha256) {
    const auto wanted = model_sizes_.find(sha256);
    if (wanted == model_sizes_.end()) return;
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (error) return;  // replaced or removed meanwhile
    ++checked_;
    if (size != wanted->second) {
      add(path.string() + ": " + std::to_string(size) + " of " + std::to_string(wanted->second) + " bytes");
    }
  }

  void check_json(const std::filesystem::path& path) {
    // Opened once: a rename over it afterwards does not change what this read sees.
    const std::string text = read_file(path.string());
    if (text.empty() && !std::filesystem::exists(path)) return;  // removed between listing and reading
    ++checked_;
    if (!nlohmann::json::accept(text)) {
      add(path.string() + ": not a whole JSON document (" + std::to_string(text.size()) + " bytes)");
    }
  }

  void add(std::string problem) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (problems_.size() < 20) problems_.push_back(std::move(problem));
  }

  struct Seen {
    ino_t inode;
    off_t size;
    time_t seconds;
    long nanoseconds;
    bool operator==(const Seen& other) const {
      return inode == other.inode && size == other.size && seconds == other.seconds &&
             nanoseconds == other.nanoseconds;
    }
  };

  std::string root_;
  std::map<std::string, std::uintmax_t> model_sizes_;
  std::map<std::string, Seen> seen_;  // the watcher thread's own
  std::atomic<bool> stop_{false};
  std::atomic<int> scans_{0};
  std::atomic<int> checked_{0};
  std::mutex mutex_;
  std::vector<std::string> problems_;
  std::thread thread_;
};

}  // namespace dli::testing
