// `dli-integrator daemon LAB` (daemon.hpp; docs/daemon.md). One thread, one loop: signals arrive through a pipe,
// each run is a child process (`dli-integrator run --run-id ID` or `resume ID`), and every decision is written to the
// state file before it is acted on, so that a daemon killed at any point is followed by one that knows each run
// started and resumes it instead of starting its slot again.
#include "daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "daemon_process.hpp"
#include "dli/config/lab.hpp"
#include "dli/daemon/daemon_state.hpp"
#include "dli/daemon/due.hpp"
#include "dli/daemon/metrics.hpp"
#include "dli/integrator/collect.hpp"
#include "dli/integrator/run_publish.hpp"
#include "dli/integrator/site_publish.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/store/store.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/util/local_file.hpp"

namespace dli::cli {

namespace fs = std::filesystem;

std::string state_file_of(const LabConfig& lab) { return (fs::path(lab.state_dir) / "daemon-state.json").string(); }
std::string lock_file_of(const LabConfig& lab) { return (fs::path(lab.state_dir) / "daemon.lock").string(); }

namespace {

constexpr int kMaxAttempts = 3;        // processes started for one run before it is given up (a crashing run)
constexpr int kTickMs = 1000;          // schedules have minutes; a second keeps the loop cheap and prompt
constexpr int kStoreRetrySeconds = 60;  // a sweep whose run could not be started waits this long to try again

std::time_t now_seconds() { return std::time(nullptr); }

class Daemon {
 public:
  Daemon(LabConfig lab, const DaemonOptions& options) : lab_(std::move(lab)), options_(options) {}
  ~Daemon() {
    if (lock_fd_ >= 0) ::close(lock_fd_);
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int run() {
    fs::create_directories(fs::path(lab_.state_dir) / "logs");
    if (!lock()) return exit_code::kDaemonBusy;
    state_ = read_daemon_state(state_file_of(lab_));
    state_.daemon_pid = static_cast<int>(::getpid());
    SignalPipe signals;
    stop_leftovers();
    save();
    write_metrics();
    spdlog::info("daemon: lab {} with {} sweeps, state {}, at most {} runs at once", lab_.path, lab_.sweeps.size(),
                 lab_.state_dir, lab_.max_concurrent_runs);
    while (true) {
      reap();
      if (draining_) {
        if (children_.empty()) break;
      } else {
        start_work();
        if (options_.once && children_.empty() && nothing_to_do()) break;
      }
      for (const int number : signals.wait(kTickMs)) on_signal(number);
    }
    save();
    spdlog::info("daemon: stopped{}", state_.active.empty() ? "" : "; the runs left are resumed at the next start");
    return exit_code::kOk;
  }

 private:
  bool lock() {
    const std::string path = lock_file_of(lab_);
    lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      spdlog::error("daemon: another daemon uses the state folder {} (lock {})", lab_.state_dir, path);
      return false;
    }
    return true;
  }

  void save() {
    state_.updated_at = now_seconds();
    write_daemon_state(state_file_of(lab_), state_);
  }

  void write_metrics() {
    try {
      fs::create_directories(fs::path(lab_.metrics_path).parent_path());
      write_file_atomically(lab_.metrics_path, render_metrics(state_));
    } catch (const std::exception& error) {
      spdlog::error("daemon: cannot write the metrics file {}: {}", lab_.metrics_path, error.what());
    }
  }

  // A run process of the daemon before this one may still be alive when its daemon was killed moments ago (it is
  // being told to stop): it is stopped for sure before its run is resumed, so that two never follow one run.
  void stop_leftovers() {
    for (auto& run : state_.active) {
      if (run.pid > 0 && process_mentions(run.pid, run.run_id)) {
        spdlog::info("daemon: stopping the earlier daemon's process {} of run {}", run.pid, run.run_id);
        ::kill(run.pid, SIGTERM);
        for (int i = 0; i < 100 && process_mentions(run.pid, run.run_id); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (process_mentions(run.pid, run.run_id)) ::kill(run.pid, SIGKILL);
      }
      if (run.pid > 0) spdlog::info("daemon: run {} of sweep {} was interrupted; resuming it", run.run_id, run.sweep);
      run.pid = 0;
    }
  }

  void on_signal(int number) {
    if (number == SIGTERM || number == SIGINT) {
      if (!draining_) {
        spdlog::info("daemon: draining: no new run; {} running runs stop here, their agents go on, and the next "
                     "daemon collects them",
                     children_.size());
        for (const auto& [pid, run_id] : children_) ::kill(pid, SIGTERM);
      }
      draining_ = true;
    } else if (number == SIGHUP) {
      reload();
    }
  }

  void reload() {
    try {
      LabConfig fresh = load_lab(lab_.path);
      if (fresh.state_dir != lab_.state_dir) {
        spdlog::error("daemon: reload refused: `state:` changed ({} -> {}); restart the daemon for that",
                      lab_.state_dir, fresh.state_dir);
        return;
      }
      lab_ = std::move(fresh);
      not_before_.clear();
      spdlog::info("daemon: reloaded {}: {} sweeps, at most {} runs at once", lab_.path, lab_.sweeps.size(),
                   lab_.max_concurrent_runs);
    } catch (const ConfigError& error) {
      for (const auto& diagnostic : error.diagnostics()) spdlog::error("daemon: reload refused: {}", diagnostic.str());
      spdlog::error("daemon: the lab file as loaded before keeps running");
    } catch (const std::exception& error) {
      spdlog::error("daemon: reload refused: {}; the lab file as loaded before keeps running", error.what());
    }
  }

  ActiveRun* active(const std::string& run_id) {
    const auto found = std::find_if(state_.active.begin(), state_.active.end(),
                                    [&](const ActiveRun& run) { return run.run_id == run_id; });
    return found == state_.active.end() ? nullptr : &*found;
  }

  void reap() {
    for (auto child = children_.begin(); child != children_.end();) {
      int status = 0;
      const pid_t done = ::waitpid(child->first, &status, WNOHANG);
      if (done == 0) {
        ++child;
        continue;
      }
      const std::string run_id = child->second;
      child = children_.erase(child);
      ActiveRun* run = active(run_id);
      if (run == nullptr) continue;
      run->pid = 0;
      if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) != 127) {
        finish(*run, WEXITSTATUS(status));
      } else if (draining_) {
        save();  // interrupted by the drain: the next daemon resumes it
      } else if (run->attempts >= kMaxAttempts) {
        spdlog::error("daemon: run {} was interrupted {} times (see {}); given up", run_id, run->attempts, log_of(run_id));
        finish(*run, exit_code::kInternal);
      } else {
        spdlog::warn("daemon: the process of run {} ended by signal {}; resuming it", run_id,
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        save();
      }
    }
  }

  std::string log_of(const std::string& run_id) const {
    return (fs::path(lab_.state_dir) / "logs" / (run_id + ".log")).string();
  }

  // Counts of the run from the history its process has just recorded it in, so that no result is read from the
  // store twice; from the store when the history lacks the run (one that ended before it was recorded). A store
  // that cannot be read is a store error of the run.
  void count(const std::string& run_id, SweepRecord& record) {
    try {
      if (auto history = open_existing_history(lab_.history)) {
        if (auto recorded = history->run(run_id)) {
          tally(recorded.value().rows, recorded.value().host_states, record);
          return;
        }
      }
    } catch (const ConfigError&) {  // no history database yet
    }
    auto store = open_store(lab_.store_url);
    auto collected = store ? collect_run(*store.value(), run_id) : Result<Collected>(store.error());
    if (!collected) {
      spdlog::error("daemon: cannot count the results of run {}: {}", run_id, collected.error().message);
      ++record.store_errors;
      return;
    }
    tally(collected.value().rows, collected.value().host_states, record);
  }

  static void tally(const std::vector<ReportRow>& rows, const std::vector<HostStatus>& hosts, SweepRecord& record) {
    for (const auto& row : rows) {
      if (!row.result) {
        ++record.tests_failed;  // not run
      } else if (row.result->status == TestStatus::kOk) {
        ++record.tests_ok;
      } else if (is_failure(row.result->status)) {
        ++record.tests_failed;
      }
    }
    for (const auto& host : hosts) record.hosts_lost += host_not_reached(host.state) ? 1 : 0;
  }

  void finish(const ActiveRun& run, int code) {
    const std::string run_id = run.run_id, sweep = run.sweep;
    state_.active.erase(std::find_if(state_.active.begin(), state_.active.end(),
                                     [&](const ActiveRun& each) { return each.run_id == run_id; }));
    SweepRecord& record = state_.sweeps[sweep];
    ++record.runs;
    record.last_run_id = run_id;
    record.last_exit_code = code;
    if (code == exit_code::kOk) record.last_success = now_seconds();
    if (code == exit_code::kStoreFailed) ++record.store_errors;
    if (code != exit_code::kBadConfig && code != exit_code::kInternal) count(run_id, record);
    spdlog::log(code == exit_code::kOk ? spdlog::level::info : spdlog::level::warn,
                "daemon: run {} of sweep {} ended with exit code {} (log {})", run_id, sweep, code, log_of(run_id));
    if (!publish()) ++record.store_errors;
    save();
    write_metrics();
  }

  // The site of every recorded run, after each run (docs/site.md). False when the store refused it.
  bool publish() {
    if (lab_.publish.empty()) return true;
    try {
      auto history = open_existing_history(lab_.history);
      if (!history) return true;
      if (lab_.publish.find("://") != std::string::npos) {
        const int code = publish_to_store(*history, lab_.publish, lab_.title);
        if (code == exit_code::kOk) spdlog::info("daemon: published the site to {}", lab_.publish);
        return code != exit_code::kStoreFailed;
      }
      auto published = publish_site(*history, lab_.publish, lab_.title);
      if (!published) {
        spdlog::error("daemon: cannot publish the site: {}", published.error().message);
        return true;
      }
      spdlog::info("daemon: published {} ({} runs)", published.value().site, published.value().runs);
    } catch (const ConfigError& error) {
      spdlog::error("daemon: no site published: {}", error.diagnostics().front().str());
    } catch (const std::exception& error) {
      spdlog::error("daemon: cannot publish the site: {}", error.what());
    }
    return true;
  }

  std::vector<std::string> common_arguments(const std::string& run_id) const {
    return {"--store", lab_.store_url, "--out", (fs::path(lab_.reports_dir) / run_id).string(), "--history",
            lab_.history, "--no-progress"};
  }

  void spawn(ActiveRun& run, std::vector<std::string> argv) {
    const auto common = common_arguments(run.run_id);
    argv.insert(argv.end(), common.begin(), common.end());
    fs::create_directories(lab_.reports_dir);
    run.pid = start_run_process(argv, log_of(run.run_id));
    children_[run.pid] = run.run_id;
    spdlog::info("daemon: {} run {} of sweep {} (pid {}, log {})", argv[1] == "resume" ? "resumed" : "started",
                 run.run_id, run.sweep, run.pid, log_of(run.run_id));
    save();
  }

  // An interrupted run: `resume` when the store has it published, else its `run` again under the same id.
  void restart(ActiveRun& run) {
    ++run.attempts;
    auto store = open_store(lab_.store_url);
    auto published = store ? store.value()->exists(layout::manifest(run.run_id)) : Result<bool>(store.error());
    if (!published) {
      spdlog::error("daemon: cannot resume run {}: store {}: {}", run.run_id, lab_.store_url,
                    published.error().message);
      not_before_[run.sweep] = now_seconds() + kStoreRetrySeconds;
      --run.attempts;
      return;
    }
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    if (published.value()) {
      spawn(run, {self, "resume", run.run_id, "--fleet", lab_.fleet_path});
      return;
    }
    const LabSweep* sweep = lab_.find(run.sweep);
    if (sweep == nullptr) {
      spdlog::error("daemon: run {} was never published and sweep {} is no longer in the lab; dropped", run.run_id,
                    run.sweep);
      finish(run, exit_code::kBadConfig);
      return;
    }
    spawn(run, {self, "run", sweep->sweep_path, "--run-id", run.run_id});
  }

  void start(const DueSweep& due) {
    const LabSweep* sweep = lab_.find(due.sweep);
    std::string name;
    try {
      name = load_sweep(sweep->sweep_path).name;
    } catch (const ConfigError& error) {
      for (const auto& diagnostic : error.diagnostics()) spdlog::error("daemon: sweep {}: {}", due.sweep, diagnostic.str());
      spdlog::error("daemon: slot {} of sweep {} skipped", utc_time_text(due.slot), due.sweep);
      state_.sweeps[due.sweep].last_slot = due.slot;
      save();
      return;
    }
    auto store = open_store(lab_.store_url);
    auto run_id = store ? new_run_id(*store.value(), name) : Result<std::string>(store.error());
    if (!run_id) {
      spdlog::error("daemon: cannot start sweep {}: store {}: {}; trying again in {} s", due.sweep, lab_.store_url,
                    run_id.error().message, kStoreRetrySeconds);
      not_before_[due.sweep] = now_seconds() + kStoreRetrySeconds;
      return;
    }
    // Recorded before the process starts: from here on, a new daemon resumes this run, never starts the slot again.
    state_.active.push_back({due.sweep, run_id.value(), due.slot, now_seconds(), 0, 1});
    state_.sweeps[due.sweep].last_slot = due.slot;
    save();
    spdlog::info("daemon: sweep {} due for its slot {} ({})", due.sweep, utc_time_text(due.slot),
                 local_time_text(due.slot, sweep->time_zone));
    spawn(state_.active.back(), {fs::read_symlink("/proc/self/exe").string(), "run", sweep->sweep_path, "--run-id",
                                 run_id.value()});
  }

  bool waiting(const std::string& sweep) const {
    const auto found = not_before_.find(sweep);
    return found != not_before_.end() && found->second > now_seconds();
  }

  std::vector<DueSweep> due_now() const {
    std::vector<DueSweep> due;
    for (const auto& each : due_sweeps(lab_.schedules(), state_, now_seconds())) {
      if (!waiting(each.sweep)) due.push_back(each);
    }
    return due;
  }

  void start_work() {
    const auto room = [&] { return static_cast<int>(children_.size()) < lab_.max_concurrent_runs; };
    for (std::size_t i = 0; i < state_.active.size() && room(); ++i) {
      ActiveRun& run = state_.active[i];
      if (run.pid == 0 && !waiting(run.sweep)) {
        try {
          restart(run);
        } catch (const std::runtime_error& error) {
          spdlog::error("daemon: cannot resume run {}: {}", run.run_id, error.what());
          not_before_[run.sweep] = now_seconds() + kStoreRetrySeconds;
        }
      }
    }
    for (const auto& due : due_now()) {
      if (!room()) break;
      start(due);
    }
  }

  bool nothing_to_do() const { return state_.active.empty() && due_now().empty(); }

  LabConfig lab_;
  DaemonOptions options_;
  DaemonState state_;
  int lock_fd_ = -1;  // held for the daemon's life; the kernel drops the lock however it ends
  std::map<int, std::string> children_;  // pid -> run id
  std::map<std::string, std::time_t> not_before_;  // sweep -> when to try again after a store failure
  bool draining_ = false;
};

}  // namespace

int run_daemon(const DaemonOptions& options) {
  Daemon daemon(load_lab(options.lab_path), options);
  return daemon.run();
}

}  // namespace dli::cli
