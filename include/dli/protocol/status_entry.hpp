#pragma once
// Names of heartbeat objects (docs/protocol.md 4.4): runs/<run>/status/<host>.<seq>.<state>.json. The name alone
// tells a reader which host beat, how often and in which state, so one listing of the folder follows a whole fleet.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dli/protocol/protocol.hpp"

namespace dli {

struct StatusEntry {
  std::string host;
  std::uint64_t seq = 0;  // grows with every write for the host, by whoever writes
  HostState state = HostState::kPending;
  std::string name;  // the object's name in the status folder
};

std::string status_entry_name(const std::string& host, std::uint64_t seq, HostState state);
// nullopt for a name that is not a heartbeat (temporary files, foreign objects).
std::optional<StatusEntry> parse_status_entry(const std::string& name);

struct StatusListing {
  std::map<std::string, StatusEntry> latest;  // by host: the highest seq; on a tie, a finished state wins
  std::vector<std::string> superseded;        // names older than their host's latest, for writers to remove
};
StatusListing latest_statuses(const std::vector<std::string>& names);

}  // namespace dli
