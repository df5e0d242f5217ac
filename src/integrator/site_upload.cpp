#include "dli/integrator/site_upload.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/report/report.hpp"

namespace dli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFileList = "files.txt";  // in each version: its files, one relative path a line

}  // namespace

// A temporary folder removed with everything in it, however the publish ends.
class SiteUpload::Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "dli-site-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder");
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

namespace {

std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(entry.path().lexically_relative(root).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every folder that holds one of `files` (relative paths), parents before children.
std::vector<std::string> folders_of(const std::vector<std::string>& files, const std::string& prefix) {
  std::set<std::string> folders;
  for (const auto& file : files) {
    for (auto slash = file.find('/'); slash != std::string::npos; slash = file.find('/', slash + 1)) {
      folders.insert(prefix + "/" + file.substr(0, slash));
    }
  }
  std::vector<std::string> ordered{prefix};
  ordered.insert(ordered.end(), folders.begin(), folders.end());
  return ordered;  // std::set's order puts "a" before "a/b"
}

// Removes one old version: its files by its list, then its folders deepest first. A version without a list (written
// by hand?) is left alone.
Status prune_version(Store& store, const std::string& folder) {
  auto listed = store.get(folder + "/" + kFileList);
  if (!listed) return listed.error();
  std::vector<std::string> files;
  std::istringstream lines(listed.value());
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) files.push_back(line);
  }
  for (const auto& file : files) {
    if (auto removed = store.remove(folder + "/" + file); !removed) return removed;
  }
  if (auto removed = store.remove(folder + "/" + kFileList); !removed) return removed;
  auto folders = folders_of(files, folder);
  for (auto it = folders.rbegin(); it != folders.rend(); ++it) {
    if (auto removed = store.remove_folder(*it); !removed) return removed;
  }
  return {};
}

}  // namespace

std::string site_pointer_page(const std::string& title, const std::string& version) {
  const std::string target = html_escape(version + "/index.html");
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title) +
         "</title>\n<meta http-equiv=\"refresh\" content=\"0; url=" + target + "\">\n</head>\n<body>\n<p><a href=\"" +
         target + "\">" + html_escape(title) + ": the latest published results</a></p>\n</body>\n</html>\n";
}

std::vector<std::string> versions_to_prune(std::vector<std::string> names, const std::string& current) {
  std::sort(names.begin(), names.end());
  names.erase(std::remove(names.begin(), names.end(), current), names.end());
  if (!names.empty()) names.pop_back();  // the newest other: the version readers were on until now
  return names;
}

std::string site_version_name() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return fmt::format("v{}-{}", stamp, ::getpid());
}

SiteUpload::SiteUpload(std::unique_ptr<Scratch> scratch, PublishSummary summary, std::string title)
    : scratch_(std::move(scratch)), summary_(std::move(summary)), title_(std::move(title)) {}
SiteUpload::SiteUpload(SiteUpload&&) noexcept = default;
SiteUpload& SiteUpload::operator=(SiteUpload&&) noexcept = default;
SiteUpload::~SiteUpload() = default;

Result<SiteUpload> SiteUpload::prepare(HistoryDb& history, const std::string& title) {
  auto scratch = std::make_unique<Scratch>();
  auto written = write_site(history, scratch->path().string(), title);
  if (!written) return written.error();
  return SiteUpload(std::move(scratch), written.value(), title);
}

Result<PublishSummary> SiteUpload::upload(Store& store) {
  const fs::path& local = scratch_->path();
  const std::string name = site_version_name();
  const std::string version = "versions/" + name;
  PublishSummary summary = summary_;
  summary.site = store.describe();
  summary.version = version;

  const auto files = files_under(local);
  std::string list;
  for (const auto& file : files) list += file + "\n";
  if (auto put = store.put(version + "/" + kFileList, list); !put) return put.error();
  if (auto made = store.make_folders(folders_of(files, version)); !made) return made.error();
  for (const auto& file : files) {
    // Nobody reads a version before the pointer names it: no need for put()'s temporary and rename.
    auto put = store.put_file_in_place(version + "/" + file, (local / file).string());
    if (!put) return put.error();
  }
  // The switch: one atomic put. The feed's copy at the root follows; its readers poll, a moment's lag is harmless.
  if (auto put = store.put("index.html", site_pointer_page(title_, version)); !put) return put.error();
  if (auto put = store.put_file("feed.atom", (local / "feed.atom").string()); !put) return put.error();

  auto names = store.list("versions");
  if (!names) {
    spdlog::warn("published, but cannot list the older versions to remove them: {}", names.error().message);
    return summary;
  }
  for (const auto& old : versions_to_prune(names.value(), name)) {
    if (auto pruned = prune_version(store, "versions/" + old); !pruned) {
      spdlog::warn("published, but cannot remove the old version {}: {}", old, pruned.error().message);
    }
  }
  return summary;
}

}  // namespace dli
