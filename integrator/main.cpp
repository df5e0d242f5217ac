// dli-integrator: plans a sweep over a fleet, runs it, and merges the results into CSV and HTML. The command line
// is read here; each command's work is in commands.cpp.
// Exit codes: include/dli/exit_codes.hpp (documented in README.md).
#include <algorithm>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "daemon.hpp"
#include "hosts_add.hpp"
#include "dli/integrator/early_store.hpp"
#include "dli/integrator/history_record.hpp"
#include "dli/integrator/site_publish.hpp"
#include "dli/integrator/site_upload.hpp"
#include "dli/report/advise.hpp"
#include "dli/store/store.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/util/process_exit.hpp"
#include "dli/util/version.hpp"

using namespace dli::cli;

namespace {

int run_command_line(int argc, char** argv) {
  CLI::App app{"dli-integrator: plan, run and collect deep-learning inference sweeps over a fleet"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(dli::kVersion));
  int verbosity = 0;
  app.add_flag_callback("-v,--verbose", [&] { verbosity = 1; }, "Debug logging");
  app.add_flag_callback("-q,--quiet", [&] { verbosity = -1; }, "Warnings and errors only");

  std::string sweep_path, store_url, out_dir, agent_exe, run_id, fleet_path;
  bool redo = false, no_progress = false;
  // How the run is followed (docs/protocol.md 5); bounded so that no clock overflows.
  double lost_after = dli::RunOptions{}.lost_after_seconds, heartbeat = dli::RunOptions{}.heartbeat_seconds;
  double store_patience = dli::RunOptions{}.store_patience_seconds;
  double start_timeout = dli::RunOptions{}.start_timeout_seconds;
  const auto follow_options = [&](CLI::App* command) {
    command->add_option("--lost-after", lost_after, "Seconds of heartbeat silence after which a host is lost")
        ->check(CLI::Range(1.0, 86400.0))
        ->capture_default_str();
    command->add_option("--start-timeout", start_timeout,
                        "Seconds from an agent's start (a batch job's: once it leaves the queue) to its first "
                        "heartbeat, after which its host is lost")
        ->check(CLI::Range(1.0, 86400.0))
        ->capture_default_str();
    command->add_option("--heartbeat", heartbeat, "Seconds between the agents' heartbeats")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    command->add_option("--store-patience", store_patience,
                        "Seconds the store may stay unreachable before the integrator stops following (exit 5)")
        ->check(CLI::Range(1.0, 7 * 86400.0))
        ->capture_default_str();
  };

  std::string history_location;
  bool no_history = false, fail_on_regression = false;
  const auto history_options = [&](CLI::App* command) {
    command->add_option("--history", history_location,
                        "History database: a file or postgresql://USER@HOST/DB (default: the fleet's `history:`, "
                        "else history.sqlite beside the run's report folder)");
    command->add_flag("--no-history", no_history, "Do not record the run in the history database");
    command->add_flag("--fail-on-regression", fail_on_regression,
                      "Exit with code 7 when a figure regressed against earlier runs (docs/history.md)");
  };

  auto* plan_cmd = app.add_subcommand("plan", "Validate a sweep and print the tests each host would run; writes nothing");
  plan_cmd->add_option("SWEEP", sweep_path, "Sweep YAML file")->required();
  plan_cmd->add_option("--store", store_url, "Store URL to check as `run` would use it (default: the fleet's `store:`)");

  auto* run_cmd = app.add_subcommand("run", "Plan, publish to the store, run every host's agent, merge the results");
  run_cmd->add_option("SWEEP", sweep_path, "Sweep YAML file")->required();
  run_cmd->add_option("--out", out_dir, "Folder for results.csv and results.html (default dli-out/<run id>)");
  run_cmd->add_option("--store", store_url, "Store URL (default: the fleet's `store:`, else file://$PWD/dli-store)");
  run_cmd->add_option("--agent", agent_exe, "dli-agent for local hosts (default: beside this program)");
  run_cmd->add_flag("--redo", redo, "Rerun tests that already have a result");
  std::string chosen_run_id;
  run_cmd->add_option("--run-id", chosen_run_id,
                      "The run's id, chosen beforehand (default: YYYYMMDD-HHMMSS-<sweep>); the store must not have it");
  run_cmd->add_flag("--no-progress", no_progress, "Plain log lines even on a terminal");
  follow_options(run_cmd);
  history_options(run_cmd);

  auto* status_cmd = app.add_subcommand("status", "Show each host's progress in a run (from its heartbeats)");
  status_cmd->add_option("RUN", run_id, "Run id")->required();
  status_cmd->add_option("--store", store_url, "Store URL (default: --fleet's `store:`, else file://$PWD/dli-store)");
  status_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `store:` to use");

  auto* cancel_cmd = app.add_subcommand("cancel", "Cancel the batch jobs of a run's slurm hosts (docs/slurm.md)");
  cancel_cmd->add_option("RUN", run_id, "Run id")->required();
  cancel_cmd->add_option("--store", store_url, "Store URL (default: --fleet's `store:`, else file://$PWD/dli-store)");
  cancel_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `store:` to use");

  auto* resume_cmd = app.add_subcommand("resume", "Start again the hosts of a run whose tests lack results, then merge");
  resume_cmd->add_option("RUN", run_id, "Run id")->required();
  resume_cmd->add_option("--fleet", fleet_path, "Fleet YAML that reaches the run's hosts")->required();
  resume_cmd->add_option("--store", store_url, "Store URL (default: the fleet's `store:`, else file://$PWD/dli-store)");
  resume_cmd->add_option("--out", out_dir, "Folder for the reports (default dli-out/<run id>)");
  resume_cmd->add_option("--agent", agent_exe, "dli-agent for local hosts (default: beside this program)");
  resume_cmd->add_flag("--no-progress", no_progress, "Plain log lines even on a terminal");
  follow_options(resume_cmd);
  history_options(resume_cmd);

  std::string host_name;
  auto* hosts_cmd = app.add_subcommand("hosts", "Fleet hosts");
  hosts_cmd->require_subcommand(1);
  auto* check_cmd = hosts_cmd->add_subcommand(
      "check", "Connect, verify the host key and the agent, probe the store, describe the machine");
  check_cmd->add_option("FLEET", fleet_path, "Fleet YAML")->required();
  check_cmd->add_option("NAME", host_name, "Only this host (default: every host)");
  check_cmd->add_option("--store", store_url, "Store URL (default: the fleet's `store:`, else file://$PWD/dli-store)");
  check_cmd->add_option("--agent", agent_exe, "dli-agent for local hosts (default: beside this program)");

  HostsAddOptions add;
  auto* add_cmd = hosts_cmd->add_subcommand(
      "add", "Onboard an SSH host: confirm its key, deploy the agent, check it, add it to the fleet (docs/onboarding.md)");
  add_cmd->add_option("NAME", add.host.name, "The new host's name")->required();
  add_cmd->add_option("--fleet", add.fleet_path, "Fleet YAML to add it to")->required();
  add_cmd->add_option("--address", add.host.address, "DNS name or IP address")->required();
  add_cmd->add_option("--user", add.host.user, "User to log in as")->required();
  add_cmd->add_option("--port", add.host.port, "SSH port")->check(CLI::Range(1, 65535))->capture_default_str();
  auto* key_option = add_cmd->add_option("--key", add.host.key_file, "Private key file (ed25519 or ECDSA)");
  add_cmd->add_flag("--use-agent", add.host.use_agent, "Log in with ssh-agent's identities")->excludes(key_option);
  add_cmd->add_option("--known-hosts", add.host.known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  add_cmd->add_option("--agent-path", add.host.agent_path, "dli-agent on the host (default /usr/local/bin/dli-agent)");
  add_cmd->add_option("--work-dir", add.host.work_dir, "The agent's folder on the host (default /tmp/dli-agent-NAME)");
  add_cmd->add_option("--connect-timeout", add.host.connect_timeout, "Seconds to connect and log in (default 10)")
      ->check(CLI::Range(0.1, 3600.0));
  add_cmd->add_option("--fingerprint", add.fingerprint,
                      "SHA256:... the host key must have (without it: asked on the terminal)");
  add_cmd->add_flag("--deploy", add.deploy, "Copy this build's agent and runners when the host lacks them");
  add_cmd->add_option("--store", store_url, "Store URL to check (default: the fleet's `store:`, else file://$PWD/dli-store)");
  add_cmd->add_option("--agent", agent_exe, "dli-agent to deploy (default: beside this program)");

  bool force_deploy = false;
  auto* deploy_cmd = hosts_cmd->add_subcommand(
      "deploy", "Copy this build's dli-agent and runners to an SSH host that lacks them or has another version");
  deploy_cmd->add_option("FLEET", fleet_path, "Fleet YAML")->required();
  deploy_cmd->add_option("NAME", host_name, "The host")->required();
  deploy_cmd->add_option("--agent", agent_exe, "dli-agent to deploy (default: beside this program)");
  deploy_cmd->add_flag("--force", force_deploy, "Copy even when the host has this version");

  auto* collect_cmd =
      app.add_subcommand("collect", "Rebuild results.csv, results.json and results.html of a run from the store");
  collect_cmd->add_option("RUN", run_id, "Run id")->required();
  collect_cmd->add_option("--store", store_url, "Store URL (default: --fleet's `store:`, else file://$PWD/dli-store)");
  collect_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `store:` to use");
  collect_cmd->add_option("--out", out_dir, "Folder for the reports (default dli-out/<run id>)");
  history_options(collect_cmd);

  dli::CapacityQuestion question;
  double p99_ms = 0;
  auto* advise_cmd = app.add_subcommand(
      "advise", "Which hosts and configurations of a run can serve N streams at F frames/s (p99 at most L ms)");
  advise_cmd->add_option("RUN", run_id, "Run id")->required();
  advise_cmd->add_option("--model", question.model, "Model name, as the sweep names it")->required();
  advise_cmd->add_option("--streams", question.streams, "Streams (cameras)")->required()->check(CLI::Range(1, 1000000));
  advise_cmd->add_option("--fps", question.fps_per_stream, "Frames per second of each stream")
      ->required()
      ->check(CLI::Range(0.001, 1e6));
  advise_cmd->add_option("--p99-ms", p99_ms, "Latency bound: p99 per frame, ms")->check(CLI::Range(0.001, 1e9));
  advise_cmd->add_option("--store", store_url, "Store URL (default: --fleet's `store:`, else file://$PWD/dli-store)");
  advise_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `store:` to use");

  std::string site_dir, site_title = "dli: deep-learning inference benchmark";
  auto* publish_cmd = app.add_subcommand("publish", "Write the static site of every run in the history (docs/site.md)");
  publish_cmd->add_option("SITE", site_dir,
                          "The site's folder (a symbolic link to its current version), or a web root on a store "
                          "(ftp://, ftps://, sftp://, file://)")
      ->required();
  publish_cmd->add_option("--history", history_location,
                          "History database (default: --fleet's `history:`, else dli-out/history.sqlite)");
  publish_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `history:` to use");
  publish_cmd->add_option("--title", site_title, "The site's title")->capture_default_str();

  auto* history_cmd = app.add_subcommand("history", "The history database of collected runs (docs/history.md)");
  history_cmd->require_subcommand(1);
  auto* import_cmd = history_cmd->add_subcommand("import", "Record a run of the store in the history (again: no change)");
  import_cmd->add_option("RUN", run_id, "Run id")->required();
  import_cmd->add_option("--store", store_url, "Store URL (default: --fleet's `store:`, else file://$PWD/dli-store)");
  import_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `store:` to use");
  import_cmd->add_option("--history", history_location,
                         "History database (default: --fleet's `history:`, else dli-out/history.sqlite)");
  auto* list_cmd = history_cmd->add_subcommand("list", "List the recorded runs, oldest first");
  list_cmd->add_option("--history", history_location, "History database file (default dli-out/history.sqlite)");
  list_cmd->add_option("--fleet", fleet_path, "Fleet YAML whose `history:` to use");

  dli::cli::DaemonOptions daemon_options;
  std::string status_lab;
  auto* daemon_cmd = app.add_subcommand(
      "daemon", "Run a lab's sweeps on their schedules; collect, record and publish each run (docs/daemon.md)");
  daemon_cmd->require_subcommand(0, 1);
  daemon_cmd->add_option("LAB", daemon_options.lab_path, "Lab YAML file");
  daemon_cmd->add_flag("--once", daemon_options.once,
                       "Run what is due now and resume what was interrupted, wait for those runs, then exit");
  auto* daemon_status_cmd = daemon_cmd->add_subcommand("status", "What the lab's daemon does and what is due next");
  daemon_status_cmd->add_option("LAB", status_lab, "Lab YAML file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? dli::exit_code::kOk : dli::exit_code::kBadConfig;
  }
  configure_logging(verbosity);

  try {
    if (*plan_cmd) {
      const dli::Plan plan = dli::make_plan(sweep_path);
      resolve_store(store_url, plan.fleet.store_url);  // checks a --store URL like the fleet's
      dli::print_plan(std::cout, plan);
      return dli::exit_code::kOk;
    }
    if (*run_cmd) {
      // A --store is known before any file is read: its login goes on while the sweep and fleet are.
      dli::EarlyStore early_store(store_url);
      // The first hosts' connections open once the fleet is read, while the models are hashed.
      dli::EarlyShells early_shells;
      const dli::Plan plan = dli::make_plan(sweep_path, [&early_shells](const auto& sweep, const auto& fleet) {
        early_shells.open(sweep, fleet);
      });
      dli::RunOptions options = run_options(plan.fleet, store_url, out_dir, agent_exe, no_progress);
      options.redo = redo;
      options.run_id = chosen_run_id;
      options.lost_after_seconds = lost_after;
      options.start_timeout_seconds = start_timeout;
      options.heartbeat_seconds = heartbeat;
      options.store_patience_seconds = store_patience;
      options.record_history = !no_history;
      options.history = history_location.empty() ? plan.fleet.history : history_location;
      options.fail_on_regression = fail_on_regression;
      const dli::RunOutcome outcome =
          dli::run_sweep(plan, options, std::cout, &early_store, &early_shells);
      const int code = print_run_outcome(outcome);
      tell(plan.fleet.notify, outcome.history_path, outcome.events);
      return code;
    }
    if (*status_cmd) {
      std::string fleet_store;
      if (!fleet_path.empty()) fleet_store = dli::load_fleet(fleet_path).store_url;
      return show_status(resolve_store(store_url, fleet_store), run_id);
    }
    if (*cancel_cmd) {
      std::string fleet_store;
      if (!fleet_path.empty()) fleet_store = dli::load_fleet(fleet_path).store_url;
      return cancel_run(resolve_store(store_url, fleet_store), run_id);
    }
    if (*resume_cmd) {
      const dli::FleetConfig fleet = dli::load_fleet(fleet_path);
      dli::RunOptions options = run_options(fleet, store_url, out_dir, agent_exe, no_progress);
      options.lost_after_seconds = lost_after;
      options.start_timeout_seconds = start_timeout;
      options.heartbeat_seconds = heartbeat;
      options.store_patience_seconds = store_patience;
      options.record_history = !no_history;
      options.history = history_location.empty() ? fleet.history : history_location;
      options.fail_on_regression = fail_on_regression;
      const dli::RunOutcome outcome = dli::resume_run(run_id, fleet, options, std::cout);
      const int code = print_run_outcome(outcome);
      tell(fleet.notify, outcome.history_path, outcome.events);
      return code;
    }
    if (*check_cmd) {
      const dli::FleetConfig fleet = dli::load_fleet(fleet_path);
      return check_hosts(fleet, host_name, resolve_store(store_url, fleet.store_url),
                         agent_exe.empty() ? sibling_agent_exe() : agent_exe);
    }
    if (*add_cmd) {
      add.store_url = store_url;
      add.local_agent = agent_exe.empty() ? sibling_agent_exe() : agent_exe;
      return add_host(add);
    }
    if (*deploy_cmd) {
      const dli::FleetConfig fleet = dli::load_fleet(fleet_path);
      const dli::HostConfig* host = fleet.find(host_name);
      if (host == nullptr) throw dli::ConfigError({{fleet.path, 0, 0, "hosts", "no host named '" + host_name + "'"}});
      return deploy_to_host(*host, agent_exe.empty() ? sibling_agent_exe() : agent_exe, force_deploy);
    }
    if (*collect_cmd || *import_cmd) {
      if (!fleet_path.empty() && history_location.empty()) history_location = dli::load_fleet(fleet_path).history;
      auto collected = collect_from_store(store_url, fleet_path, run_id);
      if (!collected) return dli::exit_code::kStoreFailed;
      const std::string reports = out_dir.empty() ? "dli-out/" + run_id : out_dir;
      const std::string history =
          history_location.empty() ? dli::default_history_location(reports) : history_location;
      if (*import_cmd) return record_run(collected.value(), history);
      const int history_code = no_history ? dli::exit_code::kOk : record_run(collected.value(), history);
      const auto paths = dli::write_reports(collected.value(), reports);
      std::cout << "CSV:  " << std::filesystem::absolute(paths.csv).string()
                << "\nJSON: " << std::filesystem::absolute(paths.json).string()
                << "\nHTML: " << std::filesystem::absolute(paths.html).string() << "\n";
      const int code = collect_exit_code(collected.value(), history_code, fail_on_regression);
      if (!fleet_path.empty()) {
        tell(dli::load_fleet(fleet_path).notify, no_history || history_code != dli::exit_code::kOk ? "" : history,
             dli::notify_events(collected.value(), code));
      }
      leave_to_exit(std::move(collected));
      return code;
    }
    if (*advise_cmd) {
      auto collected = collect_from_store(store_url, fleet_path, run_id);
      if (!collected) return dli::exit_code::kStoreFailed;
      if (p99_ms > 0) question.p99_s = p99_ms / 1000.0;
      const auto answers = dli::advise(collected->rows, question);
      dli::write_advice(std::cout, question, answers, collected->rows);
      const bool answered = std::any_of(answers.begin(), answers.end(), [](const auto& a) { return a.fits; });
      return answered ? dli::exit_code::kOk : dli::exit_code::kTestsFailed;
    }
    if (*publish_cmd) {
      if (history_location.empty() && !fleet_path.empty()) history_location = dli::load_fleet(fleet_path).history;
      if (history_location.empty()) history_location = "dli-out/history.sqlite";
      const bool to_store = site_dir.find("://") != std::string::npos;
      if (to_store) {
        if (auto checked = dli::check_store_url(site_dir); !checked) {
          throw dli::ConfigError({{"SITE", 0, 0, "url", checked.error().message}});
        }
      }
      auto history = open_existing_history(history_location);
      if (!history) return dli::exit_code::kHistoryFailed;
      if (to_store) return publish_to_store(*history, site_dir, site_title);
      auto published = dli::publish_site(*history, site_dir, site_title);
      if (!published) {
        spdlog::error("{}", published.error().message);
        return dli::exit_code::kHistoryFailed;
      }
      std::cout << "Site: " << published.value().site << " -> " << published.value().version << " ("
                << published.value().runs << " runs, " << published.value().series << " series pages)\n";
      return dli::exit_code::kOk;
    }
    if (*daemon_status_cmd) return dli::cli::show_daemon_status(status_lab);
    if (*daemon_cmd) {
      if (daemon_options.lab_path.empty()) throw dli::ConfigError({{"LAB", 0, 0, "LAB", "a lab file is required"}});
      return dli::cli::run_daemon(daemon_options);
    }
    if (*list_cmd) {
      if (history_location.empty() && !fleet_path.empty()) history_location = dli::load_fleet(fleet_path).history;
      return list_history(history_location.empty() ? "dli-out/history.sqlite" : history_location);
    }
  } catch (const dli::ConfigError& error) {
    for (const auto& diagnostic : error.diagnostics()) std::cerr << "error: " << diagnostic.str() << '\n';
    return dli::exit_code::kBadConfig;
  } catch (const dli::StoreFailure& error) {
    spdlog::error("{}", error.what());
    return dli::exit_code::kStoreFailed;
  } catch (const std::exception& error) {
    spdlog::critical("{}", error.what());
    return dli::exit_code::kInternal;
  }
  return dli::exit_code::kInternal;
}

}  // namespace

int main(int argc, char** argv) {
  const int code = run_command_line(argc, argv);
  spdlog::shutdown();
  dli::exit_now(code);
}
