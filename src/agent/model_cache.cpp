#include "model_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/agent/model_eviction.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/util/sha256.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

bool is_sha256_hex(const std::string& text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); });
}

// A base name only: it becomes a path under the cache folder.
bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

Result<std::string> hash_of(const fs::path& path) {
  try {
    return sha256_file_hex(path.string());
  } catch (const std::exception& error) {
    return Error{error.what()};
  }
}

// The marker records the hash and the size it was verified at: a file changed since then is hashed again.
std::string marker_text(const std::string& sha256, std::uintmax_t size) { return fmt::format("{} {}\n", sha256, size); }

bool marker_vouches(const fs::path& marker, const fs::path& file, const std::string& sha256) {
  std::ifstream in(marker);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code error;
  const auto size = fs::file_size(file, error);
  return !error && text == marker_text(sha256, size);
}

void write_marker(const fs::path& marker, const fs::path& file, const std::string& sha256) {
  std::error_code error;
  const auto size = fs::file_size(file, error);
  if (error) return;
  const fs::path temporary = marker.string() + fmt::format(".tmp.{}", ::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << marker_text(sha256, size);
    if (!out.flush()) return;  // without a marker the file is simply verified again next time
  }
  fs::rename(temporary, marker, error);
}

// The marker's modification time is the model's last use (docs/protocol.md 7): what make_room() goes by.
void mark_used(const fs::path& marker) { ::utimensat(AT_FDCWD, marker.c_str(), nullptr, 0); }

std::int64_t modified_at(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<std::int64_t>(info.st_mtim.tv_sec) : 0;
}

// Every model folder of the cache: its size and its newest file's time (a marker, or a download under way).
std::vector<CachedModel> cached_models(const std::string& cache_folder) {
  std::vector<CachedModel> models;
  std::error_code error;
  for (fs::directory_iterator entry(cache_folder, error), end; !error && entry != end; entry.increment(error)) {
    std::error_code ignored;
    const std::string name = entry->path().filename().string();
    if (!is_sha256_hex(name) || !entry->is_directory(ignored)) continue;
    CachedModel model{name, 0, modified_at(entry->path())};
    for (fs::directory_iterator file(entry->path(), ignored), last; !ignored && file != last; file.increment(ignored)) {
      std::error_code unreadable;
      const auto size = file->file_size(unreadable);
      if (!unreadable) model.bytes += size;
      model.last_used = std::max(model.last_used, modified_at(file->path()));
    }
    models.push_back(std::move(model));
  }
  return models;
}

}  // namespace

int ModelCache::make_room(std::uintmax_t wanted) {
  std::error_code error;
  const auto space = fs::space(folder_, error);
  // Room enough (a work dir gone read-only, say): the cache is not even listed.
  if (error || space.available >= wanted) return 0;
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  int removed = 0;
  for (const CachedModel& model : models_to_evict(cached_models(folder_), needed_, space.available, wanted, now)) {
    fs::remove_all(fs::path(folder_) / model.sha256, error);
    if (error) {
      spdlog::warn("cannot remove cached model {} to make room: {}", model.sha256, error.message());
      continue;
    }
    ++removed;
    spdlog::info("removed cached model {} ({} MiB, unused for {} h) to make room in {}", model.sha256,
                 model.bytes >> 20, (now - model.last_used) / 3600, folder_);
  }
  return removed;
}

Result<std::string> ModelCache::fetch(const std::string& sha256, const std::string& file_name) {
  if (!is_sha256_hex(sha256)) return Error{fmt::format("model {}: '{}' is not a sha256 hex digest", file_name, sha256)};
  if (!is_plain_file_name(file_name)) return Error{fmt::format("model file name '{}' is not a plain file name", file_name)};
  const fs::path folder = fs::path(folder_) / sha256;
  const fs::path file = folder / file_name;
  const fs::path marker = folder / (file_name + ".verified");
  std::error_code error;

  if (fs::is_regular_file(file, error)) {
    if (marker_vouches(marker, file, sha256)) {
      mark_used(marker);
      return file.string();
    }
    auto actual = hash_of(file);
    if (actual && actual.value() == sha256) {
      write_marker(marker, file, sha256);
      return file.string();
    }
    spdlog::warn("cached model {} is damaged ({}); fetching it again", file.string(),
                 actual ? "sha256 " + actual.value() : actual.error().message);
    fs::remove(marker, error);
    fs::remove(file, error);
  }

  if (before_download_) {
    if (auto ready = before_download_(); !ready) {
      return Error{fmt::format("cannot fetch model {}: {}", file_name, ready.error().message)};
    }
  }
  fs::create_directories(folder, error);
  if (error) return Error{fmt::format("cannot create model cache folder {}: {}", folder.string(), error.message())};
  const std::string key = layout::model(sha256);
  const fs::path download = folder / fmt::format(".{}.download.{}", file_name, ::getpid());
  spdlog::info("fetching model {} ({}) into {}", file_name, key, folder.string());
  Status fetched = store_.get_file(key, download.string());
  if (!fetched && fetched.error().kind == ErrorKind::kLocalNoSpace &&
      make_room(std::numeric_limits<std::uintmax_t>::max()) > 0) {
    // Old models of other runs were what filled the disk: the download is tried once more.
    spdlog::info("fetching model {} ({}) again", file_name, key);
    fetched = store_.get_file(key, download.string());
  }
  if (!fetched) {
    fs::remove(download, error);
    fs::remove(folder, error);  // only if empty: a missing model leaves no trace in the cache
    if (fetched.error().kind == ErrorKind::kLocalNoSpace) {
      const auto space = fs::space(folder_, error);
      return Error{fmt::format("cannot fetch model {} ({}): the disk of {} has no room for it ({} MiB free)", file_name,
                               key, folder_, error ? 0 : space.available >> 20),
                   false, ErrorKind::kLocalNoSpace};
    }
    return Error{fmt::format("cannot fetch model {} ({}): {}", file_name, key, fetched.error().message),
                 fetched.error().transient};
  }
  auto actual = hash_of(download);
  if (!actual || actual.value() != sha256) {
    fs::remove(download, error);
    fs::remove(folder, error);
    if (!actual) return Error{fmt::format("cannot hash downloaded model {}: {}", file_name, actual.error().message)};
    return Error{fmt::format("model {}: sha256 mismatch: expected {}, got {} (store object {})", file_name, sha256,
                             actual.value(), key)};
  }
  fs::rename(download, file, error);
  if (error) {
    const std::string reason = error.message();
    fs::remove(download, error);
    return Error{fmt::format("cannot move model {} into the cache: {}", file.string(), reason)};
  }
  write_marker(marker, file, sha256);
  return file.string();
}

}  // namespace dli
