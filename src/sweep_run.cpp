#include "dli/sweep_run.hpp"

#include <chrono>
#include <future>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/clock.hpp"
#include "dli/collect.hpp"
#include "dli/exit_codes.hpp"
#include "dli/host_shell.hpp"
#include "dli/progress.hpp"
#include "dli/run_publish.hpp"

namespace dli {

namespace {

// What the integrator knows of one host while it follows the run.
struct HostTrack {
  const HostPlan* plan = nullptr;
  std::unique_ptr<HostShell> shell;
  HostStatus status;
  SteadyClock::time_point last_change;  // when the heartbeat last moved, by the integrator's clock
  std::string last_heartbeat;           // updated_at of the last heartbeat seen
  bool finished = false;
};

bool is_terminal(HostState state) {
  return state == HostState::kDone || state == HostState::kFailed || state == HostState::kUnreachable ||
         state == HostState::kLost;
}

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

void start_hosts(std::vector<HostTrack>& tracks, const RunOptions& options, const std::string& run_id,
                 Store& store) {
  // Start every host concurrently: a slow or dead host must not delay the others.
  std::vector<std::future<Status>> starts;
  for (auto& track : tracks) {
    AgentLaunch launch{options.agent_exe, options.store_url, run_id, track.plan->host.name,
                       track.plan->host.work_dir, options.redo};
    HostShell* shell = track.shell.get();
    starts.push_back(std::async(std::launch::async, [shell, launch] { return shell->start_agent(launch); }));
  }
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    Status started = starts[i].get();
    tracks[i].last_change = SteadyClock::now();
    if (!started) {
      record_host_failure(store, run_id, tracks[i], HostState::kUnreachable, started.error().message);
    } else {
      tracks[i].status.state = HostState::kStarting;
      spdlog::info("host {}: agent started", tracks[i].status.host);
    }
  }
}

void poll_host(Store& store, const std::string& run_id, HostTrack& track, const RunOptions& options) {
  const auto now = SteadyClock::now();
  auto text = store.get(layout::status(run_id, track.status.host));
  if (text) {
    try {
      HostStatus seen = host_status_from_json(nlohmann::json::parse(text.value()));
      if (seen.updated_at != track.last_heartbeat) {
        track.last_heartbeat = seen.updated_at;
        track.last_change = now;
      }
      track.status = seen;
      if (is_terminal(seen.state)) {
        track.finished = true;
        return;
      }
    } catch (const std::exception& error) {
      spdlog::warn("host {}: unreadable status: {}", track.status.host, error.what());
    }
  }
  const double silent = seconds_between(track.last_change, now);
  const bool never_seen = track.last_heartbeat.empty();
  if (never_seen && silent > options.start_timeout_seconds) {
    record_host_failure(store, run_id, track, HostState::kLost,
                        fmt::format("no heartbeat within {} of the agent's start", format_duration(silent)));
    return;
  }
  if (!never_seen && silent > options.lost_after_seconds) {
    record_host_failure(store, run_id, track, HostState::kLost,
                        fmt::format("heartbeat silent for {}", format_duration(silent)));
    return;
  }
  if (!never_seen) {
    // On hosts where the process can be observed, a dead agent is lost at once rather than after the silence.
    const auto alive = track.shell->agent_alive(track.status.pid);
    if (alive.has_value() && !*alive) {
      auto last = store.get(layout::status(run_id, track.status.host));  // it may have finished just now
      if (last) {
        try {
          track.status = host_status_from_json(nlohmann::json::parse(last.value()));
        } catch (const std::exception&) {
        }
      }
      if (!is_terminal(track.status.state)) {
        record_host_failure(store, run_id, track, HostState::kLost, "agent process exited without finishing");
      } else {
        track.finished = true;
      }
    }
  }
}

std::vector<HostStatus> statuses(const std::vector<HostTrack>& tracks) {
  std::vector<HostStatus> all;
  for (const auto& track : tracks) all.push_back(track.status);
  return all;
}

}  // namespace

RunOutcome run_sweep(const Plan& plan, const RunOptions& options, std::ostream& out) {
  auto opened = open_store(options.store_url);
  if (!opened) throw StoreFailure("store: " + opened.error().message);
  Store& store = *opened.value();

  auto run_id = new_run_id(store, plan.sweep.name);
  if (!run_id) throw StoreFailure("store: " + run_id.error().message);
  RunOutcome outcome;
  outcome.run_id = run_id.value();

  if (auto published = publish_run(store, plan, outcome.run_id); !published) {
    throw StoreFailure("store: " + published.error().message);
  }
  out << fmt::format("run {}: {} tests on {} hosts, store {}\n", outcome.run_id, plan.total_tests(),
                     plan.hosts.size(), store.describe());

  std::vector<HostTrack> tracks(plan.hosts.size());
  for (std::size_t i = 0; i < plan.hosts.size(); ++i) {
    tracks[i].plan = &plan.hosts[i];
    tracks[i].shell = make_host_shell(plan.hosts[i].host);
    tracks[i].status.host = plan.hosts[i].host.name;
    tracks[i].status.total = static_cast<int>(plan.hosts[i].tests.size());
  }
  start_hosts(tracks, options, outcome.run_id, store);

  const auto started = SteadyClock::now();
  ProgressView view(out, options.interactive);
  const auto poll = std::chrono::duration<double>(options.poll_seconds);
  for (;;) {
    bool all_finished = true;
    for (auto& track : tracks) {
      if (!track.finished) poll_host(store, outcome.run_id, track, options);
      all_finished = all_finished && track.finished;
    }
    view.update(statuses(tracks), seconds_between(started, SteadyClock::now()));
    if (all_finished) break;
    std::this_thread::sleep_for(poll);
  }

  for (const auto& track : tracks) {
    if (track.status.state == HostState::kUnreachable || track.status.state == HostState::kLost ||
        track.status.state == HostState::kFailed) {
      ++outcome.hosts_unreached;
    }
  }

  auto collected = collect_run(store, outcome.run_id);
  if (!collected) throw StoreFailure("collect: " + collected.error().message);
  for (const auto& problem : collected.value().problems) spdlog::warn("{}", problem);
  const std::string out_dir = options.out_dir.empty() ? "dli-out/" + outcome.run_id : options.out_dir;
  const ReportPaths paths = write_reports(collected.value(), out_dir);
  outcome.csv_path = paths.csv;
  outcome.html_path = paths.html;
  outcome.tests_ok = collected.value().ok;
  outcome.tests_failed = collected.value().failed;
  outcome.tests_not_run = collected.value().not_run;
  if (outcome.hosts_unreached > 0) {
    outcome.exit_code = exit_code::kHostsUnreached;
  } else if (outcome.tests_failed > 0 || outcome.tests_not_run > 0) {
    outcome.exit_code = exit_code::kTestsFailed;
  } else {
    outcome.exit_code = exit_code::kOk;
  }
  return outcome;
}

}  // namespace dli
