#pragma once
// The agent's cache of model files, fetched from the store by content address (models/<sha256>) and verified.
// Private to dli_core.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "dli/util/result.hpp"
#include "dli/store/store.hpp"

namespace dli {

class ModelCache {
 public:
  // `folder` is <work_dir>/models; it survives runs, so a model is downloaded once per host.
  // `before_download`: asked before the store is read (an agent whose run may not be published yet waits there).
  ModelCache(Store& store, std::string folder, std::function<Status()> before_download = {})
      : store_(store), folder_(std::move(folder)), before_download_(std::move(before_download)) {}

  // Local path <folder>/<sha256>/<file_name> of a verified copy: reused when a "<file_name>.verified" marker
  // vouches for it, re-hashed when the marker is missing, otherwise downloaded to a temporary file, hashed, and
  // renamed into place. Error (naming both hashes on a mismatch) when it cannot be had.
  // A download that fills the disk is tried once more after make_room() freed what it may.
  Result<std::string> fetch(const std::string& sha256, const std::string& file_name);

  // The files (sha256) this run uses: never removed to make room.
  void set_needed(std::set<std::string> sha256s) { needed_ = std::move(sha256s); }

  // Removes cached models, least recently used first, until the cache's file system has `wanted` bytes available
  // (or all that may go, docs/protocol.md 7: none this run needs, none used within the last hour). Returns how
  // many it removed.
  int make_room(std::uintmax_t wanted);

 private:
  Store& store_;
  std::string folder_;
  std::function<Status()> before_download_;
  std::set<std::string> needed_;
};

}  // namespace dli
