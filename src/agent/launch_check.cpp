#include "launch_check.hpp"

#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dli/protocol/protocol.hpp"

namespace dli {

LaunchState launch_state_of(const std::string& manifest_text, const std::string& launch) {
  try {
    return manifest_from_json(nlohmann::json::parse(manifest_text)).launch == launch ? LaunchState::kConfirmed
                                                                                     : LaunchState::kForeign;
  } catch (const std::exception&) {
    return LaunchState::kForeign;  // published whole (write-then-rename): unreadable is not ours
  }
}

Result<LaunchState> check_launch(Store& store, const std::string& run_id, const std::string& launch) {
  // Asked first (one command, FTP's SIZE) and read once there: a read is a data connection each time, and a fleet
  // of agents asking while the integrator publishes must not take the server's passive ports from it.
  auto present = store.exists(layout::manifest(run_id));
  if (!present) return present.error();
  if (!present.value()) return LaunchState::kNotYet;
  auto text = store.get(layout::manifest(run_id));
  if (!text) {
    if (text.error().kind == ErrorKind::kNotFound) return LaunchState::kNotYet;
    return text.error();
  }
  return launch_state_of(text.value(), launch);
}

bool launch_starter_present() {
  constexpr int kStarterFd = 3;
  struct stat info {};
  if (::fstat(kStarterFd, &info) != 0 || !(S_ISFIFO(info.st_mode) || S_ISSOCK(info.st_mode))) return true;
  // A pipe's writer sees POLLERR once its reader is gone; a socket (sshd may use a socket pair) POLLHUP.
  pollfd watched{kStarterFd, POLLRDHUP, 0};
  if (::poll(&watched, 1, 0) < 0) return true;
  return (watched.revents & (POLLERR | POLLHUP | POLLRDHUP)) == 0;
}

LaunchWait::LaunchWait(std::string run_id, std::string launch, double patience_seconds,
                       std::function<bool()> starter_present)
    : run_id_(std::move(run_id)), launch_(std::move(launch)), patience_seconds_(patience_seconds),
      starter_present_(starter_present ? std::move(starter_present) : launch_starter_present),
      deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(patience_seconds))) {}

Status LaunchWait::step(Store& store) {
  if (state_ != LaunchState::kNotYet || refused_) return {};
  const auto now = Clock::now();
  if (!starter_present_()) {
    refused_ = Error{fmt::format("run {} was given up by the integrator that started this agent before it was "
                                 "published: nothing goes into the store", run_id_)};
    return {};
  }
  if (now >= deadline_) {
    refused_ = Error{fmt::format("run {} was not published within {:g} s of this agent's start: nothing goes into "
                                 "the store", run_id_, patience_seconds_)};
    return {};
  }
  if (now < next_check_) return {};
  const Result<LaunchState> checked = check_launch(store, run_id_, launch_);
  next_check_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_));
  interval_ = std::min(1.0, interval_ * 1.5);
  if (!checked) return checked.error();
  state_ = checked.value();
  if (state_ == LaunchState::kForeign) {
    refused_ = Error{fmt::format("run {} was published by another integrator (its manifest does not carry this "
                                 "agent's launch token): nothing goes into the store", run_id_)};
  }
  return {};
}

Status LaunchWait::wait(Store& store) {
  for (;;) {
    (void)step(store);  // a failing store is asked again at the next check, within the patience
    if (refused_) return *refused_;
    if (state_ == LaunchState::kConfirmed) return {};
    std::this_thread::sleep_until(next_check_);
  }
}

}  // namespace dli
