#pragma once
// Heartbeats in the store (docs/protocol.md 4.4 and 5): each host's status is an object in runs/<run>/status/
// whose name carries the host, a sequence number and the state, so one listing tells a reader, for the whole
// fleet, who beat since the last look and who finished; documents are read only where the name changed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dli/protocol/status_entry.hpp"
#include "dli/store/store.hpp"

namespace dli {

class StatusBoard {
 public:
  StatusBoard(Store& store, std::string run_id) : store_(store), run_id_(std::move(run_id)) {}
  Result<StatusListing> scan();  // one listing of the run's status folder
  Result<HostStatus> read(const StatusEntry& entry);
  // Every host's latest status: one listing, then one read per host (for one-off readers: status, collect).
  // Hosts without a heartbeat are absent; an unreadable document is reported in `problems`.
  Result<std::map<std::string, HostStatus>> read_all(std::vector<std::string>& problems);

 private:
  Store& store_;
  std::string run_id_;
};

// One host's status writer: numbers each write after the newest it knows of and removes what it replaced.
class StatusWriter {
 public:
  // Numbering: the integrator writes the number after the newest it saw. An agent (`clock_numbers`) writes at
  // least the milliseconds of its own clock, so that of two agents of one host (a frozen one and the one `resume`
  // started, which spoke for it meanwhile) the one that writes later wins, without listing before each write.
  StatusWriter(Store& store, std::string run_id, std::string host, bool clock_numbers = false)
      : store_(store), run_id_(std::move(run_id)), host_(std::move(host)), clock_numbers_(clock_numbers) {}
  // Continues after the host's newest entry in `listing` and takes over its leftovers for removal.
  void continue_after(const StatusListing& listing);
  // Lists the status folder and continues after what is there (a writer that starts on an existing run).
  Status continue_after_store();
  // Publishes `status` (updated_at set now) as the host's newest entry. When the store is out of space the
  // previous entry is removed first, to make room for the last word (a reader may then briefly see none).
  Status write(HostStatus status);
  std::uint64_t last_seq() const { return seq_; }

 private:
  Store& store_;
  std::string run_id_;
  std::string host_;
  bool clock_numbers_;
  std::uint64_t seq_ = 0;
  std::vector<std::string> replaced_;  // entries of this host to remove once a newer one is in place
};

}  // namespace dli
