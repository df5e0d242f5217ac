// `dli-integrator daemon status LAB` (daemon.hpp): read-only, from the lab file and the state file.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "daemon.hpp"
#include "dli/config/lab.hpp"
#include "dli/daemon/daemon_state.hpp"
#include "dli/daemon/due.hpp"
#include "dli/util/exit_codes.hpp"

namespace dli::cli {

namespace {

// Whether a daemon holds the state folder's lock now.
bool daemon_running(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

std::string both_times(std::time_t at, const std::string& zone) {
  return utc_time_text(at) + " (" + local_time_text(at, zone) + ")";
}

}  // namespace

int show_daemon_status(const std::string& lab_path) {
  const LabConfig lab = load_lab(lab_path);
  const DaemonState state = read_daemon_state(state_file_of(lab));
  const std::time_t now = std::time(nullptr);
  std::cout << "lab " << lab.path << "\nstate " << state_file_of(lab) << "\n";
  if (daemon_running(lock_file_of(lab))) {
    std::cout << "daemon: running (pid " << state.daemon_pid << "), at most " << lab.max_concurrent_runs
              << " runs at once\n";
  } else {
    std::cout << "daemon: not running\n";
  }
  for (const auto& run : state.active) {
    std::cout << (run.pid > 0 ? "running: " : "interrupted, resumed at the next start: ") << run.sweep << " run "
              << run.run_id << " for its slot " << utc_time_text(run.slot) << ", started " << utc_time_text(run.started_at);
    if (run.pid > 0) std::cout << " (pid " << run.pid << ")";
    if (run.attempts > 1) std::cout << ", attempt " << run.attempts;
    std::cout << "\n";
  }
  for (const auto& sweep : lab.sweeps) {
    std::cout << "sweep " << sweep.name << ": '" << sweep.schedule.text << "' in " << sweep.time_zone << "\n";
    const ScheduledSweep scheduled{sweep.name, sweep.schedule, sweep.time_zone};
    const auto next = next_due(scheduled, state, now);
    if (state.find_active(sweep.name) != nullptr) {
      std::cout << "  running now; next slot ";
      const auto slot = next_slot(sweep.schedule, sweep.time_zone, now);
      std::cout << (slot ? both_times(*slot, sweep.time_zone) : "none within 8 years") << "\n";
    } else if (next && *next == now) {
      std::cout << "  due now\n";
    } else {
      std::cout << "  next " << (next ? both_times(*next, sweep.time_zone) : "none within 8 years") << "\n";
    }
    const auto record = state.sweeps.find(sweep.name);
    if (record != state.sweeps.end() && record->second.runs > 0) {
      const SweepRecord& r = record->second;
      std::cout << "  last run " << r.last_run_id << ": exit code " << r.last_exit_code << "; " << r.runs << " runs, "
                << r.tests_ok << " tests ok, " << r.tests_failed << " failed, " << r.hosts_lost << " hosts lost, "
                << r.store_errors << " store errors";
      if (r.last_success) std::cout << "; last success " << utc_time_text(*r.last_success);
      std::cout << "\n";
    }
  }
  return exit_code::kOk;
}

}  // namespace dli::cli
