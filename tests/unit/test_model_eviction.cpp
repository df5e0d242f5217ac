// Which cached models a host short of room removes: pure logic, exact expectations.
#include "dli/agent/model_eviction.hpp"

#include <gtest/gtest.h>

namespace dli {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kHour = 3600;
constexpr std::uintmax_t kMiB = std::uintmax_t{1} << 20;

std::vector<std::string> hashes(const std::vector<CachedModel>& models) {
  std::vector<std::string> names;
  for (const auto& model : models) names.push_back(model.sha256);
  return names;
}

TEST(ModelEviction, NothingGoesWhileThereIsRoom) {
  const std::vector<CachedModel> cached = {{"a", 100 * kMiB, kNow - 30 * 24 * kHour}};
  EXPECT_TRUE(models_to_evict(cached, {}, 16 * kMiB, 16 * kMiB, kNow).empty());
}

TEST(ModelEviction, LeastRecentlyUsedGoFirstAndOnlyAsManyAsTheRoomNeeds) {
  const std::vector<CachedModel> cached = {{"recent", 10 * kMiB, kNow - 2 * kHour},
                                           {"oldest", 10 * kMiB, kNow - 50 * kHour},
                                           {"older", 10 * kMiB, kNow - 20 * kHour}};
  EXPECT_EQ(hashes(models_to_evict(cached, {}, 1 * kMiB, 16 * kMiB, kNow)),
            (std::vector<std::string>{"oldest", "older"}));
  EXPECT_EQ(hashes(models_to_evict(cached, {}, 6 * kMiB, 16 * kMiB, kNow)), (std::vector<std::string>{"oldest"}));
}

TEST(ModelEviction, NeverWhatThisRunNeedsNorWhatWasUsedWithinTheIdleTime) {
  const std::vector<CachedModel> cached = {{"needed", 50 * kMiB, kNow - 50 * kHour},
                                           {"just-used", 50 * kMiB, kNow - kHour + 1},
                                           {"idle", 5 * kMiB, kNow - kHour}};
  // Not enough can go: all that may go does (the idle one), never the other two.
  EXPECT_EQ(hashes(models_to_evict(cached, {"needed"}, 0, 16 * kMiB, kNow)), (std::vector<std::string>{"idle"}));
  EXPECT_TRUE(models_to_evict(cached, {"needed", "idle"}, 0, 16 * kMiB, kNow).empty());
  // Without an idle time, the recent one may go too: after the idle one, whose 5 MiB are not enough.
  EXPECT_EQ(hashes(models_to_evict(cached, {"needed"}, 0, 16 * kMiB, kNow, 0)),
            (std::vector<std::string>{"idle", "just-used"}));
}

TEST(ModelEviction, EqualAgesGoInHashOrder) {
  const std::vector<CachedModel> cached = {{"b", kMiB, kNow - 5 * kHour}, {"a", kMiB, kNow - 5 * kHour}};
  EXPECT_EQ(hashes(models_to_evict(cached, {}, 0, 100 * kMiB, kNow)), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace dli
