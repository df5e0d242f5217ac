#include "dli/agent/publisher.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/util/backoff.hpp"
#include "launch_check.hpp"

namespace dli {

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double value) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(value));
}

bool is_refusal(const Error& error) { return error.kind == ErrorKind::kNoSpace || error.kind == ErrorKind::kDenied; }

}  // namespace

Publisher::Publisher(std::unique_ptr<Store> store, Spool& spool, PublisherOptions options)
    : store_(std::move(store)), spool_(spool), options_(std::move(options)),
      writer_(*store_, options_.run_id, options_.host, /*clock_numbers=*/true),
      run_confirmed_(options_.launch.empty()) {
  if (!run_confirmed_) {
    launch_wait_ = std::make_unique<LaunchWait>(options_.run_id, options_.launch, options_.await_launch_seconds,
                                                options_.starter_present);
  }
}

Publisher::~Publisher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Publisher::start(const HostStatus& first) {
  // Numbered after what is there; if the store cannot be listed now, the numbers start after the integrator's
  // "starting" at worst collide with it, and a tie goes to the newer writer's state on the next beat.
  if (options_.first_attempt) {
    // Nothing to continue after: clock numbers are above the integrator's `starting`, which it retires itself.
  } else if (auto listed = writer_.continue_after_store(); !listed) {
    spdlog::warn("cannot list the heartbeats: {}", listed.error().message);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = first;
    beat_now_ = true;
    for (const auto& id : spool_.waiting()) queue_.push_back(id);
  }
  thread_ = std::thread([this] { loop(); });
}

void Publisher::update(const std::function<void(HostStatus&)>& change, bool at_once) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    change(status_);
    beat_now_ = beat_now_ || at_once;
  }
  if (at_once) wake_.notify_all();
}

void Publisher::kept(const std::string& test_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(test_id);
  }
  wake_.notify_all();
}

void Publisher::publish_document(std::string key, std::string text, std::string what) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    documents_.push_back({std::move(key), std::move(text), std::move(what)});
  }
  wake_.notify_all();
}

void Publisher::put_document(const Document& document) {
  if (auto sent = store_->put(document.key, document.text); !sent) {
    spdlog::warn("cannot publish {}: {}", document.what, sent.error().message);
  }
}

void Publisher::store_used() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connected_ = true;
    last_use_ = Clock::now();
  }
  wake_.notify_all();
}

PublishState Publisher::state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {static_cast<int>(queue_.size()), last_error_, refused_, run_confirmed_};
}

Status Publisher::await_run() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [&] { return run_confirmed_ || refused_.has_value() || stopping_; });
  if (run_confirmed_) return {};
  if (refused_) return *refused_;
  return Error{"the agent is stopping"};
}

void Publisher::check_launch_step(std::unique_lock<std::mutex>& lock) {
  LaunchWait& wait = *launch_wait_;  // touched by this thread only
  lock.unlock();
  const Status asked = wait.step(*store_);
  lock.lock();
  if (!asked) last_error_ = asked.error().message;
  if (wait.refused()) {
    refused_ = wait.refused();
    spdlog::error("{}", refused_->message);
  } else if (wait.state() == LaunchState::kConfirmed) {
    run_confirmed_ = true;
    last_error_.clear();
    connected_ = true;
    last_use_ = Clock::now();
  } else {
    wake_.wait_until(lock, wait.next_check());
    return;
  }
  wake_.notify_all();
}

void Publisher::settle(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  // Not for the first store contact (the login, which the agent's start left to this thread): the results wait
  // in the spool until this test has ended instead, so neither the test's start nor its measurement meets them.
  wake_.wait_until(lock, deadline, [&] {
    return queue_.empty() || refused_.has_value() || failures_in_a_row_ > 0 || !first_contact_done_;
  });
  hold_results_ = !queue_.empty() && !first_contact_done_;
  const bool waiting = !queue_.empty();
  lock.unlock();
  if (waiting) make_waiting_durable();  // nothing measures while a result is only in the page cache
}

void Publisher::make_waiting_durable() {
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& id : queue_) {
      if (durable_.count(id) == 0) ids.push_back(id);
    }
  }
  for (const auto& id : ids) {
    try {
      spool_.make_durable(id);
      std::lock_guard<std::mutex> lock(mutex_);
      if (std::find(queue_.begin(), queue_.end(), id) != queue_.end()) durable_.insert(id);
    } catch (const std::exception& error) {
      spdlog::warn("cannot flush the spool's {} to disk: {}", id, error.what());
    }
  }
}

void Publisher::set_measuring(bool measuring) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    measuring_ = measuring;
    if (!measuring) hold_results_ = false;
  }
  wake_.notify_all();  // the next beat's time moved
}

bool Publisher::drain(Clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_until(lock, deadline,
                   [&] { return (queue_.empty() && documents_.empty()) || refused_.has_value(); });
  return queue_.empty();
}

double Publisher::backoff_seconds() {
  // The stores' own policy (util/backoff.hpp): agents that lost the store together do not come back together.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const auto delay = backoff_delay(std::chrono::milliseconds(static_cast<long long>(options_.first_retry_seconds * 1000)),
                                   failures_in_a_row_ + 1,
                                   std::chrono::milliseconds(static_cast<long long>(options_.max_retry_seconds * 1000)),
                                   random);
  return std::chrono::duration<double>(delay).count();
}

Status Publisher::publish_one(const std::string& id) {
  const std::string log_key = layout::log(options_.run_id, options_.host, id);
  std::error_code missing;
  const auto log_size = std::filesystem::file_size(spool_.log_path(id), missing);
  // A log the result carries whole is not published apart (docs/protocol.md 4.6): one upload a test instead of two.
  if (!missing && !result_carries_whole_log(log_size)) {
    // In place: nobody reads a log before its test's result, published after it (docs/protocol.md 1.1).
    if (auto sent = store_->put_file_in_place(log_key, spool_.log_path(id)); !sent) return sent;
  }
  std::ifstream in(spool_.result_path(id), std::ios::binary);
  if (!in) return Error{"cannot read " + spool_.result_path(id) + " from the spool"};
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return store_->put(layout::result(options_.run_id, options_.host, id), json);
}

Status Publisher::write_heartbeat(HostStatus status) { return writer_.write(std::move(status)); }

void Publisher::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (!run_confirmed_) {
      if (refused_) {
        wake_.wait(lock, [&] { return stopping_; });  // nothing may be written: wait to be stopped
        continue;
      }
      check_launch_step(lock);
      continue;
    }
    const auto now = Clock::now();
    const bool held = hold_results_ && measuring_;
    const bool results_due = !queue_.empty() && !refused_ && now >= retry_at_ && !held;
    const auto next_beat =
        last_beat_ + seconds(measuring_ ? options_.test_heartbeat_seconds : options_.heartbeat_seconds);
    const bool beat_due = beat_now_ || now >= next_beat;
    if (!documents_.empty() && !beat_now_ && !held) {
      // After the first heartbeat (the host is seen running), before the results.
      const Document document = documents_.front();  // taken off once written: drain() waits for it
      lock.unlock();
      put_document(document);
      lock.lock();
      documents_.pop_front();
      last_use_ = Clock::now();
      connected_ = true;
      wake_.notify_all();  // drain() may be waiting
      continue;
    }
    if (results_due) {
      const std::string id = queue_.front();
      lock.unlock();
      const Status sent = publish_one(id);
      lock.lock();
      last_use_ = Clock::now();
      connected_ = true;
      if (sent) {
        spool_.release(id);
        queue_.pop_front();
        durable_.erase(id);
        failures_in_a_row_ = 0;
        last_error_.clear();
        wake_.notify_all();  // drain() may be waiting
      } else {
        last_error_ = sent.error().message;
        wake_.notify_all();  // settle() does not wait for a failing store
        lock.unlock();
        make_waiting_durable();  // the store did not take it at once: the host's disk keeps it meanwhile
        lock.lock();
        if (is_refusal(sent.error())) {
          spdlog::error("the store refuses results: {}; no more tests start", last_error_);
          refused_ = sent.error();
          beat_now_ = true;
          wake_.notify_all();
        } else {
          const double wait = backoff_seconds();
          ++failures_in_a_row_;
          retry_at_ = Clock::now() + seconds(wait);
          spdlog::warn("cannot publish the result of {} ({} waiting): {}; again in {:.1f} s", id, queue_.size(),
                       last_error_, wait);
          connected_ = false;
          lock.unlock();
          store_->disconnect();  // a broken connection is not worth keeping (outside the lock, as below)
          lock.lock();
        }
      }
      continue;
    }
    if (beat_due) {
      HostStatus beat = status_;
      beat.unpublished = static_cast<int>(queue_.size());
      beat.publish_error = queue_.empty() ? "" : last_error_;
      beat_now_ = false;
      last_beat_ = now;
      lock.unlock();
      // A missed heartbeat is not fatal: the next one replaces it, and the results wait in the spool.
      if (auto written = write_heartbeat(std::move(beat)); !written) {
        spdlog::warn("cannot write the heartbeat: {}", written.error().message);
        store_->disconnect();
      }
      lock.lock();
      first_contact_done_ = true;
      wake_.notify_all();  // settle() may be waiting
      last_use_ = Clock::now();
      connected_ = true;
      continue;
    }
    Clock::time_point wake = next_beat;
    if (!queue_.empty() && !refused_ && !held) wake = std::min(wake, retry_at_);  // held: set_measuring() wakes
    if (connected_) {
      const auto release_at = last_use_ + seconds(options_.linger_seconds);
      if (now >= release_at) {
        connected_ = false;
        // Nothing to send for a while: give the server's slot back (outside the lock: the connection's own lock
        // may be held by a download of the test loop).
        lock.unlock();
        store_->disconnect();
        lock.lock();
        continue;
      } else {
        wake = std::min(wake, release_at);
      }
    }
    wake_.wait_until(lock, wake);
  }
}

bool Publisher::finish(const HostStatus& last, std::chrono::seconds patience) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!run_confirmed_) return false;  // not this agent's run (or not yet one): nothing may be written
  // Whatever the thread had no time for (an agent that ended at once) goes before the last heartbeat.
  while (!documents_.empty()) {
    put_document(documents_.front());
    documents_.pop_front();
  }
  const auto deadline = Clock::now() + patience;
  for (int attempt = 0;; ++attempt) {
    auto written = write_heartbeat(last);
    if (written) break;
    spdlog::warn("cannot write the final heartbeat: {}", written.error().message);
    store_->disconnect();
    const auto wait = seconds(std::min(5.0, 0.5 * (attempt + 1)));
    if (Clock::now() + wait > deadline) return false;
    std::this_thread::sleep_for(wait);
  }
  return true;  // the connection stays for the agent's own log, which goes last
}

}  // namespace dli
