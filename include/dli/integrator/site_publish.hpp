#pragma once
// `dli-integrator publish`: the static site of every run in the history (docs/site.md), swapped in whole.
#include <string>

#include "dli/history/history.hpp"
#include "dli/util/result.hpp"

namespace dli {

struct PublishSummary {
  std::string site;     // the published folder (a symbolic link to its current version)
  std::string version;  // the folder it now points to
  int runs = 0, series = 0;
};

// Writes the site into a new version folder beside `site_dir` (<site_dir>.versions/<stamp>), then points
// `site_dir` (a symbolic link) at it with one rename, so that a reader sees the old site or the new one, never a mix;
// older versions but the previous one are removed. Refuses a `site_dir` that exists and is not such a link.
Result<PublishSummary> publish_site(HistoryDb& history, const std::string& site_dir, const std::string& title);

// Writes every page of the site into `folder` (which exists), as one version; `site` and `version` stay empty.
Result<PublishSummary> write_site(HistoryDb& history, const std::string& folder, const std::string& title);

}  // namespace dli
