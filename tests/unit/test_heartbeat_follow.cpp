// Following heartbeats: one listing per poll, a bounded number of reads, finished hosts first.
#include <gtest/gtest.h>

#include "dli/integrator/heartbeat_follow.hpp"
#include "support/counting_store.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using testing::CountingStore;
using testing::TempDir;

class HeartbeatFollowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::move(open_store("file://" + dir.str("store"))).value();
    for (int i = 0; i < 40; ++i) {
      hosts.emplace_back();
      hosts.back().name = "h" + std::to_string(i);
      writers.emplace_back(*store, "r", hosts.back().name);
    }
    for (auto& host : hosts) pointers.push_back(&host);
  }
  void beat(int host, HostState state, int done) {
    HostStatus status;
    status.host = hosts[static_cast<std::size_t>(host)].name;
    status.state = state;
    status.done = done;
    ASSERT_TRUE(writers[static_cast<std::size_t>(host)].write(status).ok());
  }
  // One poll as the integrator makes it; returns the store operations it cost.
  long poll() {
    CountingStore counted(*store);
    StatusBoard board(counted, "r");
    auto listing = board.scan();
    EXPECT_TRUE(listing.ok());
    const auto now = SteadyClock::now();
    take_listing(listing.value(), pointers, now);
    read_moved(board, pointers, now);
    return counted.operations;
  }
  TempDir dir;
  std::unique_ptr<Store> store;
  std::vector<FollowedHost> hosts;
  std::vector<StatusWriter> writers;
  std::vector<FollowedHost*> pointers;
};

TEST_F(HeartbeatFollowTest, APollCostsOneListingAndAtMostSixteenReadsWhateverTheFleet) {
  for (int i = 0; i < 40; ++i) beat(i, HostState::kRunning, 1);
  EXPECT_EQ(poll(), 1 + kReadsPerPoll);
  EXPECT_EQ(poll(), 1 + kReadsPerPoll);
  EXPECT_EQ(poll(), 1 + 8);  // the last 8 moved documents
  EXPECT_EQ(poll(), 1);      // nothing moved: the listing alone
  for (const auto& host : hosts) EXPECT_EQ(host.status.done, 1) << host.name;
}

TEST_F(HeartbeatFollowTest, FinishedHostsAreReadFirstAndEndTheirFollowing) {
  for (int i = 0; i < 40; ++i) beat(i, HostState::kRunning, 1);
  beat(39, HostState::kDone, 5);
  beat(38, HostState::kLost, 2);
  poll();
  EXPECT_TRUE(hosts[39].finished);
  EXPECT_EQ(hosts[39].status.done, 5);
  EXPECT_TRUE(hosts[38].finished);
  EXPECT_EQ(hosts[38].status.state, HostState::kLost);
}

TEST_F(HeartbeatFollowTest, ABeatRestartsTheSilenceTimerAndAnOldNumberDoesNot) {
  beat(0, HostState::kStarting, 0);
  poll();
  const auto first = hosts[0].last_change;
  hosts[0].started_seq = hosts[0].entry.seq;
  EXPECT_FALSE(hosts[0].beat_seen());
  beat(0, HostState::kRunning, 0);
  poll();
  EXPECT_TRUE(hosts[0].beat_seen());
  EXPECT_GT(hosts[0].last_change, first);
  EXPECT_EQ(hosts[0].entry.state, HostState::kRunning);
}

}  // namespace
}  // namespace dli
