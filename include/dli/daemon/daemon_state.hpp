#pragma once
// What `dli-integrator daemon` remembers between its lives (docs/daemon.md, "State file", version 1): per sweep, the
// last schedule slot it started and its counters; the runs started and not yet collected, with their ids, so that a
// restarted daemon resumes them instead of starting them again.
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dli {

inline constexpr int kDaemonStateVersion = 1;

struct SweepRecord {
  std::optional<std::time_t> last_slot;  // the latest slot started (a missed slot counts once)
  std::int64_t runs = 0;                 // runs finished (collected), whatever their outcome
  std::int64_t tests_ok = 0, tests_failed = 0, hosts_lost = 0, store_errors = 0;
  std::optional<std::time_t> last_success;  // when a run last ended with exit code 0
  std::string last_run_id;
  int last_exit_code = -1;  // -1: none finished yet
};

// A run started and not yet collected. Recorded before its process starts, so its id survives any kill.
struct ActiveRun {
  std::string sweep;
  std::string run_id;
  std::time_t slot = 0;
  std::time_t started_at = 0;
  int pid = 0;       // the `dli-integrator run` or `resume` child; 0 when none runs now
  int attempts = 1;  // processes started for it: the first `run`, then a `resume` after each interruption
};

struct DaemonState {
  std::map<std::string, SweepRecord> sweeps;  // by sweep name (the lab's)
  std::vector<ActiveRun> active;
  int daemon_pid = 0;
  std::time_t updated_at = 0;
  const ActiveRun* find_active(const std::string& sweep) const;
};

std::string encode_daemon_state(const DaemonState& state);
// Throws std::runtime_error naming what is wrong (not JSON, another version, a field of the wrong type).
DaemonState decode_daemon_state(const std::string& text);

// The state file: an empty state when there is none yet. Throws std::runtime_error naming the file.
DaemonState read_daemon_state(const std::string& path);
// Replaces the file in one rename, flushed to disk first: a kill or a power cut leaves the old state or the new.
void write_daemon_state(const std::string& path, const DaemonState& state);

}  // namespace dli
