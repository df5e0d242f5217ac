#pragma once
// `dli-integrator publish URL`: the static site into a web root on a store (ftp://, ftps://, sftp://, file://),
// swapped in whole (docs/site.md, "On a web server").
#include <memory>
#include <string>
#include <vector>

#include "dli/history/history.hpp"
#include "dli/integrator/site_publish.hpp"
#include "dli/store/store.hpp"
#include "dli/util/result.hpp"

namespace dli {

// The root page that sends a reader to a version: the only object a publish replaces, so the switch is one atomic
// put. `version` is the version's folder under the root, e.g. "versions/v20261130T101500Z-42".
std::string site_pointer_page(const std::string& title, const std::string& version);

// Of the version folders on the store, those a publish of `current` removes: all but `current` and the newest
// other one (a reader may still be on it). Names sort by time (site_version_name).
std::vector<std::string> versions_to_prune(std::vector<std::string> names, const std::string& current);

// "v<UTC time, basic ISO 8601>-<pid>": sorts by time, and is a valid store key on every store.
std::string site_version_name();

// A publish to a store in two steps, so that a caller tells a history that cannot be read (prepare) from a store
// that cannot be written (upload). prepare() writes the site into a local temporary folder (removed with this
// object); upload() puts it under versions/<name>/ (its file list first, so even a half-uploaded version can be pruned
// later), then replaces index.html and feed.atom at the root with put() (atomic on every store) and prunes versions
// older than the previous one. The summary's `site` is the store's description, `version` the version's folder.
class SiteUpload {
 public:
  static Result<SiteUpload> prepare(HistoryDb& history, const std::string& title);
  Result<PublishSummary> upload(Store& store);

  SiteUpload(SiteUpload&&) noexcept;
  SiteUpload& operator=(SiteUpload&&) noexcept;
  ~SiteUpload();

 private:
  class Scratch;
  SiteUpload(std::unique_ptr<Scratch> scratch, PublishSummary summary, std::string title);
  std::unique_ptr<Scratch> scratch_;
  PublishSummary summary_;
  std::string title_;
};

}  // namespace dli
