// Heartbeat objects named <host>.<seq>.<state>.json: parsing, the newest per host, and the writer's numbering.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "dli/status/status_board.hpp"
#include "dli/store/store.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using testing::TempDir;

TEST(StatusEntry, NamesCarryHostSequenceAndStateAndParseBack) {
  EXPECT_EQ(status_entry_name("gpu-1.lab", 12, HostState::kHostKeyRefused), "gpu-1.lab.12.host-key-refused.json");
  const auto entry = parse_status_entry("gpu-1.lab.12.host-key-refused.json");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->host, "gpu-1.lab");
  EXPECT_EQ(entry->seq, 12u);
  EXPECT_EQ(entry->state, HostState::kHostKeyRefused);
  EXPECT_EQ(entry->name, "gpu-1.lab.12.host-key-refused.json");
}

TEST(StatusEntry, ForeignAndTemporaryNamesAreNotHeartbeats) {
  for (const char* name : {"h.1.running", "h.x.running.json", "h.1.sleeping.json", ".h.1.running.json",
                           "1.running.json", "h..running.json", "h.-1.running.json", "h.99999999999999999999.done.json",
                           ".h.1.running.json.tmp.12.abc", "status.json"}) {
    EXPECT_FALSE(parse_status_entry(name).has_value()) << name;
  }
}

TEST(StatusEntry, TheHighestNumberPerHostWinsAndTheRestAreSuperseded) {
  const StatusListing listing = latest_statuses({"a.1.starting.json", "a.3.running.json", "a.2.running.json",
                                                 "b.7.done.json", "junk.txt"});
  ASSERT_EQ(listing.latest.size(), 2u);
  EXPECT_EQ(listing.latest.at("a").seq, 3u);
  EXPECT_EQ(listing.latest.at("b").state, HostState::kDone);
  std::vector<std::string> superseded = listing.superseded;
  std::sort(superseded.begin(), superseded.end());
  EXPECT_EQ(superseded, (std::vector<std::string>{"a.1.starting.json", "a.2.running.json"}));
}

TEST(StatusEntry, OnATieAFinishedStateWins) {
  // The integrator declared the host lost while its agent wrote the same number.
  EXPECT_EQ(latest_statuses({"a.5.lost.json", "a.5.running.json"}).latest.at("a").state, HostState::kLost);
  EXPECT_EQ(latest_statuses({"a.5.running.json", "a.5.lost.json"}).latest.at("a").state, HostState::kLost);
}

class StatusBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_store("file://" + dir.str("store"));
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store = std::move(opened).value();
  }
  std::vector<std::string> names() {
    auto listed = store->list(layout::status_dir("r"));
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? listed.value() : std::vector<std::string>{};
  }
  static HostStatus status_of(const std::string& host, HostState state, int done) {
    HostStatus status;
    status.host = host;
    status.state = state;
    status.done = done;
    return status;
  }
  TempDir dir;
  std::unique_ptr<Store> store;
};

TEST_F(StatusBoardTest, EachWriteReplacesTheWritersPreviousEntryAndReadsBack) {
  StatusWriter writer(*store, "r", "h");
  ASSERT_TRUE(writer.write(status_of("h", HostState::kRunning, 1)).ok());
  ASSERT_TRUE(writer.write(status_of("h", HostState::kRunning, 2)).ok());
  ASSERT_TRUE(writer.write(status_of("h", HostState::kDone, 3)).ok());
  EXPECT_EQ(names(), std::vector<std::string>{"h.3.done.json"});
  StatusBoard board(*store, "r");
  auto listing = board.scan();
  ASSERT_TRUE(listing.ok());
  auto status = board.read(listing.value().latest.at("h"));
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status.value().done, 3);
  EXPECT_FALSE(status.value().updated_at.empty());
}

TEST_F(StatusBoardTest, ASecondWriterContinuesAfterTheFirstAndRemovesItsEntry) {
  StatusWriter integrator(*store, "r", "h");
  ASSERT_TRUE(integrator.write(status_of("h", HostState::kStarting, 0)).ok());
  StatusWriter agent(*store, "r", "h");
  ASSERT_TRUE(agent.continue_after_store().ok());
  ASSERT_TRUE(agent.write(status_of("h", HostState::kRunning, 0)).ok());
  EXPECT_EQ(agent.last_seq(), 2u);
  EXPECT_EQ(names(), std::vector<std::string>{"h.2.running.json"});
}

TEST_F(StatusBoardTest, AnAgentThatWritesLaterWinsOverOneThatSpokeForItMeanwhile) {
  // The frozen agent beat; `resume`'s agent spoke for it (numbered after it); the thawed agent beats again.
  StatusWriter frozen(*store, "r", "h", /*clock_numbers=*/true);
  ASSERT_TRUE(frozen.write(status_of("h", HostState::kRunning, 2)).ok());
  StatusWriter spokesman(*store, "r", "h", /*clock_numbers=*/true);
  ASSERT_TRUE(spokesman.continue_after_store().ok());
  ASSERT_TRUE(spokesman.write(status_of("h", HostState::kRunning, 0)).ok());
  EXPECT_GT(spokesman.last_seq(), frozen.last_seq());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(frozen.write(status_of("h", HostState::kDone, 6)).ok());
  std::vector<std::string> problems;
  auto all = StatusBoard(*store, "r").read_all(problems);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value().at("h").state, HostState::kDone);
  EXPECT_EQ(all.value().at("h").done, 6);
}

TEST_F(StatusBoardTest, ReadAllGivesEveryHostsNewestStatusWithOneListing) {
  StatusWriter a(*store, "r", "a"), b(*store, "r", "b");
  ASSERT_TRUE(a.write(status_of("a", HostState::kRunning, 4)).ok());
  ASSERT_TRUE(b.write(status_of("b", HostState::kLost, 1)).ok());
  ASSERT_TRUE(a.write(status_of("a", HostState::kDone, 5)).ok());
  std::vector<std::string> problems;
  auto all = StatusBoard(*store, "r").read_all(problems);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(all.value().size(), 2u);
  EXPECT_EQ(all.value().at("a").done, 5);
  EXPECT_EQ(all.value().at("b").state, HostState::kLost);
}

}  // namespace
}  // namespace dli
