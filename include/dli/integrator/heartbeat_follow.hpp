#pragma once
// How the integrator follows a run's heartbeats (docs/protocol.md 5): one listing of the status folder per poll,
// then the documents of the entries that moved, finished ones first, at most `reads_per_poll` of them, so that the
// store traffic of a poll does not grow with the fleet.
#include <cstdint>
#include <string>
#include <vector>

#include "dli/protocol/status_entry.hpp"
#include "dli/status/status_board.hpp"
#include "dli/util/clock.hpp"

namespace dli {

// What the integrator knows of one host's heartbeat.
struct FollowedHost {
  std::string name;
  HostStatus status;
  StatusEntry entry;              // the newest entry seen (seq 0: none)
  std::uint64_t started_seq = 0;  // the integrator's own "starting" entry; the agent's beats come after it
  SteadyClock::time_point last_change;  // when the entry last moved, by the integrator's clock
  SteadyClock::time_point last_read;    // when its document was last read
  bool unread = false;                  // the entry moved since its document was read
  HostState read_state = HostState::kPending;  // the state of the document last read
  bool finished = false;
  bool beat_seen() const { return entry.seq > started_seq; }
};

inline constexpr int kReadsPerPoll = 16;
// A moved document whose state did not change is read again at most this often: progress figures need no more.
inline constexpr double kProgressReadSeconds = 5.0;

// Takes in one listing: who beat (their silence timers restart), in which state.
void take_listing(const StatusListing& listing, const std::vector<FollowedHost*>& hosts, SteadyClock::time_point now);
// Reads the documents of moved entries whose state changed, or that were last read kProgressReadSeconds ago:
// finished states first (they end a host), then the longest unread.
void read_moved(StatusBoard& board, const std::vector<FollowedHost*>& hosts, SteadyClock::time_point now,
                int reads_per_poll = kReadsPerPoll);

}  // namespace dli
