#include "dli/integrator/sweep_run.hpp"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/util/clock.hpp"
#include "dli/integrator/agent_exit_watch.hpp"
#include "dli/integrator/collect.hpp"
#include "dli/integrator/history_record.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/integrator/heartbeat_follow.hpp"
#include "dli/integrator/host_check.hpp"
#include "dli/remote/host_shell.hpp"
#include "dli/integrator/progress.hpp"
#include "dli/integrator/scheduler_jobs.hpp"
#include "dli/integrator/run_publish.hpp"
#include "dli/protocol/names.hpp"
#include "dli/status/status_board.hpp"

namespace dli {

namespace {

using Clock = SteadyClock;

// What the integrator knows of one host while it follows the run.
struct HostTrack : FollowedHost {
  HostConfig host;
  std::unique_ptr<HostShell> shell;
  bool first_attempt = false;  // no status of this host in the store before this attempt
  std::string starting_entry;  // first attempt: our `starting`, removed once the agent has beaten after it
  std::future<void> prepared;  // the shell's prepare_start(), under way while the run is published
};

// A host whose agent runs as a batch job: the job's id goes into the store, so that `cancel` finds it later.
void record_job(Store& store, const std::string& run_id, HostTrack& track) {
  const std::string job = track.shell->job_id();
  if (job.empty()) return;
  if (auto recorded = record_scheduler_job(store, run_id, track.host.name, job); !recorded) {
    spdlog::warn("host {}: job {} not recorded in the store ({}): `dli-integrator cancel {}` will not know it",
                 track.host.name, job, recorded.error().message, run_id);
  }
}

std::vector<FollowedHost*> followed(std::vector<HostTrack>& tracks) {
  std::vector<FollowedHost*> hosts;
  for (auto& track : tracks) hosts.push_back(&track);
  return hosts;
}

// The integrator records a host's fate itself only when the agent cannot (never started, or went silent).
// Returns the store's refusal, if any, so that the run can end as a store failure.
Status record_host_state(Store& store, const std::string& run_id, HostTrack& track, HostState state,
                         std::string reason) {
  track.status.state = state;
  track.status.reason = std::move(reason);
  track.finished = host_finished(state);
  spdlog::log(track.finished ? spdlog::level::warn : spdlog::level::info, "host {}: {}{}", track.status.host,
              to_string(state), track.status.reason.empty() ? "" : " (" + track.status.reason + ")");
  StatusListing known;
  if (track.entry.seq > 0) known.latest.emplace(track.host.name, track.entry);
  StatusWriter writer(store, run_id, track.host.name);
  writer.continue_after(known);
  Status written = writer.write(track.status);
  if (!written) {
    spdlog::error("cannot record status of host {}: {}", track.status.host, written.error().message);
    return written;
  }
  track.entry = {track.host.name, writer.last_seq(), state, status_entry_name(track.host.name, writer.last_seq(), state)};
  return {};
}

// Starts the agents concurrently, at most `parallel` at a time: a slow or dead host must not delay the others.
// `tasks`: the run's task lists by host, handed to each agent with its start so that it begins without the store.
// `launch`: the token of agents started before the run is published (docs/protocol.md 6, "Start"), or empty.
// Touches no store: each start's outcome, in the order of `tracks`, is for record_starts().
std::vector<Status> launch_agents(const std::vector<HostTrack*>& tracks, const RunOptions& options,
                                  const std::string& run_id, const std::map<std::string, TaskList>& tasks,
                                  const std::string& launch_token) {
  std::vector<Status> outcomes;
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
      launch.args.launch = launch_token;
      launch.args.first_attempt = track.first_attempt;
      launch.args.heartbeat_seconds = options.heartbeat_seconds;
      // Quiet while a test measures, yet four beats within the silence that makes a host lost.
      launch.args.test_heartbeat_seconds = std::max(options.heartbeat_seconds, options.lost_after_seconds / 4);
      launch.secret_netrc = options.secret_netrc;
      if (const auto list = tasks.find(track.host.name); list != tasks.end() && !launch.args.work_dir.empty()) {
        launch.tasks_json = to_json(list->second).dump(1);
        launch.args.tasks_file = launch.args.work_dir + "/" + tasks_file_name(run_id);
      }
      HostShell* shell = track.shell.get();
      std::future<void>* prepared = &track.prepared;
      starts.push_back(std::async(std::launch::async, [shell, launch, prepared] {
        if (prepared->valid()) prepared->wait();
        return shell->start_agent(launch);
      }));
    }
    for (std::size_t i = first; i < last; ++i) {
      tracks[i]->last_change = Clock::now();
      outcomes.push_back(starts[i - first].get());
    }
  }
  return outcomes;
}

// Records launch_agents()' outcomes: the state of a host whose agent could not start, a batch job's id.
void record_starts(Store& store, const std::string& run_id, const std::vector<HostTrack*>& tracks,
                   const std::vector<Status>& outcomes) {
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    HostTrack& track = *tracks[i];
    if (!outcomes[i]) {
      (void)record_host_state(store, run_id, track, host_state_of(outcomes[i].error()), outcomes[i].error().message);
    } else {
      spdlog::info("host {}: agent started", track.host.name);
      record_job(store, run_id, track);
    }
  }
}

// A store the integrator cannot reach is said while it lasts; the agents keep their results meanwhile.
class OutageReport {
 public:
  explicit OutageReport(std::ostream& out) : out_(out) {}
  void failed(const Error& error, Clock::time_point now) {
    if (!out_of_reach_) {
      out_of_reach_ = true;
      since_ = now;
      next_word_ = now + std::chrono::seconds(30);
      out_ << fmt::format("store unreachable: {}; waiting (agents keep their results)\n", error.message);
      out_.flush();
    } else if (now >= next_word_) {
      next_word_ = now + std::chrono::seconds(30);
      out_ << fmt::format("store unreachable for {}: {}\n", format_duration(seconds_between(since_, now)),
                          error.message);
      out_.flush();
    }
  }
  // How long the store has been out of reach (0 when it is not).
  double duration(Clock::time_point now) const { return out_of_reach_ ? seconds_between(since_, now) : 0; }
  // True when an outage just ended.
  bool recovered(Clock::time_point now) {
    if (!out_of_reach_) return false;
    out_ << fmt::format("store reachable again after {}\n", format_duration(seconds_between(since_, now)));
    out_.flush();
    out_of_reach_ = false;
    return true;
  }

 private:
  std::ostream& out_;
  bool out_of_reach_ = false;
  Clock::time_point since_{};
  Clock::time_point next_word_{};
};

// The host's final status, if the agent wrote one since the last listing: its process or job just ended.
bool finished_meanwhile(StatusBoard& board, HostTrack& track) {
  auto listing = board.scan();
  if (!listing) return false;
  const auto found = listing.value().latest.find(track.host.name);
  if (found == listing.value().latest.end() || !host_finished(found->second.state)) return false;
  track.entry = found->second;
  if (auto last = board.read(found->second)) track.status = last.value();
  track.finished = true;
  return true;
}

// A batch job that waits in the queue cannot beat: its silence is no sign of loss. Why it waits is recorded as
// the host's `starting` status, so that `status` and the board show it.
Status wait_for_job(Store& store, const std::string& run_id, HostTrack& track, const AgentJob& job,
                    Clock::time_point now) {
  track.last_change = now;
  // An agent that beat since our last word runs: the scheduler's answer is older (it is asked every few seconds).
  if (track.beat_seen()) return {};
  if (job.reason == track.status.reason && track.status.state == HostState::kStarting) return {};
  const bool ours_to_retire = !track.starting_entry.empty();
  if (auto written = record_host_state(store, run_id, track, HostState::kStarting, job.reason); !written) {
    return written;
  }
  track.started_seq = track.entry.seq;
  if (ours_to_retire) track.starting_entry = track.entry.name;
  return {};
}

// `now`: when this poll's listing began; `exited_at`: when the agent was seen to exit, if it was.
Status decide_silent(Store& store, StatusBoard& board, const std::string& run_id, HostTrack& track,
                     const RunOptions& options, Clock::time_point now, std::optional<Clock::time_point> exited_at) {
  if (const auto job = track.shell->agent_job()) {
    switch (job->phase) {
      case AgentJob::Phase::kWaiting: return wait_for_job(store, run_id, track, *job, now);
      case AgentJob::Phase::kRunning: break;  // its heartbeats decide, as for any agent
      case AgentJob::Phase::kEnded:
        if (finished_meanwhile(board, track)) return {};
        return record_host_state(store, run_id, track, job->ended_as, job->reason);
    }
  }
  const double silent = seconds_between(track.last_change, now);
  if (!track.beat_seen()) {
    // Gone before this poll's listing without a word: no heartbeat can come any more (a work dir it could not
    // write, a crash at start), so the host is lost now rather than at the start timeout.
    if (exited_at && *exited_at < now) {
      return record_host_state(store, run_id, track, HostState::kLost,
                               fmt::format("the agent exited before its first heartbeat; its output: {}/{} on the host",
                                           track.host.work_dir, agent_output_file_name(run_id)));
    }
    if (silent > options.start_timeout_seconds) {
      return record_host_state(store, run_id, track, HostState::kLost,
                               fmt::format("no heartbeat within {} of the agent's start", format_duration(silent)));
    }
    return {};
  }
  if (silent > options.lost_after_seconds) {
    std::string reason = fmt::format("heartbeat silent for {}", format_duration(silent));
    if (!track.status.reason.empty()) reason += "; " + track.status.reason;
    return record_host_state(store, run_id, track, HostState::kLost, std::move(reason));
  }
  // Where the process can be observed, a dead agent is lost at once rather than after the silence.
  const auto alive = track.shell->agent_alive(track.status.pid);
  if (!alive.has_value() || *alive) return {};
  // It may have just finished: look again before calling it lost.
  if (finished_meanwhile(board, track)) return {};
  return record_host_state(store, run_id, track, HostState::kLost, "agent process exited without finishing");
}

// Every unfinished host expects to end within a second: poll faster so the sweep's end is seen at once, without
// reading the store five times as often while tests still run.
bool near_the_end(const std::vector<HostTrack>& tracks) {
  const auto now = Clock::now();
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

bool is_refusal(const Error& error) { return error.kind == ErrorKind::kNoSpace || error.kind == ErrorKind::kDenied; }

// A first attempt's agent does not list the heartbeats, so it cannot remove our `starting`: we do, once it has
// beaten after it (best effort: a leftover costs a reader listing bytes only).
void retire_starting_entries(Store& store, const std::string& run_id, std::vector<HostTrack>& tracks) {
  for (auto& track : tracks) {
    if (track.starting_entry.empty() || !track.beat_seen()) continue;
    if (store.remove(layout::status_entry(run_id, track.starting_entry))) track.starting_entry.clear();
  }
}

// Says `starting` in the store for every unfinished host of `tracks` (after any heartbeat an earlier attempt left,
// `earlier`: none for a new run); returns those hosts, to start.
std::vector<HostTrack*> mark_starting(Store& store, const std::string& run_id, std::vector<HostTrack>& tracks,
                                      const StatusListing& earlier) {
  std::vector<HostTrack*> to_start;
  for (auto& track : tracks) {
    if (track.finished) continue;
    // A new heartbeat after any left by an earlier attempt, so that its final state is not mistaken for this one's.
    if (const auto found = earlier.latest.find(track.host.name); found != earlier.latest.end()) {
      track.entry = found->second;
    } else {
      track.first_attempt = true;
    }
    if (auto written = record_host_state(store, run_id, track, HostState::kStarting, ""); !written) {
      throw StoreFailure("store: " + written.error().message);
    }
    track.started_seq = track.entry.seq;
    if (track.first_attempt) track.starting_entry = track.entry.name;
    to_start.push_back(&track);
  }
  return to_start;
}

// Reads the results of each started host that completed since the last call, while the others still run: the
// collect at the run's end is then left with the hosts that ended last (on a large fleet, most of the reading).
// Within `budget` a call, so that the loop still follows the running hosts at its pace; the rest wait for the
// next call, or for the end's collect.
void read_complete_hosts(Store& store, const RunRecord& record, const std::vector<HostTrack*>& started,
                         std::map<std::string, HostPart>& ready, Clock::duration budget) {
  const auto until = Clock::now() + budget;
  for (const HostTrack* track : started) {
    if (Clock::now() >= until) return;
    if (!track->finished || !host_complete(track->status) || ready.count(track->host.name) > 0) continue;
    const auto tasks = record.tasks.find(track->host.name);
    if (tasks == record.tasks.end()) continue;
    HostPart part = collect_complete_host(store, tasks->second, track->status);
    if (part.error) continue;  // read again at the end, where an error stops the collect
    ready.emplace(track->host.name, std::move(part));
  }
}

// Follows every host of `tracks` until each is finished (`to_start`: those whose agents this attempt started),
// then collects. `record`: the run as published, with the hosts' statuses before this attempt; collected at the
// end with the statuses this attempt saw.
RunOutcome follow_run(Store& store, RunRecord record, std::vector<HostTrack>& tracks,
                      const std::vector<HostTrack*>& to_start, const RunOptions& options, std::ostream& out) {
  const std::string& run_id = record.manifest.run_id;
  StatusBoard board(store, run_id);
  std::vector<HostShell*> watched;
  for (HostTrack* track : to_start) watched.push_back(track->shell.get());
  AgentExitWatch exits(watched);  // an agent's exit cuts the poll's sleep short: its final status is in the store

  std::map<std::string, HostPart> ready;  // hosts whose results were read as they completed
  const auto started = Clock::now();
  ProgressView view(out, options.interactive);
  OutageReport outage(out);
  std::optional<Error> refused;
  const auto poll = std::chrono::duration<double>(options.poll_seconds);
  for (;;) {
    const auto now = Clock::now();
    auto listing = board.scan();
    if (!listing) {
      // The silence timers stand still: the agents cannot beat through a store the integrator cannot read.
      outage.failed(listing.error(), now);
      if (outage.duration(now) > options.store_patience_seconds) {
        throw StoreFailure(fmt::format(
            "store unreachable for {} ({}): no longer following the run; the agents keep their results in their "
            "spools until the store takes them, and `dli-integrator resume {}` collects them",
            format_duration(outage.duration(now)), listing.error().message, run_id));
      }
    } else {
      if (outage.recovered(now)) {
        for (auto& track : tracks) track.last_change = now;  // every agent gets its full time to beat again
      }
      take_listing(listing.value(), followed(tracks), now);
      read_moved(board, followed(tracks), now);
      retire_starting_entries(store, run_id, tracks);
      for (auto& track : tracks) {
        if (track.finished) continue;
        if (auto decided = decide_silent(store, board, run_id, track, options, now, exits.exited_at(track.shell.get()));
            !decided) {
          if (is_refusal(decided.error())) refused = decided.error();
        }
      }
      read_complete_hosts(store, record, to_start, ready, std::chrono::duration_cast<Clock::duration>(poll));
    }
    view.update(statuses(tracks), seconds_between(started, Clock::now()));
    if (std::all_of(tracks.begin(), tracks.end(), [](const HostTrack& track) { return track.finished; })) break;
    exits.sleep(near_the_end(tracks) ? poll / 5 : poll);
  }

  RunOutcome outcome;
  outcome.run_id = run_id;
  for (const auto& track : tracks) {
    if (host_not_reached(track.status.state)) ++outcome.hosts_unreached;
    if (track.status.state == HostState::kStoreFailed) ++outcome.hosts_store_failed;
    outcome.results_unpublished += track.status.unpublished;
  }
  // Each followed host's last status as this attempt saw it; the results are the only thing left to read.
  for (const HostTrack* track : to_start) record.statuses[track->host.name] = track->status;
  spdlog::debug("every host finished: collecting");
  const std::size_t read_ahead = ready.size();
  auto collected = collect_known(store, record, std::move(ready));
  if (!collected) throw StoreFailure("collect: " + collected.error().message);
  spdlog::debug("collected {} rows ({} hosts read as they completed)", collected.value().rows.size(), read_ahead);
  for (const auto& problem : collected.value().problems) spdlog::warn("{}", problem);
  const std::string out_dir = options.out_dir.empty() ? "dli-out/" + run_id : options.out_dir;
  // The history first: its comparison with earlier runs goes into the reports.
  bool history_failed = false;
  if (options.record_history) {
    const std::string history = options.history.empty() ? default_history_location(out_dir) : options.history;
    if (auto recorded = record_history(collected.value(), history)) {
      outcome.history_path = history;
    } else {
      spdlog::error("{}", recorded.error().message);
      history_failed = true;
    }
  }
  for (const auto& row : collected.value().rows) {
    if (row.change && row.change->kind == ChangeKind::kRegressed) ++outcome.regressions;
    if (row.change && row.change->kind == ChangeKind::kImproved) ++outcome.improvements;
  }
  const ReportPaths paths = write_reports(collected.value(), out_dir);
  outcome.csv_path = paths.csv;
  outcome.html_path = paths.html;
  outcome.tests_ok = collected.value().ok;
  outcome.tests_failed = collected.value().failed;
  outcome.tests_not_run = collected.value().not_run;
  outcome.tests_unsupported = collected.value().unsupported;
  if (outcome.hosts_store_failed > 0 || outcome.results_unpublished > 0 || refused) {
    outcome.exit_code = exit_code::kStoreFailed;
  } else if (outcome.hosts_unreached > 0) {
    outcome.exit_code = exit_code::kHostsUnreached;
  } else if (outcome.tests_failed > 0 || outcome.tests_not_run > 0) {
    outcome.exit_code = exit_code::kTestsFailed;
  } else {
    outcome.exit_code = history_failed                                               ? exit_code::kHistoryFailed
                        : options.fail_on_regression && outcome.regressions > 0 ? exit_code::kRegression
                                                                                 : exit_code::kOk;
  }
  outcome.events = notify_events(collected.value(), outcome.exit_code);
  return outcome;
}

// Starts the hosts not finished yet (`earlier`: the run's heartbeats before this attempt), follows them, collects.
RunOutcome drive_run(Store& store, RunRecord record, std::vector<HostTrack>& tracks, const StatusListing& earlier,
                     const RunOptions& options, std::ostream& out) {
  const std::string run_id = record.manifest.run_id;
  const std::vector<HostTrack*> to_start = mark_starting(store, run_id, tracks, earlier);
  record_starts(store, run_id, to_start, launch_agents(to_start, options, run_id, record.tasks, ""));
  return follow_run(store, std::move(record), tracks, to_start, options, out);
}

HostTrack make_track(const HostConfig& host, int total) {
  HostTrack track;
  track.name = host.name;
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

// A run id the caller chose (RunOptions::run_id): a valid id that no published run of the store has. Throws
// ConfigError when it is not usable.
Result<std::string> chosen_run_id(Store& store, const std::string& run_id) {
  if (const auto problem = run_id_problem(run_id)) throw ConfigError({{"--run-id", 0, 0, "run-id", *problem}});
  auto taken = store.exists(layout::manifest(run_id));
  if (!taken) return taken.error();
  if (taken.value()) {
    throw ConfigError({{"--run-id", 0, 0, "run-id", "the store already has run " + run_id + ": `resume` it"}});
  }
  return run_id;
}

}  // namespace

std::map<std::string, TaskList> task_lists(const Plan& plan, const std::string& run_id) {
  std::map<std::string, TaskList> lists;
  for (const auto& host : plan.hosts) {
    TaskList& tasks = lists[host.host.name];
    tasks.run_id = run_id;
    tasks.host = host.host.name;
    tasks.tests = host.tests;
  }
  return lists;
}

RunOutcome run_sweep(const Plan& plan, const RunOptions& options, std::ostream& out, EarlyStore* early_store,
                     EarlyShells* early_shells) {
  std::vector<HostTrack> tracks;
  for (const auto& host : plan.hosts) tracks.push_back(make_track(host.host, static_cast<int>(host.tests.size())));
  // The first hosts' connections open while the run is published (or were opened while the plan was made): their
  // handshakes and the store's login overlap.
  std::size_t ahead = std::min(tracks.size(), static_cast<std::size_t>(std::max(1, options.parallel_starts)));
  for (auto& track : tracks) {
    auto early = early_shells != nullptr ? early_shells->take(track.host.name) : std::nullopt;
    if (!early) continue;
    track.shell = std::move(early->shell);
    track.prepared = std::move(early->ready);
    if (ahead > 0) --ahead;
  }
  for (auto& track : tracks) {
    if (ahead == 0) break;
    if (track.prepared.valid()) continue;
    HostShell* shell = track.shell.get();
    track.prepared = std::async(std::launch::async, [shell] { shell->prepare_start(); });
    --ahead;
  }
  // Agents of hosts reached directly (ssh, local) start before the run is published, with a launch token: they
  // measure at once while the store's login and the publishing go on here, and use the store only once the
  // manifest carries their token (docs/protocol.md 6, "Start"). Not batch jobs (they queue anyway), and not under
  // a run id the user chose (it is checked first: a taken one is bad input, which starts nothing).
  const bool launch_early = options.run_id.empty();
  const std::string token = launch_early ? new_launch_token() : "";
  std::string run_id = launch_early ? run_id_now(plan.sweep.name) : options.run_id;
  std::vector<HostTrack*> early;
  if (launch_early) {
    for (auto& track : tracks) {
      if (track.host.kind == "slurm") continue;
      track.first_attempt = true;
      early.push_back(&track);
    }
  }
  std::future<std::vector<Status>> early_starts;
  if (!early.empty()) {
    early_starts = std::async(std::launch::async, [&early, &options, run_id, token, tasks = task_lists(plan, run_id)] {
      return launch_agents(early, options, run_id, tasks, token);
    });
  }
  spdlog::debug("plan ready: reaching the store");
  std::unique_ptr<Store> store = early_store != nullptr ? early_store->take(options.store_url) : nullptr;
  if (!store) store = open_or_throw(options.store_url);
  auto free = launch_early ? free_run_id(*store, run_id) : chosen_run_id(*store, run_id);
  if (!free) throw StoreFailure("store: " + free.error().message);
  if (free.value() != run_id) {
    // Another run took the id meanwhile (the same sweep name within the same second). The agents started for it
    // stop on their own, as their channels close here or when they read its manifest; this run takes the next id.
    spdlog::warn("run {} exists already: this run is {}; starting its agents again", run_id, free.value());
    (void)early_starts.get();
    for (HostTrack* track : early) track->shell = make_host_shell(track->host);
    early.clear();
    run_id = free.value();
  }
  spdlog::debug("store reached: run {}", run_id);
  auto published = publish_run(*store, plan, run_id, token);
  if (!published) throw StoreFailure("store: " + published.error().message);
  RunRecord record;
  record.manifest = published.value();
  record.tasks = task_lists(plan, run_id);
  out << fmt::format("run {}: {} tests on {} hosts, store {}\n", run_id, plan.total_tests(), plan.hosts.size(),
                     store->describe());

  const std::vector<HostTrack*> to_start = mark_starting(*store, run_id, tracks, StatusListing{});
  std::vector<HostTrack*> late;
  for (HostTrack* track : to_start) {
    if (std::find(early.begin(), early.end(), track) == early.end()) late.push_back(track);
  }
  if (!early.empty()) record_starts(*store, run_id, early, early_starts.get());
  record_starts(*store, run_id, late, launch_agents(late, options, run_id, record.tasks, ""));
  return follow_run(*store, std::move(record), tracks, to_start, options, out);
}

RunOutcome resume_run(const std::string& run_id, const FleetConfig& fleet, const RunOptions& options,
                      std::ostream& out) {
  auto store = open_or_throw(options.store_url);
  std::vector<std::string> problems;
  auto record = read_run_record(*store, run_id, problems);
  if (!record) throw StoreFailure("resume: " + record.error().message);
  for (const auto& problem : problems) spdlog::warn("{}", problem);
  auto collected = collect_known(*store, record.value());
  if (!collected) throw StoreFailure("resume: " + collected.error().message);

  std::map<std::string, int> missing = collected.value().unfinished;  // a repeat counts, though its row has a result
  if (options.redo) {
    for (const auto& row : collected.value().rows) ++missing[row.spec.host];
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
  auto earlier = StatusBoard(*store, run_id).scan();
  if (!earlier) throw StoreFailure("store: " + earlier.error().message);
  return drive_run(*store, std::move(record).value(), tracks, earlier.value(), options, out);
}

}  // namespace dli
