// dli-agent: runs one host's tests of a run (`run`), each in its framework's runner (docs/runners.md), and
// describes this host (`describe`).
// Exit codes: include/dli/exit_codes.hpp (README.md, "Exit codes"); exceptions are caught here, once.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "dli/agent/agent.hpp"
#include "dli/agent/agent_cli.hpp"
#include "dli/util/exit_codes.hpp"
#include "dli/agent/host_description.hpp"
#include "dli/agent/runner_registry.hpp"
#include "dli/util/local_file.hpp"
#include "dli/util/process_exit.hpp"
#include "dli/protocol/names.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/work_dir.hpp"
#include "dli/agent/run_lock.hpp"
#include "dli/agent/run_scratch.hpp"
#include "dli/store/store.hpp"
#include "dli/store/store_probe.hpp"
#include "dli/status/status_board.hpp"
#include "dli/util/version.hpp"

namespace {

namespace fs = std::filesystem;
using namespace dli;

std::string self_exe() {
  char path[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return length > 0 ? std::string(path, static_cast<std::size_t>(length)) : "/proc/self/exe";
}

// Where this host's runners are (docs/runners.md, section 1).
std::vector<std::string> search_path() {
  const char* configured = std::getenv("DLI_RUNNER_PATH");
  return runner_search_path(self_exe(), configured ? configured : "");
}

// Removes the file named by $DLI_CREDENTIALS_FILE, if the integrator's start wrote it (store-<run>.netrc in the
// work dir, docs/fleet-ssh.md), as soon as the agent's store connections have read it, and at the latest when the
// agent ends. A file the user keeps elsewhere is theirs.
class CredentialsFileRemoval {
 public:
  CredentialsFileRemoval() {
    const char* path = std::getenv("DLI_CREDENTIALS_FILE");
    if (path != nullptr && fs::path(path).filename().string().rfind("store-", 0) == 0 &&
        fs::path(path).extension() == ".netrc") {
      path_ = path;
    }
  }
  ~CredentialsFileRemoval() { remove_now(); }
  void remove_now() {
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
  }
  CredentialsFileRemoval(const CredentialsFileRemoval&) = delete;
  CredentialsFileRemoval& operator=(const CredentialsFileRemoval&) = delete;

 private:
  std::string path_;
};

// An agent started over SSH (--detach) leaves the start command's session, so that neither the connection's end
// nor a signal to the session's processes reaches it (what `setsid nohup` would do, without two more programs).
void detach_from_starter() {
  (void)::setsid();  // fails only for a process group leader, which a shell's background job is not
  ::signal(SIGHUP, SIG_IGN);  // the tests it starts get the default back (child_process.cpp)
}

// The task list the start command gave on standard input (--tasks-file -), read whole; standard input is then
// /dev/null, so the agent holds nothing of the starter's but the channel's output on fd 3.
std::string take_tasks_from_stdin() {
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF, or unreadable: the task list is then read from the store
    text.append(buffer, static_cast<std::size_t>(got));
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDIN_FILENO);
    ::close(null_fd);
  }
  return text;
}

bool valid_names(const AgentRunArgs& args) { return !run_id_problem(args.run_id) && !name_problem(args.host); }

// Everything the agent says goes to stderr (captured by whoever started it) and to a file in the work dir that is
// uploaded to the store at the end, so nobody needs a shell on the host to read it.
void configure_logging(const std::string& log_path) {
  auto to_stderr = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto to_file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_path, /*truncate=*/false);
  auto logger = std::make_shared<spdlog::logger>("dli-agent", spdlog::sinks_init_list{to_stderr, to_file});
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::info);  // complete up to the last line even if the agent is killed
  spdlog::set_default_logger(logger);
}

bool upload_agent_log(Store& store, const AgentRunArgs& args, const std::string& log_path) {
  spdlog::default_logger()->flush();
  // In place: a reader takes it as it is, after the host's final status (docs/protocol.md 1.1).
  if (auto sent = store.put_file_in_place(layout::agent_log(args.run_id, args.host), log_path); !sent) {
    spdlog::warn("cannot upload the agent log: {}", sent.error().message);
    return false;
  }
  return true;
}

// Another agent holds this run's lock (an integrator restarted, or `resume`, while a frozen or slow agent still
// runs): said in the host's status, where the integrator reads it and follows the holder's heartbeat instead of
// waiting for this agent's.
void report_lock_conflict(const AgentRunArgs& args, int holder) {
  auto opened = open_store(args.store_url);
  if (!opened) return;
  Store& store = *opened.value();
  StatusBoard board(store, args.run_id);
  auto listing = board.scan();
  if (!listing) return;
  HostStatus status;
  status.host = args.host;
  status.state = HostState::kRunning;
  if (const auto latest = listing.value().latest.find(args.host); latest != listing.value().latest.end()) {
    if (auto last = board.read(latest->second)) status = last.value();
  }
  if (host_finished(status.state)) return;  // nothing runs any more: the lock's holder is on its way out
  status.state = HostState::kRunning;
  status.pid = holder;
  status.reason = fmt::format("another agent (pid {}) still runs this host's run; agent pid {} did not start",
                              holder, ::getpid());
  StatusWriter writer(store, args.run_id, args.host, /*clock_numbers=*/true);
  writer.continue_after(listing.value());
  if (auto written = writer.write(status); !written) {
    std::cerr << "dli-agent: cannot report the conflict: " << written.error().message << "\n";
  }
}

int command_run(AgentRunArgs args) {
  if (!valid_names(args)) {
    std::cerr << "dli-agent: --run and --host must be names of " << name_rule() << "\n";
    return exit_code::kBadConfig;
  }
  if (args.detach) detach_from_starter();
  const std::string tasks_text = args.tasks_file == agent_cli::kTasksFromStdin ? take_tasks_from_stdin() : "";
  if (args.work_dir.empty()) args.work_dir = "/tmp/dli-agent-" + args.host;
  // The credentials file the integrator left for this agent goes when the agent does (docs/fleet-ssh.md).
  CredentialsFileRemoval credentials_removal;
  const fs::path run_folder = dli::run_folder(args.work_dir, args.run_id);
  std::error_code error;
  fs::create_directories(run_folder, error);
  if (error) {
    std::cerr << fmt::format("dli-agent: cannot create {}: {}\n", run_folder.string(), error.message());
    return exit_code::kBadConfig;
  }
  auto lock = RunLock::acquire((run_folder / "agent.lock").string());  // held until this process ends
  if (!lock) {
    std::cerr << "dli-agent: " << lock.error().message << "\n";
    // Said through the store only for a published run: one started before publishing may not write into it.
    if (const int holder = RunLock::holder((run_folder / "agent.lock").string()); holder > 0 && args.launch.empty()) {
      report_lock_conflict(args, holder);
    }
    return exit_code::kInternal;
  }
  const std::string log_path = (run_folder / "agent.log").string();
  configure_logging(log_path);
  spdlog::info("dli-agent {} pid {}: run {} host {} store {} work dir {}{}", kVersion, ::getpid(), args.run_id,
               args.host, redact_url(args.store_url), args.work_dir, args.redo ? " (redo)" : "");

  AgentOptions options;
  options.run_id = args.run_id;
  options.host = args.host;
  options.work_dir = args.work_dir;
  options.runner_search_path = search_path();
  options.redo = args.redo;
  options.first_attempt = args.first_attempt;
  options.tasks_file = args.tasks_file;
  options.tasks_text = tasks_text;
  options.launch = args.launch;
  options.heartbeat_seconds = args.heartbeat_seconds;
  options.test_heartbeat_seconds = std::max(args.heartbeat_seconds, args.test_heartbeat_seconds);
  if (args.publish_deadline_seconds > 0) options.publish_deadline_seconds = args.publish_deadline_seconds;
  // The agent's one connection is opened now (credentials are read at opening), so the credentials file can go.
  auto opened = open_store(args.store_url);
  if (!opened) {
    spdlog::error("store: {}", opened.error().message);
    return exit_code::kStoreFailed;
  }
  credentials_removal.remove_now();
  Store& store = *opened.value();

  try {
    const AgentSummary summary = run_agent(store, options);
    const bool log_sent = summary.run_confirmed && upload_agent_log(store, args, log_path);
    if (log_sent && !summary.store_failed && summary.unpublished == 0) {
      // The store has the whole run: its scratch on this host goes (the lock with it; this agent still holds it).
      if (const std::string left = remove_run_scratch(args.work_dir, args.run_id); !left.empty()) {
        spdlog::warn("cannot remove the run's scratch: {}", left);
      }
    }
    if (summary.store_failed) return exit_code::kStoreFailed;
    if (!summary.work_dir_problem.empty()) return exit_code::kHostsUnreached;
    return summary.failed > 0 ? exit_code::kTestsFailed : exit_code::kOk;
  } catch (const std::runtime_error& failure) {  // no store or no task list: run_agent recorded it where it could
    spdlog::error("{}", failure.what());
    // A launched agent may have failed before its run was published as its own: its log stays on the host.
    if (args.launch.empty()) upload_agent_log(store, args, log_path);
    return exit_code::kStoreFailed;
  }
}

// Store credentials sent by the integrator on stdin (never on a command line) go to a 0600 file for this
// process's lookup (include/dli/credentials.hpp) and are removed afterwards.
class StdinCredentials {
 public:
  StdinCredentials() {
    char path[] = "/tmp/dli-credentials-XXXXXX";
    const int fd = ::mkstemp(path);  // mode 0600
    if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
    const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    path_ = path;
    if (!written) throw std::runtime_error("cannot write " + path_);
    ::setenv("DLI_CREDENTIALS_FILE", path_.c_str(), 1);
  }
  ~StdinCredentials() { ::unlink(path_.c_str()); }
  StdinCredentials(const StdinCredentials&) = delete;
  StdinCredentials& operator=(const StdinCredentials&) = delete;

 private:
  std::string path_;
};

nlohmann::json probe_document(const std::string& url, const std::string& name) {
  auto opened = open_store(url);
  if (!opened) return {{"ok", false}, {"error", opened.error().message}};
  const Status probed = probe_store(*opened.value(), name, std::to_string(::getpid()));
  return {{"ok", probed.ok()}, {"error", probed.ok() ? "" : probed.error().message}};
}

int command_describe(const AgentDescribeArgs& args) {
  std::unique_ptr<StdinCredentials> credentials;
  if (args.credentials_stdin) credentials = std::make_unique<StdinCredentials>();
  const HostInfo info = describe_this_host(RunnerRegistry::discover(search_path()));
  nlohmann::json probe;
  if (!args.store_url.empty()) probe = probe_document(args.store_url, args.probe_name.empty() ? "host" : args.probe_name);
  if (args.as_json) {
    nlohmann::json document = {{"host", to_json(info)}};
    if (!probe.is_null()) document["store_probe"] = probe;
    std::cout << document.dump() << "\n";
  } else {
    std::cout << format_host_info(info);
    if (!probe.is_null()) {
      std::cout << "store:      " << redact_url(args.store_url) << ": "
                << (probe["ok"].get<bool>() ? "ok" : probe["error"].get<std::string>()) << "\n";
    }
  }
  return probe.is_null() || probe["ok"].get<bool>() ? exit_code::kOk : exit_code::kStoreFailed;
}

}  // namespace

static int run_command_line(int argc, char** argv) {
  CLI::App app{"dli-agent: runs this host's deep-learning inference benchmark tests, one child process each,\n"
               "and publishes each result to the store as it ends (docs/protocol.md)."};
  AgentRunArgs run_args;
  AgentDescribeArgs describe_args;
  const AgentSubcommands commands = define_agent_cli(app, run_args, describe_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);  // prints help, version or the error
    return code == 0 ? exit_code::kOk : exit_code::kBadConfig;
  }

  try {
    if (commands.run->parsed()) return command_run(run_args);
    if (commands.describe->parsed()) return command_describe(describe_args);
    if (commands.version->parsed()) {
      std::cout << "dli-agent " << kVersion << "\n";
      return exit_code::kOk;
    }
    return exit_code::kBadConfig;
  } catch (const std::exception& error) {
    spdlog::critical("internal error: {}", error.what());
    return exit_code::kInternal;
  }
}

int main(int argc, char** argv) {
  const int code = run_command_line(argc, argv);
  spdlog::shutdown();
  dli::exit_now(code);
}
