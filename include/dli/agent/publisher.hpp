#pragma once
// The agent's only writer to the store while tests run (docs/protocol.md 5 and 6): a background thread that
// publishes the spool (log first, then result) and the heartbeat, retrying failures with jittered exponential
// backoff for as long as the agent lives, and letting its connection go whenever it has nothing to send, so that
// a crowded server's slots go round. The test loop never waits for the store.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "dli/agent/spool.hpp"
#include "dli/protocol/agent_command.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/status/status_board.hpp"
#include "dli/store/store.hpp"

namespace dli {

class LaunchWait;  // src/agent/launch_check.hpp

struct PublisherOptions {
  std::string run_id;
  std::string host;
  double heartbeat_seconds = kDefaultHeartbeatSeconds;  // a heartbeat at least this often while the agent lives
  double test_heartbeat_seconds = kDefaultTestHeartbeatSeconds;  // ... but only this often while a test measures
  // Nothing of this host's run is in the store: no listing of the heartbeats to continue after (the integrator
  // retires its own `starting` entry once it sees this agent's first heartbeat).
  bool first_attempt = false;
  // The connection is let go after this long without anything to send. Longer than a short test (a second's
  // measurement with its load): a test that outlasts it costs a login before the next one, which waits for its
  // predecessor's result to be sent (docs/protocol.md 6).
  double linger_seconds = 2;
  // Non-empty: the agent was started before its run was published (AgentRunArgs::launch). Nothing is written, and
  // the run is not read, until the run's manifest carries this token; a foreign manifest, a starter that went away
  // or `await_launch_seconds` without a manifest ends the agent's use of the store (PublishState::refused).
  std::string launch = {};
  double await_launch_seconds = 600;
  // Whether the starter still holds the other end of the agent's fd 3 (launch_check.hpp's; tests set their own).
  std::function<bool()> starter_present = {};
  double first_retry_seconds = 0.5;
  double max_retry_seconds = 60;   // backoff cap (util/backoff.hpp: full jitter)
};

// Where publishing stands, for the heartbeat and the agent's decisions.
struct PublishState {
  int waiting = 0;          // results in the spool, not yet in the store
  std::string last_error;   // of the last failed attempt; empty after a success
  std::optional<Error> refused;  // the store refused a result (no space, permission): stop starting tests
  bool run_confirmed = true;     // false while (or since) a launched agent's run was not published as its own
};

class Publisher {
 public:
  // `store` may be shared with the test loop (a LockedStore): one login and one server slot per agent. The heartbeat numbering
  // continues after whatever the store's status folder holds for this host (an earlier agent, the integrator).
  Publisher(std::unique_ptr<Store> store, Spool& spool, PublisherOptions options);
  ~Publisher();  // stops the thread; what is still in the spool stays there
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Starts the thread with this first heartbeat, written at once; queues what the spool already holds.
  void start(const HostStatus& first);
  // Changes the heartbeat's content; `at_once` writes it without waiting for the interval (a state change).
  void update(const std::function<void(HostStatus&)>& change, bool at_once = false);
  void kept(const std::string& test_id);  // a result entered the spool
  // A document written once, after the first heartbeat and before any result (the host description): one
  // attempt, a failure is logged as `what` and costs the report a line, not the run. drain() waits for it.
  void publish_document(std::string key, std::string text, std::string what);
  // Another user of the same connection (the test loop's downloads) just used it: let it go after the linger
  // like after the publisher's own use, so no slot is held through a long test.
  void store_used();
  PublishState state() const;
  // Before the test loop uses the store for the run (a model's download): waits until the run is confirmed as
  // this launch's (at once without a launch token); the refusal when it never will be.
  Status await_run();

  // Waits until nothing waits, the store refused, or `deadline`; true when nothing waits.
  bool drain(std::chrono::steady_clock::time_point deadline);
  // Before a test: lets the publisher finish what it is sending, so that no upload runs while the test measures,
  // but never waits for a store that is failing (the results then wait in the spool as usual) nor past `deadline`.
  // What still waits then is flushed to stable storage before the test starts (Spool::make_durable).
  void settle(std::chrono::steady_clock::time_point deadline);
  // A test measures (true) or not: while it does, the heartbeat is written only every test_heartbeat_seconds.
  void set_measuring(bool measuring);
  // Stops the thread and writes the last heartbeat, trying for at most `patience`; false when it could not. The
  // connection stays open for the agent's own log, uploaded after it; the store's owner closes it.
  bool finish(const HostStatus& last, std::chrono::seconds patience);

 private:
  void loop();
  // One step of waiting for the launch's manifest (with the lock held; unlocks it while reading the store).
  void check_launch_step(std::unique_lock<std::mutex>& lock);
  Status publish_one(const std::string& id);
  Status write_heartbeat(HostStatus status);
  double backoff_seconds();
  // Flushes the waiting entries not yet durable to stable storage (called without the lock held).
  void make_waiting_durable();

  std::unique_ptr<Store> store_;
  Spool& spool_;
  const PublisherOptions options_;
  StatusWriter writer_;

  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  HostStatus status_;
  bool beat_now_ = false;
  bool measuring_ = false;
  bool first_contact_done_ = false;  // the first heartbeat was attempted (the store's login with it)
  bool hold_results_ = false;        // settle() did not wait for that contact: no result goes until the test ends
  std::chrono::steady_clock::time_point last_beat_{};
  std::deque<std::string> queue_;
  std::set<std::string> durable_;  // entries of queue_ already flushed to stable storage
  struct Document {
    std::string key, text, what;
  };
  std::deque<Document> documents_;
  void put_document(const Document& document);
  std::chrono::steady_clock::time_point retry_at_{};
  int failures_in_a_row_ = 0;
  std::string last_error_;
  std::optional<Error> refused_;
  bool run_confirmed_ = true;  // false until a launch token's manifest was read (PublisherOptions::launch)
  std::unique_ptr<LaunchWait> launch_wait_;  // while run_confirmed_ is false
  bool connected_ = false;
  std::chrono::steady_clock::time_point last_use_{};
  std::thread thread_;
};

}  // namespace dli
