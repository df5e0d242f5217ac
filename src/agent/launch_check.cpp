#include "launch_check.hpp"

#include <poll.h>
#include <sys/stat.h>

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

}  // namespace dli
