#pragma once
// Which cached models a host whose disk runs short may remove (docs/protocol.md 7, "Room on the host"). The cache
// lives across runs, so without this a host's work dir fills up over nights of new model versions, and its agent
// then stops starting tests. Only models this run does not use and nobody used for a while go: another agent of
// the host may be about to start a test of one it fetched moments ago.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace dli {

// A model must have been idle this long before the cache may remove it.
inline constexpr std::int64_t kModelIdleBeforeEvictionSeconds = 3600;

struct CachedModel {
  std::string sha256;        // its folder's name in the cache
  std::uintmax_t bytes = 0;  // of everything in its folder
  std::int64_t last_used = 0;  // seconds since the epoch: its newest file's modification time
};

// The cached models to remove, least recently used first, so that `available` bytes become at least `wanted`:
// none of `needed` (this run's files) and none used within `min_idle_seconds` of `now`. Stops as soon as enough
// is freed; when all that may go is not enough, all that may go.
std::vector<CachedModel> models_to_evict(std::vector<CachedModel> cached, const std::set<std::string>& needed,
                                         std::uintmax_t available, std::uintmax_t wanted, std::int64_t now,
                                         std::int64_t min_idle_seconds = kModelIdleBeforeEvictionSeconds);

}  // namespace dli
