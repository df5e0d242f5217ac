// The agent's publisher thread against a store that fails on purpose (a fake of the Store interface around a real
// file store): transient failures are retried until the spool is empty; refusals stop it; idle means disconnected.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>

#include <gtest/gtest.h>

#include "dli/agent/publisher.hpp"
#include "dli/status/status_board.hpp"
#include "support/temp_dir.hpp"

namespace dli {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// Forwards to a file store; puts of results fail while `failures_left` > 0, with the given kind.
class FailingStore : public Store {
 public:
  explicit FailingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  Result<std::string> get(const std::string& key) override { return inner_->get(key); }
  Status put(const std::string& key, std::string_view data) override {
    if (key.find("/status/") != std::string::npos) ++heartbeats;
    if (key.find("/results/") != std::string::npos && failures_left > 0) {
      --failures_left;
      return Error{"injected failure", kind == ErrorKind::kOther, kind};
    }
    return inner_->put(key, data);
  }
  Status put_file(const std::string& key, const std::string& path) override { return inner_->put_file(key, path); }
  Status get_file(const std::string& key, const std::string& path) override { return inner_->get_file(key, path); }
  Result<bool> exists(const std::string& key) override { return inner_->exists(key); }
  Result<std::vector<std::string>> list(const std::string& folder) override { return inner_->list(folder); }
  Status remove(const std::string& key) override { return inner_->remove(key); }
  Status remove_folder(const std::string& folder) override { return inner_->remove_folder(folder); }
  void disconnect() override { ++disconnects; }
  std::string describe() const override { return "failing " + inner_->describe(); }

  std::atomic<int> failures_left{0};
  std::atomic<int> disconnects{0};
  std::atomic<int> heartbeats{0};
  ErrorKind kind = ErrorKind::kOther;

 private:
  std::unique_ptr<Store> inner_;
};

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = open_store("file://" + dir.str("store"));
    ASSERT_TRUE(opened.ok());
    auto failing = std::make_unique<FailingStore>(std::move(opened).value());
    store = failing.get();
    spool = std::make_unique<Spool>(dir.str("spool"));
    PublisherOptions options;
    options.run_id = "r";
    options.host = "h";
    options.heartbeat_seconds = 0.1;
    options.test_heartbeat_seconds = 2;
    options.linger_seconds = 0.05;
    options.first_retry_seconds = 0.02;
    options.max_retry_seconds = 0.1;
    publisher = std::make_unique<Publisher>(std::move(failing), *spool, options);
    reader = std::move(open_store("file://" + dir.str("store"))).value();
  }
  void keep(const std::string& id) {
    TestResult result;
    result.spec.id = id;
    result.spec.host = "h";
    spool->keep(result, dir.write(id + ".log", "log of " + id + "\n"));
    publisher->kept(id);
  }
  bool in_store(const std::string& id) { return reader->exists(layout::result("r", "h", id)).value(); }

  TempDir dir;
  FailingStore* store = nullptr;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<Publisher> publisher;
  std::unique_ptr<Store> reader;
};

TEST_F(PublisherTest, TransientFailuresAreRetriedUntilEveryResultAndLogIsInTheStore) {
  store->failures_left = 5;
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  for (const char* id : {"a1", "b2", "c3"}) keep(id);
  ASSERT_TRUE(publisher->drain(std::chrono::steady_clock::now() + 10s));
  for (const char* id : {"a1", "b2", "c3"}) {
    EXPECT_TRUE(in_store(id)) << id;
    EXPECT_EQ(reader->get(layout::log("r", "h", id)).value(), std::string("log of ") + id + "\n");
  }
  EXPECT_TRUE(spool->waiting().empty());
  EXPECT_EQ(store->failures_left, 0);
  EXPECT_TRUE(publisher->state().last_error.empty());
}

TEST_F(PublisherTest, ADocumentIsWrittenAfterTheFirstHeartbeatAndDrainWaitsForIt) {
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->publish_document("runs/r/hosts/h/host.json", "{}", "the host description");
  publisher->start(first);
  ASSERT_TRUE(publisher->drain(std::chrono::steady_clock::now() + 10s));
  EXPECT_EQ(reader->get("runs/r/hosts/h/host.json").value(), "{}");
  EXPECT_GE(store->heartbeats, 1);
}

TEST_F(PublisherTest, WhileResultsWaitTheHeartbeatSaysHowManyAndWhy) {
  store->failures_left = 1000000;
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  keep("a1");
  keep("b2");
  HostStatus seen;
  for (int i = 0; i < 200 && seen.unpublished != 2; ++i) {
    std::this_thread::sleep_for(20ms);
    std::vector<std::string> problems;
    auto all = StatusBoard(*reader, "r").read_all(problems);
    if (all.ok() && all.value().count("h") != 0) seen = all.value().at("h");
  }
  EXPECT_EQ(seen.unpublished, 2);
  EXPECT_EQ(seen.publish_error, "injected failure");
  EXPECT_FALSE(publisher->drain(std::chrono::steady_clock::now() + 200ms));
  EXPECT_EQ(spool->waiting().size(), 2u);  // still kept on the host
}

TEST_F(PublisherTest, ARefusingStoreStopsPublishingAndKeepsTheSpool) {
  store->failures_left = 1000000;
  store->kind = ErrorKind::kNoSpace;
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  keep("a1");
  const auto began = std::chrono::steady_clock::now();
  EXPECT_FALSE(publisher->drain(began + 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);  // the refusal ends the wait, not the deadline
  ASSERT_TRUE(publisher->state().refused.has_value());
  EXPECT_EQ(publisher->state().refused->kind, ErrorKind::kNoSpace);
  EXPECT_EQ(spool->waiting(), std::vector<std::string>{"a1"});
  HostStatus last = first;
  last.state = HostState::kStoreFailed;
  EXPECT_TRUE(publisher->finish(last, 5s));
  std::vector<std::string> problems;
  EXPECT_EQ(StatusBoard(*reader, "r").read_all(problems).value().at("h").state, HostState::kStoreFailed);
}

TEST_F(PublisherTest, AnIdlePublisherLetsItsConnectionGo) {
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  keep("a1");
  ASSERT_TRUE(publisher->drain(std::chrono::steady_clock::now() + 5s));
  // Heartbeats every 0.1 s, linger 0.05 s: between them the connection goes.
  std::this_thread::sleep_for(500ms);
  EXPECT_GE(store->disconnects, 3);
}

// While a test measures the agent stays quiet: heartbeats at the test interval only, and results it was sending
// are let finish before the test starts, unless the store is failing (then the test does not wait for it).
TEST_F(PublisherTest, WhileATestMeasuresHeartbeatsComeOnlyAtTheTestInterval) {
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  std::this_thread::sleep_for(50ms);
  publisher->set_measuring(true);
  const int before = store->heartbeats;
  std::this_thread::sleep_for(700ms);  // 7 intervals of 0.1 s, none of 2 s
  EXPECT_LE(store->heartbeats - before, 1) << "at most the beat that was already due";
  publisher->set_measuring(false);
  const int quiet_end = store->heartbeats;
  std::this_thread::sleep_for(700ms);
  EXPECT_GE(store->heartbeats - quiet_end, 4);
}

TEST_F(PublisherTest, SettleLetsAPublishFinishButNeverWaitsForAFailingStore) {
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  // Once the first heartbeat is out: settle() does not wait for the first contact (the login).
  for (int i = 0; i < 200 && store->heartbeats == 0; ++i) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(50ms);
  keep("a1");
  publisher->settle(std::chrono::steady_clock::now() + 5s);
  EXPECT_TRUE(in_store("a1"));
  store->failures_left = 1000;
  keep("a2");
  const auto start = std::chrono::steady_clock::now();
  publisher->settle(start + 5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_FALSE(in_store("a2"));
  EXPECT_EQ(publisher->state().waiting, 1);
}

}  // namespace
}  // namespace dli
