#include "dli/agent/model_eviction.hpp"

#include <algorithm>

namespace dli {

std::vector<CachedModel> models_to_evict(std::vector<CachedModel> cached, const std::set<std::string>& needed,
                                         std::uintmax_t available, std::uintmax_t wanted, std::int64_t now,
                                         std::int64_t min_idle_seconds) {
  std::vector<CachedModel> removable;
  for (auto& model : cached) {
    if (needed.count(model.sha256) != 0 || now - model.last_used < min_idle_seconds) continue;
    removable.push_back(std::move(model));
  }
  // Oldest use first; the hash breaks ties so that the choice does not depend on the folder's listing order.
  std::sort(removable.begin(), removable.end(), [](const CachedModel& a, const CachedModel& b) {
    return a.last_used != b.last_used ? a.last_used < b.last_used : a.sha256 < b.sha256;
  });
  std::vector<CachedModel> chosen;
  for (auto& model : removable) {
    if (available >= wanted) break;
    available += model.bytes;
    chosen.push_back(std::move(model));
  }
  return chosen;
}

}  // namespace dli
