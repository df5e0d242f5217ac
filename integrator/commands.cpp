// The integrator's commands (commands.hpp).
#include "commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <vector>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "dli/config/config.hpp"
#include "dli/history/history.hpp"
#include "dli/integrator/collect.hpp"
#include "dli/integrator/history_record.hpp"
#include "dli/integrator/host_check.hpp"
#include "dli/integrator/notify.hpp"
#include "dli/integrator/plan.hpp"
#include "dli/integrator/progress.hpp"
#include "dli/integrator/scheduler_jobs.hpp"
#include "dli/integrator/site_publish.hpp"
#include "dli/integrator/site_upload.hpp"
#include "dli/integrator/sweep_run.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/remote/job_scheduler.hpp"
#include "dli/report/advise.hpp"
#include "dli/status/status_board.hpp"
#include "dli/store/credentials.hpp"
#include "dli/store/store.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/util/version.hpp"

namespace dli::cli {

namespace {

std::string default_store_url() { return "file://" + (std::filesystem::current_path() / "dli-store").string(); }

}  // namespace

std::string sibling_agent_exe() {
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "dli-agent";
  return (self.parent_path() / "dli-agent").string();
}

// The fleet's URL was checked by its loader (with its file, line and column); the flag's is checked here, before
// anything is written.
std::string resolve_store(const std::string& from_command_line, const std::string& from_fleet) {
  if (!from_command_line.empty()) {
    if (auto checked = dli::check_store_url(from_command_line); !checked) {
      throw dli::ConfigError({{"--store", 0, 0, "store", checked.error().message}});
    }
    return from_command_line;
  }
  if (!from_fleet.empty()) return from_fleet;
  return default_store_url();
}

namespace {

// "<3>" for an error...: the syslog priority journald reads from the start of a line of a service's stderr
// (sd-daemon(3)), so that `journalctl -p err` finds the errors; journald adds the time itself.
class JournalPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    static constexpr const char* kPriorities[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const auto level = static_cast<std::size_t>(message.level);
    const char* text = kPriorities[level < 7 ? level : 6];
    out.append(text, text + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JournalPriority>(); }
};

}  // namespace

void configure_logging(int verbosity) {
  auto logger = spdlog::stderr_color_mt("dli");
  spdlog::set_default_logger(logger);
  if (std::getenv("JOURNAL_STREAM") != nullptr) {  // set by systemd when stderr goes to the journal
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JournalPriority>('*').set_pattern("%*%v");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  spdlog::set_level(verbosity > 0 ? spdlog::level::debug : verbosity < 0 ? spdlog::level::warn : spdlog::level::info);
}

int print_run_outcome(const dli::RunOutcome& outcome) {
  std::cout << "\nrun " << outcome.run_id << ": " << outcome.tests_ok << " ok, " << outcome.tests_failed
            << " failed, " << outcome.tests_unsupported << " unsupported, " << outcome.tests_not_run << " not run";
  if (outcome.hosts_unreached > 0) std::cout << ", " << outcome.hosts_unreached << " hosts failed or not reached";
  std::cout << "\nCSV:  " << std::filesystem::absolute(outcome.csv_path).string()
            << "\nHTML: " << std::filesystem::absolute(outcome.html_path).string() << "\n";
  if (!outcome.history_path.empty()) {
    std::cout << "History: " << std::filesystem::absolute(outcome.history_path).string() << " ("
              << outcome.regressions << " regressed, " << outcome.improvements << " improved against earlier runs)\n";
  }
  return outcome.exit_code;
}

// `collect`'s exit code, by the same precedence as a run's (exit_codes.hpp).
int collect_exit_code(const dli::Collected& result, int history_code, bool fail_on_regression) {
  for (const auto& host : result.host_states) {
    if (host.state == dli::HostState::kStoreFailed || host.unpublished > 0) return dli::exit_code::kStoreFailed;
  }
  if (result.failed > 0 || result.not_run > 0) return dli::exit_code::kTestsFailed;
  if (history_code != dli::exit_code::kOk) return history_code;
  for (const auto& row : result.rows) {
    if (fail_on_regression && row.change && row.change->kind == dli::ChangeKind::kRegressed) {
      return dli::exit_code::kRegression;
    }
  }
  return dli::exit_code::kOk;
}

// Tells the run's events to whoever the fleet's `notify:` names, once each (remembered in the history at
// `history`, when there is one).
void tell(const dli::NotifyConfig& config, const std::string& history, const std::vector<dli::NotifyEvent>& events) {
  if (!config.enabled() || events.empty()) return;
  std::unique_ptr<dli::HistoryDb> memory;
  if (!history.empty()) {
    auto opened = dli::open_history(history);
    if (opened) {
      memory = std::move(opened.value());
    } else {
      spdlog::warn("notifications without memory (each collect tells again): {}", opened.error().message);
    }
  }
  const int told = dli::notify(config, memory.get(), events);
  if (told > 0) std::cout << "Notified: " << told << " event" << (told == 1 ? "" : "s") << "\n";
}

// Records a collected run in the history; the exit code of that alone.
int record_run(dli::Collected& collected, const std::string& location) {
  auto recorded = dli::record_history(collected, location);
  if (!recorded) {
    spdlog::error("{}", recorded.error().message);
    return dli::exit_code::kHistoryFailed;
  }
  std::cout << "History: " << std::filesystem::absolute(location).string() << " (run " << collected.manifest.run_id
            << ", " << recorded.value() << " tests)\n";
  return dli::exit_code::kOk;
}

// A run of the store, collected (the store from --store, else --fleet's `store:`); nullopt, the error logged, when
// the store cannot be read.
std::optional<dli::Collected> collect_from_store(const std::string& store_url, const std::string& fleet_path,
                                                 const std::string& run_id) {
  std::string fleet_store;
  if (!fleet_path.empty()) fleet_store = dli::load_fleet(fleet_path).store_url;
  auto store = dli::open_store(resolve_store(store_url, fleet_store));
  if (!store) throw dli::ConfigError({{"--store", 0, 0, "store", store.error().message}});
  auto collected = dli::collect_run(*store.value(), run_id);
  if (!collected) {
    spdlog::error("{}", collected.error().message);
    return std::nullopt;
  }
  for (const auto& problem : collected.value().problems) spdlog::warn("{}", problem);
  return std::move(collected).value();
}

void leave_to_exit(std::optional<dli::Collected> collected) {
  // Each in a block never freed, reachable from here (so no leak to a checker); the vector holds pointers only.
  static std::vector<std::optional<dli::Collected>*> kept;
  kept.push_back(new std::optional<dli::Collected>(std::move(collected)));
}

// An existing history database; nullptr (the error logged) when it cannot be opened. Never creates a database file:
// a typo would otherwise leave an empty one behind.
std::unique_ptr<dli::HistoryDb> open_existing_history(const std::string& location) {
  const bool file = location.find("://") == std::string::npos || location.rfind("sqlite://", 0) == 0;
  const std::string path = location.rfind("sqlite://", 0) == 0 ? location.substr(9) : location;
  if (file && !std::filesystem::exists(path)) {
    throw dli::ConfigError({{"--history", 0, 0, "history", "no history database at " + location}});
  }
  auto history = dli::open_history(location);
  if (!history) {
    spdlog::error("{}", history.error().message);
    return nullptr;
  }
  return std::move(history).value();
}

int list_history(const std::string& location) {
  auto history = open_existing_history(location);
  if (!history) return dli::exit_code::kHistoryFailed;
  auto runs = history->runs();
  if (!runs) {
    spdlog::error("{}", runs.error().message);
    return dli::exit_code::kHistoryFailed;
  }
  for (const auto& run : runs.value()) {
    std::cout << run.run_id << "  " << run.sweep_name << "  created " << run.created_at << "  " << run.ok << " ok of "
              << run.results << " results\n";
  }
  return dli::exit_code::kOk;
}

// Store credentials for remote agents; a lookup failure (an unsafe credentials file, ...) is a config error.
std::string agent_secret(const std::string& store_url) {
  auto netrc = dli::agent_credentials_netrc(store_url);
  if (!netrc) throw dli::ConfigError({{"--store", 0, 0, "store", netrc.error().message}});
  return netrc.value();
}

// What `run` and `resume` share: where the store and the reports are, the local agent, the fleet's fan-out.
dli::RunOptions run_options(const dli::FleetConfig& fleet, const std::string& store_url, const std::string& out_dir,
                            const std::string& agent_exe, bool no_progress) {
  dli::RunOptions options;
  options.store_url = resolve_store(store_url, fleet.store_url);
  options.out_dir = out_dir;
  options.agent_exe = agent_exe.empty() ? sibling_agent_exe() : agent_exe;
  options.interactive = !no_progress && ::isatty(STDOUT_FILENO) != 0;
  options.parallel_starts = fleet.parallel;
  options.secret_netrc = agent_secret(options.store_url);
  return options;
}

// `publish URL`: exit 6 when the history cannot be read, 5 when the store cannot be written (docs/site.md).
int publish_to_store(dli::HistoryDb& history, const std::string& url, const std::string& title) {
  auto prepared = dli::SiteUpload::prepare(history, title);
  if (!prepared) {
    spdlog::error("{}", prepared.error().message);
    return dli::exit_code::kHistoryFailed;
  }
  auto store = dli::open_store(url);
  if (!store) throw dli::ConfigError({{"SITE", 0, 0, "url", store.error().message}});
  auto uploaded = prepared.value().upload(*store.value());
  if (!uploaded) {
    spdlog::error("cannot publish the site to {}: {}", store.value()->describe(), uploaded.error().message);
    return dli::exit_code::kStoreFailed;
  }
  std::cout << "Site: " << uploaded.value().site << " -> " << uploaded.value().version << " ("
            << uploaded.value().runs << " runs, " << uploaded.value().series << " series pages)\n";
  return dli::exit_code::kOk;
}

int cancel_run(const std::string& url, const std::string& run_id) {
  auto store = dli::open_store(url);
  if (!store) throw dli::ConfigError({{"--store", 0, 0, "store", store.error().message}});
  auto jobs = dli::recorded_scheduler_jobs(*store.value(), run_id);
  if (!jobs) {
    spdlog::error("{}", jobs.error().message);
    return dli::exit_code::kStoreFailed;
  }
  if (jobs.value().empty()) {
    std::cout << "run " << run_id << ": no batch jobs recorded (it has no slurm hosts)\n";
    return dli::exit_code::kOk;
  }
  std::vector<std::string> ids;
  for (const auto& [host, host_jobs] : jobs.value()) ids.insert(ids.end(), host_jobs.begin(), host_jobs.end());
  if (auto cancelled = dli::make_slurm_scheduler()->cancel(ids); !cancelled) {
    spdlog::error("{}", cancelled.error().message);
    return dli::exit_code::kHostsUnreached;
  }
  // The agents cannot say so themselves: a host still shown unfinished is marked lost, with who ended it, so that
  // `status` and a later `collect` tell; an integrator still following the run reads the same.
  std::vector<std::string> problems;
  auto known = dli::StatusBoard(*store.value(), run_id).read_all(problems);
  for (const auto& [host, host_jobs] : jobs.value()) {
    std::cout << "host " << host << ": slurm job " << host_jobs.back() << " cancelled\n";
    if (!known) continue;
    const auto found = known.value().find(host);
    if (found != known.value().end() && dli::host_finished(found->second.state)) continue;
    dli::HostStatus status = found != known.value().end() ? found->second : dli::HostStatus{};
    status.host = host;
    status.state = dli::HostState::kLost;
    status.reason = "slurm job " + host_jobs.back() + " cancelled by `dli-integrator cancel`";
    dli::StatusWriter writer(*store.value(), run_id, host);
    if (!writer.continue_after_store() || !writer.write(status)) {
      spdlog::warn("host {}: its cancellation could not be recorded in the store", host);
    }
  }
  return dli::exit_code::kOk;
}

int show_status(const std::string& url, const std::string& run_id) {
  auto store = dli::open_store(url);
  if (!store) throw dli::ConfigError({{"--store", 0, 0, "store", store.error().message}});
  auto manifest_text = store.value()->get(dli::layout::manifest(run_id));
  if (!manifest_text) {
    spdlog::error("{}", manifest_text.error().message);
    return dli::exit_code::kStoreFailed;
  }
  const dli::Manifest manifest = dli::manifest_from_json(nlohmann::json::parse(manifest_text.value()));
  std::vector<std::string> problems;
  auto known = dli::StatusBoard(*store.value(), run_id).read_all(problems);
  if (!known) {
    spdlog::error("{}", known.error().message);
    return dli::exit_code::kStoreFailed;
  }
  for (const auto& problem : problems) spdlog::warn("{}", problem);
  std::vector<dli::HostStatus> hosts;
  std::size_t width = 4;
  for (const auto& host : manifest.hosts) {
    dli::HostStatus status;
    status.host = host.name;
    status.total = host.tests;
    if (const auto found = known.value().find(host.name); found != known.value().end()) status = found->second;
    hosts.push_back(status);
    width = std::max(width, host.name.size());
  }
  std::cout << "run " << manifest.run_id << " (sweep " << manifest.sweep_name << ", created " << manifest.created_at
            << ")\n";
  bool all_done = true, store_failed = false, not_reached = false;
  for (const auto& host : hosts) {
    std::cout << dli::format_host_line(host, width) << "  updated " << host.updated_at << '\n';
    all_done = all_done && host.state == dli::HostState::kDone && host.failed == 0;
    store_failed = store_failed || host.state == dli::HostState::kStoreFailed;
    not_reached = not_reached || dli::host_not_reached(host.state);
  }
  // The codes `run` would end with for the same states (README.md, "Exit codes").
  if (store_failed) return dli::exit_code::kStoreFailed;
  if (not_reached) return dli::exit_code::kHostsUnreached;
  return all_done ? dli::exit_code::kOk : dli::exit_code::kTestsFailed;
}

int check_hosts(const dli::FleetConfig& fleet, const std::string& only, const std::string& store_url,
                const std::string& local_agent) {
  if (!only.empty() && fleet.find(only) == nullptr) {
    throw dli::ConfigError({{fleet.path, 0, 0, "hosts", "no host named '" + only + "' in this fleet"}});
  }
  int failures = 0;
  for (const auto& host : fleet.hosts) {
    if (!only.empty() && host.name != only) continue;
    auto shell = dli::make_host_shell(host);
    const dli::HostCheck check =
        dli::check_host(*shell, host, host.agent_path.empty() ? local_agent : host.agent_path, store_url);
    std::cout << "== " << host.name << " (" << host.kind << "): " << check.state;
    if (!check.reason.empty()) std::cout << ": " << check.reason;
    std::cout << '\n';
    if (check.info) std::cout << dli::format_host_info(*check.info);
    failures += check.ok() ? 0 : 1;
  }
  return failures == 0 ? dli::exit_code::kOk : dli::exit_code::kHostsUnreached;
}

}  // namespace dli::cli
