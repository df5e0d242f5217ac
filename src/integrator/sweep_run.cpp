#include "dli/integrator/sweep_run.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/util/clock.hpp"
#include "dli/integrator/collect.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/integrator/host_check.hpp"
#include "dli/remote/host_shell.hpp"
#include "dli/integrator/progress.hpp"
#include "dli/integrator/run_publish.hpp"

namespace dli {

namespace {

// What the integrator knows of one host while it follows the run.
struct HostTrack {
  HostConfig host;
  std::unique_ptr<HostShell> shell;
  HostStatus status;
  SteadyClock::time_point last_change;  // when the heartbeat last moved, by the integrator's clock
  std::string last_heartbeat;           // updated_at of the last heartbeat seen
  bool finished = false;
};

bool is_terminal(HostState state) { return state == HostState::kDone || host_not_reached(state); }

// The integrator records a host's fate itself only when the agent cannot (never started, or went silent).
void record_host_failure(Store& store, const std::string& run_id, HostTrack& track, HostState state,
                         std::string reason) {
  track.status.state = state;
  track.status.reason = std::move(reason);
  track.status.updated_at = utc_now_iso8601();
  track.finished = true;
  spdlog::warn("host {}: {} ({})", track.status.host, to_string(state), track.status.reason);
  if (auto written = store.put(layout::status(run_id, track.status.host), to_json(track.status).dump(1)); !written) {
    spdlog::error("cannot record status of host {}: {}", track.status.host, written.error().message);
  }
}

// Starts the agents concurrently, at most `parallel` at a time: a slow or dead host must not delay the others.
void start_hosts(std::vector<HostTrack*>& tracks, const RunOptions& options, const std::string& run_id,
                 Store& store) {
  const std::size_t batch = static_cast<std::size_t>(std::max(1, options.parallel_starts));
  for (std::size_t first = 0; first < tracks.size(); first += batch) {
    const std::size_t last = std::min(tracks.size(), first + batch);
    std::vector<std::future<Status>> starts;
    for (std::size_t i = first; i < last; ++i) {
      HostTrack& track = *tracks[i];
      AgentLaunch launch;
      launch.agent_exe = track.host.agent_path.empty() ? options.agent_exe : track.host.agent_path;
      launch.args.store_url = options.store_url;
      launch.args.run_id = run_id;
      launch.args.host = track.host.name;
      launch.args.work_dir = track.host.work_dir;
      launch.args.redo = options.redo;
      launch.secret_netrc = options.secret_netrc;
      HostShell* shell = track.shell.get();
      starts.push_back(std::async(std::launch::async, [shell, launch] { return shell->start_agent(launch); }));
    }
    for (std::size_t i = first; i < last; ++i) {
      HostTrack& track = *tracks[i];
      Status started = starts[i - first].get();
      track.last_change = SteadyClock::now();
      if (!started) {
        record_host_failure(store, run_id, track, host_state_of(started.error()), started.error().message);
      } else {
        track.status.state = HostState::kStarting;
        spdlog::info("host {}: agent started", track.host.name);
      }
    }
  }
}

std::optional<HostStatus> read_status(Store& store, const std::string& run_id, const std::string& host) {
  auto text = store.get(layout::status(run_id, host));
  if (!text) return std::nullopt;
  try {
    return host_status_from_json(nlohmann::json::parse(text.value()));
  } catch (const std::exception& error) {
    spdlog::warn("host {}: unreadable status: {}", host, error.what());
    return std::nullopt;
  }
}

void poll_host(Store& store, const std::string& run_id, HostTrack& track, const RunOptions& options) {
  const auto now = SteadyClock::now();
  if (auto seen = read_status(store, run_id, track.host.name)) {
    if (seen->updated_at != track.last_heartbeat) {
      track.last_heartbeat = seen->updated_at;
      track.last_change = now;
    }
    track.status = *seen;
    if (is_terminal(seen->state)) {
      track.finished = true;
      return;
    }
  }
  const double silent = seconds_between(track.last_change, now);
  if (track.last_heartbeat.empty()) {
    if (silent > options.start_timeout_seconds) {
      record_host_failure(store, run_id, track, HostState::kLost,
                          fmt::format("no heartbeat within {} of the agent's start", format_duration(silent)));
    }
    return;
  }
  if (silent > options.lost_after_seconds) {
    record_host_failure(store, run_id, track, HostState::kLost,
                        fmt::format("heartbeat silent for {}", format_duration(silent)));
    return;
  }
  // Where the process can be observed, a dead agent is lost at once rather than after the silence.
  const auto alive = track.shell->agent_alive(track.status.pid);
  if (alive.has_value() && !*alive) {
    if (auto last = read_status(store, run_id, track.host.name)) track.status = *last;  // it may have just finished
    if (is_terminal(track.status.state)) {
      track.finished = true;
    } else {
      record_host_failure(store, run_id, track, HostState::kLost, "agent process exited without finishing");
    }
  }
}

// Every unfinished host expects to end within a second: poll faster so the sweep's end is seen at once, without
// reading the store five times as often while tests still run.
bool near_the_end(const std::vector<HostTrack>& tracks) {
  const auto now = SteadyClock::now();
  for (const auto& track : tracks) {
    if (track.finished) continue;
    if (track.status.state != HostState::kRunning || track.status.eta_seconds < 0) return false;
    // The ETA was true when the heartbeat was seen; heartbeats come only every few seconds.
    if (track.status.eta_seconds - seconds_between(track.last_change, now) > 1.0) return false;
  }
  return true;
}

std::vector<HostStatus> statuses(const std::vector<HostTrack>& tracks) {
  std::vector<HostStatus> all;
  for (const auto& track : tracks) all.push_back(track.status);
  return all;
}

// Starts the hosts in `to_start`, follows every host of `tracks` until each is finished, then collects.
RunOutcome drive_run(Store& store, const std::string& run_id, std::vector<HostTrack>& tracks,
                     const RunOptions& options, std::ostream& out) {
  std::vector<HostTrack*> to_start;
  for (auto& track : tracks) {
    if (track.finished) continue;
    // Replace any status left by an earlier attempt, so its final state is not mistaken for this one's.
    track.status.state = HostState::kStarting;
    track.status.updated_at = utc_now_iso8601();
    track.last_heartbeat = track.status.updated_at;
    if (auto written = store.put(layout::status(run_id, track.host.name), to_json(track.status).dump(1)); !written) {
      throw StoreFailure("store: " + written.error().message);
    }
    to_start.push_back(&track);
  }
  start_hosts(to_start, options, run_id, store);

  const auto started = SteadyClock::now();
  ProgressView view(out, options.interactive);
  const auto poll = std::chrono::duration<double>(options.poll_seconds);
  for (;;) {
    bool all_finished = true;
    for (auto& track : tracks) {
      if (!track.finished) poll_host(store, run_id, track, options);
      all_finished = all_finished && track.finished;
    }
    view.update(statuses(tracks), seconds_between(started, SteadyClock::now()));
    if (all_finished) break;
    std::this_thread::sleep_for(near_the_end(tracks) ? poll / 5 : poll);
  }

  RunOutcome outcome;
  outcome.run_id = run_id;
  for (const auto& track : tracks) {
    if (host_not_reached(track.status.state)) ++outcome.hosts_unreached;
  }
  auto collected = collect_run(store, run_id);
  if (!collected) throw StoreFailure("collect: " + collected.error().message);
  for (const auto& problem : collected.value().problems) spdlog::warn("{}", problem);
  const std::string out_dir = options.out_dir.empty() ? "dli-out/" + run_id : options.out_dir;
  const ReportPaths paths = write_reports(collected.value(), out_dir);
  outcome.csv_path = paths.csv;
  outcome.html_path = paths.html;
  outcome.tests_ok = collected.value().ok;
  outcome.tests_failed = collected.value().failed;
  outcome.tests_not_run = collected.value().not_run;
  outcome.tests_unsupported = collected.value().unsupported;
  if (outcome.hosts_unreached > 0) {
    outcome.exit_code = exit_code::kHostsUnreached;
  } else if (outcome.tests_failed > 0 || outcome.tests_not_run > 0) {
    outcome.exit_code = exit_code::kTestsFailed;
  } else {
    outcome.exit_code = exit_code::kOk;
  }
  return outcome;
}

HostTrack make_track(const HostConfig& host, int total) {
  HostTrack track;
  track.host = host;
  track.shell = make_host_shell(host);
  track.status.host = host.name;
  track.status.total = total;
  return track;
}

std::unique_ptr<Store> open_or_throw(const std::string& url) {
  auto opened = open_store(url);
  if (!opened) throw StoreFailure("store: " + opened.error().message);
  return std::move(opened.value());
}

}  // namespace

RunOutcome run_sweep(const Plan& plan, const RunOptions& options, std::ostream& out) {
  auto store = open_or_throw(options.store_url);
  auto run_id = new_run_id(*store, plan.sweep.name);
  if (!run_id) throw StoreFailure("store: " + run_id.error().message);
  if (auto published = publish_run(*store, plan, run_id.value()); !published) {
    throw StoreFailure("store: " + published.error().message);
  }
  out << fmt::format("run {}: {} tests on {} hosts, store {}\n", run_id.value(), plan.total_tests(),
                     plan.hosts.size(), store->describe());

  std::vector<HostTrack> tracks;
  for (const auto& host : plan.hosts) tracks.push_back(make_track(host.host, static_cast<int>(host.tests.size())));
  return drive_run(*store, run_id.value(), tracks, options, out);
}

RunOutcome resume_run(const std::string& run_id, const FleetConfig& fleet, const RunOptions& options,
                      std::ostream& out) {
  auto store = open_or_throw(options.store_url);
  auto collected = collect_run(*store, run_id);
  if (!collected) throw StoreFailure("resume: " + collected.error().message);

  std::map<std::string, int> missing;
  for (const auto& row : collected.value().rows) {
    if (!row.result || options.redo) ++missing[row.spec.host];
  }
  std::vector<HostTrack> tracks;
  std::vector<Diagnostic> unknown;
  for (const auto& entry : collected.value().manifest.hosts) {
    const HostConfig* host = fleet.find(entry.name);
    if (host == nullptr) {
      unknown.push_back({fleet.path, 0, 0, "hosts", fmt::format("host '{}' of run {} is not in this fleet",
                                                                 entry.name, run_id)});
      continue;
    }
    HostTrack track = make_track(*host, entry.tests);
    if (missing.count(entry.name) == 0) {
      // Nothing left to measure there: shown as done, not started again.
      track.status.state = HostState::kDone;
      track.status.done = entry.tests;
      track.finished = true;
    }
    tracks.push_back(std::move(track));
  }
  if (!unknown.empty()) throw ConfigError(unknown);
  out << fmt::format("resume {}: {} hosts with tests left to measure\n", run_id, missing.size());
  return drive_run(*store, run_id, tracks, options, out);
}

}  // namespace dli
