// The agent's publisher thread against a store that fails on purpose (a fake of the Store interface around a real
// file store): transient failures are retried until the spool is empty; refusals stop it; idle means disconnected.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

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

// A finished test of host h, with its log, into the spool and the publisher's queue, as the agent's loop does.
void keep_result(const TempDir& dir, Spool& spool, Publisher& publisher, const std::string& id, const std::string& log) {
  TestResult result;
  result.spec.id = id;
  result.spec.host = "h";
  spool.keep(result, dir.write(id + ".log", log));
  publisher.kept(id);
}

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
  void keep(const std::string& id) { keep_result(dir, *spool, *publisher, id, "log of " + id + "\n"); }
  bool in_store(const std::string& id) { return reader->exists(layout::result("r", "h", id)).value(); }

  TempDir dir;
  FailingStore* store = nullptr;
  std::unique_ptr<Spool> spool;
  std::unique_ptr<Publisher> publisher;
  std::unique_ptr<Store> reader;
};

TEST_F(PublisherTest, TransientFailuresAreRetriedUntilEveryResultAndLongLogIsInTheStore) {
  store->failures_left = 5;
  HostStatus first;
  first.host = "h";
  first.state = HostState::kRunning;
  publisher->start(first);
  for (const char* id : {"a1", "b2", "c3"}) keep(id);
  // A log over what a result carries whole is published apart (docs/protocol.md 4.6); the others are not.
  const std::string long_log(kResultLogHeadBytes + kResultLogTailBytes + 1, 'x');
  keep_result(dir, *spool, *publisher, "d4", long_log);
  ASSERT_TRUE(publisher->drain(std::chrono::steady_clock::now() + 10s));
  for (const char* id : {"a1", "b2", "c3", "d4"}) EXPECT_TRUE(in_store(id)) << id;
  for (const char* id : {"a1", "b2", "c3"}) EXPECT_FALSE(reader->exists(layout::log("r", "h", id)).value()) << id;
  EXPECT_EQ(reader->get(layout::log("r", "h", "d4")).value(), long_log);
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

// An agent started before its run was published (PublisherOptions::launch, docs/protocol.md 6, "Start"): nothing
// of the run is written until its manifest carries the agent's token; another run's manifest, or a starter that
// went away, and nothing is ever written.
class LaunchedPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override { reader = std::move(open_store("file://" + dir.str("store"))).value(); }
  void start(const std::string& token, double await_launch_seconds = 600) {
    auto opened = open_store("file://" + dir.str("store"));
    ASSERT_TRUE(opened.ok());
    spool = std::make_unique<Spool>(dir.str("spool"));
    PublisherOptions options;
    options.run_id = "r";
    options.host = "h";
    options.first_attempt = true;
    options.heartbeat_seconds = 0.1;
    options.launch = token;
    options.await_launch_seconds = await_launch_seconds;
    options.starter_present = [this] { return starter_present.load(); };
    publisher = std::make_unique<Publisher>(std::move(opened).value(), *spool, options);
    HostStatus first;
    first.host = "h";
    first.state = HostState::kRunning;
    publisher->start(first);
  }
  void keep(const std::string& id) { keep_result(dir, *spool, *publisher, id, "log of " + id + "\n"); }
  void publish_manifest(const std::string& launch) {
    Manifest manifest;
    manifest.run_id = "r";
    manifest.sweep_name = "s";
    manifest.created_at = "2026-12-01T00:00:00Z";
    manifest.launch = launch;
    ASSERT_TRUE(reader->put(layout::manifest("r"), to_json(manifest).dump()).ok());
  }
  // Everything of run r in the store but its manifest.
  std::vector<std::string> written() const {
    std::vector<std::string> files;
    const std::filesystem::path run = dir.str("store") + "/runs/r";
    std::error_code error;
    for (std::filesystem::recursive_directory_iterator entry(run, error), end; !error && entry != end;
         entry.increment(error)) {
      if (entry->is_regular_file() && entry->path().filename() != "manifest.json") {
        files.push_back(entry->path().lexically_relative(run).string());
      }
    }
    return files;
  }

  TempDir dir;
  std::atomic<bool> starter_present{true};
  std::unique_ptr<Spool> spool;
  std::unique_ptr<Publisher> publisher;
  std::unique_ptr<Store> reader;
};

TEST_F(LaunchedPublisherTest, NothingIsWrittenBeforeTheManifestCarriesTheTokenThenEverythingIs) {
  start("5e1f");
  keep("a1");
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(written(), std::vector<std::string>{}) << "written before the run was published";
  EXPECT_FALSE(publisher->state().run_confirmed);
  publish_manifest("5e1f");
  ASSERT_TRUE(publisher->drain(std::chrono::steady_clock::now() + 10s));
  EXPECT_TRUE(publisher->await_run().ok());
  EXPECT_TRUE(publisher->state().run_confirmed);
  EXPECT_TRUE(reader->exists(layout::result("r", "h", "a1")).value());
  HostStatus last;
  last.host = "h";
  last.state = HostState::kDone;
  EXPECT_TRUE(publisher->finish(last, std::chrono::seconds(5)));
  auto board = StatusBoard(*reader, "r").scan();
  ASSERT_TRUE(board.ok());
  EXPECT_EQ(board.value().latest.at("h").state, HostState::kDone);
}

TEST_F(LaunchedPublisherTest, AnotherRunsManifestRefusesTheStoreAndNothingIsWritten) {
  publish_manifest("0ther");
  start("5e1f");
  keep("a1");
  EXPECT_FALSE(publisher->drain(std::chrono::steady_clock::now() + 10s));
  const PublishState state = publisher->state();
  ASSERT_TRUE(state.refused.has_value());
  EXPECT_NE(state.refused->message.find("another integrator"), std::string::npos) << state.refused->message;
  EXPECT_FALSE(state.run_confirmed);
  EXPECT_FALSE(publisher->await_run().ok());
  HostStatus last;
  last.host = "h";
  last.state = HostState::kStoreFailed;
  EXPECT_FALSE(publisher->finish(last, std::chrono::seconds(5)));
  EXPECT_EQ(written(), std::vector<std::string>{});
  EXPECT_EQ(spool->waiting(), std::vector<std::string>{"a1"}) << "the measurement stays on the host";
}

TEST_F(LaunchedPublisherTest, AStarterThatGoesAwayBeforePublishingEndsItAndNothingIsWritten) {
  start("5e1f");
  keep("a1");
  std::this_thread::sleep_for(100ms);
  starter_present = false;
  EXPECT_FALSE(publisher->drain(std::chrono::steady_clock::now() + 10s));
  ASSERT_TRUE(publisher->state().refused.has_value());
  EXPECT_NE(publisher->state().refused->message.find("given up"), std::string::npos);
  publish_manifest("5e1f");  // too late: the agent no longer counts on it
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(publisher->state().run_confirmed);
  EXPECT_EQ(written(), std::vector<std::string>{});
}

TEST_F(LaunchedPublisherTest, NoManifestWithinThePatienceEndsItAndNothingIsWritten) {
  start("5e1f", /*await_launch_seconds=*/0.5);
  keep("a1");
  const auto began = std::chrono::steady_clock::now();
  EXPECT_FALSE(publisher->await_run().ok());
  EXPECT_GE(std::chrono::steady_clock::now() - began, 400ms);
  ASSERT_TRUE(publisher->state().refused.has_value());
  EXPECT_NE(publisher->state().refused->message.find("not published within 0.5 s"), std::string::npos)
      << publisher->state().refused->message;
  publish_manifest("5e1f");  // too late
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(publisher->state().run_confirmed);
  EXPECT_EQ(written(), std::vector<std::string>{});
}

}  // namespace
}  // namespace dli
