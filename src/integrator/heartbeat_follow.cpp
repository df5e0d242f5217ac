#include "dli/integrator/heartbeat_follow.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace dli {

void read_moved(StatusBoard& board, const std::vector<FollowedHost*>& hosts, SteadyClock::time_point now,
                int reads_per_poll) {
  std::vector<FollowedHost*> moved;
  for (FollowedHost* host : hosts) {
    if (host->finished || !host->unread) continue;
    const bool state_changed = host->entry.state != host->read_state;
    if (state_changed || seconds_between(host->last_read, now) >= kProgressReadSeconds) moved.push_back(host);
  }
  std::sort(moved.begin(), moved.end(), [](const FollowedHost* a, const FollowedHost* b) {
    const bool a_final = host_finished(a->entry.state), b_final = host_finished(b->entry.state);
    if (a_final != b_final) return a_final;
    return a->last_read < b->last_read;
  });
  if (moved.size() > static_cast<std::size_t>(reads_per_poll)) moved.resize(static_cast<std::size_t>(reads_per_poll));
  for (FollowedHost* track : moved) {
    auto status = board.read(track->entry);
    if (!status) {
      spdlog::debug("host {}: {}", track->name, status.error().message);  // replaced meanwhile: next poll
      continue;
    }
    track->status = std::move(status).value();
    track->unread = false;
    track->last_read = now;
    track->read_state = track->status.state;
    if (host_finished(track->status.state)) track->finished = true;
  }
}

// Takes in one listing: who beat (their silence timers restart), in which state.
void take_listing(const StatusListing& listing, const std::vector<FollowedHost*>& hosts, SteadyClock::time_point now) {
  for (FollowedHost* host : hosts) {
    FollowedHost& track = *host;
    if (track.finished) continue;
    const auto found = listing.latest.find(track.name);
    if (found == listing.latest.end()) continue;
    const StatusEntry& entry = found->second;
    if (entry.name == track.entry.name) continue;
    if (entry.seq < track.entry.seq) continue;  // an old agent's late beat
    track.entry = entry;
    track.last_change = now;
    track.status.state = entry.state;
    track.unread = true;
  }
}

}  // namespace dli
