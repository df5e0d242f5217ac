// HostShell over SSH. The agent is started by one command: check it exists, make the work dir, write the secret
// file from stdin, then start it detached (--detach) with the rest of stdin, the task list, as its own, so that it
// outlives the connection. It keeps only the channel's output open (fd 3), so the channel closes when it exits.
#include "dli/remote/host_shell_ssh.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dli/ssh/ssh_session.hpp"

namespace dli {

std::string quote_for_remote_shell(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string remote_command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) line += (line.empty() ? "" : " ") + quote_for_remote_shell(arg);
  return line;
}

namespace {

constexpr int kAgentMissingExit = 127;
constexpr char kAgentMissingMark[] = "dli-agent-missing";

// The secret as the start command's input carries it: whole lines, which the script copies with `read`.
std::string secret_lines(const std::string& secret_netrc) {
  if (secret_netrc.empty() || secret_netrc.back() == '\n') return secret_netrc;
  return secret_netrc + '\n';
}

}  // namespace

std::string remote_start_script(const AgentLaunch& launch) {
  // Shell built-ins wherever they do: each program the script runs is a process start on the host, and a fleet's
  // hosts all start at once (docs/fleet-ssh.md, section 5).
  AgentRunArgs run = launch.args;
  const bool tasks_on_stdin = !launch.tasks_json.empty() && !run.tasks_file.empty();
  if (tasks_on_stdin) run.tasks_file = agent_cli::kTasksFromStdin;
  run.detach = true;
  std::vector<std::string> args = agent_argv(launch.agent_exe, run);
  args.erase(args.begin());  // argv[0] is the agent, named "$agent" below
  const std::string work = launch.args.work_dir;
  std::string script;
  script += fmt::format("agent={}\nwork={}\n", quote_for_remote_shell(launch.agent_exe), quote_for_remote_shell(work));
  script += fmt::format("if [ -d \"$agent\" ] || [ ! -x \"$agent\" ]; then echo {} >&2; exit {}; fi\n",
                        kAgentMissingMark, kAgentMissingExit);
  script += "[ -d \"$work\" ] || mkdir -p -- \"$work\" || exit 126\n";
  if (!launch.secret_netrc.empty()) {
    // One file per run, removed by its agent when it ends. An existing one goes first: it would keep its old,
    // possibly wider, mode. The subshell scopes the umask.
    script += fmt::format("secret=\"$work\"/{}\n", quote_for_remote_shell(credentials_file_name(launch.args.run_id)));
    script += "if [ -e \"$secret\" ] || [ -L \"$secret\" ]; then rm -f -- \"$secret\" || exit 125; fi\n";
    // The secret is the first lines of stdin (netrc text ends with a newline), the task list the rest. `read`
    // takes a pipe's input byte by byte, so it never takes the task list's bytes with it.
    const std::string secret = secret_lines(launch.secret_netrc);
    const auto lines = std::count(secret.begin(), secret.end(), '\n');
    std::string copy;
    for (std::ptrdiff_t line = 0; line < lines; ++line) copy += "IFS= read -r l && printf '%s\\n' \"$l\" && ";
    script += fmt::format("(umask 077 && {{ {}:; }} > \"$secret\") || exit 125\n", copy);
    // The agent's credential lookup reads $DLI_CREDENTIALS_FILE first (include/dli/credentials.hpp).
    script += "DLI_CREDENTIALS_FILE=\"$secret\"; export DLI_CREDENTIALS_FILE\n";
  }
  // fd 3 is the SSH channel's output, which the agent holds (unused) until it exits: the channel closes then and
  // the integrator learns of the agent's end at once (HostShell::wait_agent_exit). Its children never inherit it.
  // The rest of stdin, the task list, is the agent's own stdin (a background job's would be /dev/null).
  const std::string input = tasks_on_stdin ? "0<&4 4<&-" : "< /dev/null";
  if (tasks_on_stdin) script += "exec 4<&0\n";
  script += fmt::format("\"$agent\" {} {} 3>&1 >> {} 2>&1 &\n", remote_command_line(args), input,
                        quote_for_remote_shell(work + "/" + agent_output_file_name(launch.args.run_id)));
  script += "echo \"$!\"\n";
  return script;
}

namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point after(double seconds) {
  return Clock::now() + std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

class SshShell : public HostShell {
 public:
  SshShell(SshTarget target, SshShellOptions options) : target_(std::move(target)), options_(options) {}

  void prepare_start() override {
    auto session = SshSession::connect(target_);
    if (!session) return;
    prepared_.emplace(std::move(session).value());
    prepared_at_ = Clock::now();
  }

  Status start_agent(const AgentLaunch& launch) override {
    // A fresh connection, or one prepare_start() opened moments ago: a kept one may have gone stale, and a retry
    // could start the agent twice.
    Result<SshSession> session = Error{"not connected"};
    // Young enough that the server has not dropped it (a large model's upload may come between).
    if (prepared_ && prepared_->usable() && Clock::now() - prepared_at_ < std::chrono::seconds(10)) {
      session = std::move(*prepared_);
    } else {
      session = SshSession::connect(target_);
    }
    prepared_.reset();
    if (!session) return session.error();
    const std::string command = "/bin/sh -c " + quote_for_remote_shell(remote_start_script(launch));
    // The pid's line is all there is to wait for: the agent holds the output open until it exits.
    const auto pid_line = [](const std::string& out) {
      return !out.empty() && out.back() == '\n' && out.find_first_not_of("0123456789\n") == std::string::npos;
    };
    auto ran = session.value().exec_until(command, secret_lines(launch.secret_netrc) + launch.tasks_json,
                                          options_.start_timeout_seconds, pid_line);
    if (!ran) return ran.error();
    const SshExecResult& result = ran.value();
    if (result.exit_status == kAgentMissingExit && result.err.find(kAgentMissingMark) != std::string::npos) {
      return Error{fmt::format("{} not found (or not executable) on {} ({})", launch.agent_exe, launch.args.host,
                               target_.address),
                   false, ErrorKind::kAgentMissing};
    }
    if (result.exit_status != 0) {
      return Error{fmt::format("cannot start the agent on {} ({}): start command exited with {}: {}", launch.args.host,
                               target_.address, describe_exit(result), trimmed(result.err))};
    }
    const std::string pid = trimmed(result.out).substr(trimmed(result.out).rfind('\n') + 1);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) {
      return Error{fmt::format("cannot start the agent on {} ({}): unexpected output '{}'", launch.args.host,
                               target_.address, result.out)};
    }
    spdlog::debug("host {}: agent started over SSH on {} as pid {}", launch.args.host, target_.address, pid);
    if (session.value().usable()) {
      keep(std::move(session).value());  // the output closed already: the agent has ended, or never held it
    } else {
      std::lock_guard<std::mutex> lock(watch_mutex_);
      watch_.emplace(std::move(session).value());
      watched_pid_ = static_cast<int>(std::strtol(pid.c_str(), nullptr, 10));  // digits only, checked above
      watch_state_ = kWatching;
    }
    return {};
  }

  std::optional<bool> wait_agent_exit(Clock::time_point until) override {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    return watch_until(until);
  }

  // wait_agent_exit() with watch_mutex_ held.
  std::optional<bool> watch_until(Clock::time_point until) {
    if (!watch_) return std::nullopt;
    auto closed = watch_->wait_output_closed(until);
    if (!closed) {
      spdlog::debug("cannot watch the agent on {} any more: {}", target_.address, closed.error().message);
      watch_.reset();
      watch_state_ = kUnwatched;
      return std::nullopt;
    }
    if (!closed.value()) return false;
    watch_state_ = kExited;
    keep(std::move(*watch_));  // usable again: the alive checks may use it
    watch_.reset();
    return true;
  }

  Result<CommandOutput> run(const std::vector<std::string>& argv, const std::string& stdin_data,
                            double timeout_seconds) override {
    auto session = SshSession::connect(target_);
    if (!session) return session.error();
    auto ran = session.value().exec(remote_command_line(argv), stdin_data, timeout_seconds);
    if (!ran) return ran.error();
    CommandOutput output;
    output.exit_code = ran.value().exit_status;
    output.output = ran.value().out + ran.value().err;
    keep(std::move(session).value());
    return output;
  }

  // Asks the host, over a kept connection, at most every alive_check_interval_seconds; nullopt while it cannot
  // be reached (the integrator's heartbeat timeout then decides).
  std::optional<bool> agent_alive(int pid) override {
    if (pid <= 0) return std::nullopt;
    // The agent this shell started is watched through its start command's channel: no need to ask the host.
    if (pid == watched_pid_ && watch_state_ == kWatching) {
      // Nobody waiting on the channel (no AgentExitWatch): look at it now. Otherwise the waiter is current.
      std::unique_lock<std::mutex> watching(watch_mutex_, std::try_to_lock);
      if (watching.owns_lock()) (void)watch_until(Clock::now());
    }
    if (pid == watched_pid_ && watch_state_ != kUnwatched) return watch_state_ == kWatching;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto now = Clock::now();
    if (pid == last_pid_ && now < next_check_) return last_alive_;
    if (now < retry_after_) return std::nullopt;
    // /proc first: it sees a process of another user (kill -0 fails with EPERM), and a zombie left by a crashed
    // agent whose parent does not reap (kill -0 succeeds on it) is dead. kill -0 where there is no /proc.
    const std::string check = fmt::format(
        "if [ -r /proc/{0}/stat ]; then read -r stat < /proc/{0}/stat; "
        "case \"${{stat##*) }}\" in Z*|X*) exit 1 ;; esac; exit 0; fi; kill -0 {0} 2>/dev/null",
        pid);
    Result<SshExecResult> ran = Error{"not asked"};
    for (;;) {
      const bool reused = kept_ && kept_->usable();
      if (!reused) {
        kept_.reset();
        auto session = SshSession::connect(target_);
        if (!session) return unknowable(session.error());
        kept_.emplace(std::move(session).value());
      }
      ran = kept_->exec(check, "", 10);
      if (ran) break;
      kept_.reset();
      // A kept connection the server has since dropped is worth one new one; a slow host is not.
      if (!reused || ran.error().kind == ErrorKind::kTimedOut) return unknowable(ran.error());
    }
    last_pid_ = pid;
    last_alive_ = ran.value().exit_status == 0;
    next_check_ = after(options_.alive_check_interval_seconds);
    return last_alive_;
  }

 private:
  static std::string describe_exit(const SshExecResult& result) {
    return result.exit_signal.empty() ? std::to_string(result.exit_status) : "signal " + result.exit_signal;
  }

  std::optional<SshSession> prepared_;  // prepare_start()'s connection, taken by start_agent()

  // The start's connection while the agent holds its channel's output (wait_agent_exit).
  enum WatchState { kUnwatched, kWatching, kExited };
  std::mutex watch_mutex_;  // guards watch_; the state and pid are read by agent_alive() without it
  std::optional<SshSession> watch_;
  std::atomic<int> watched_pid_{0};
  std::atomic<int> watch_state_{kUnwatched};
  Clock::time_point prepared_at_;

  void keep(SshSession session) {
    std::lock_guard<std::mutex> lock(mutex_);
    kept_.reset();
    kept_.emplace(std::move(session));
  }

  std::optional<bool> unknowable(const Error& error) {
    spdlog::debug("cannot ask {} whether the agent is alive: {}: {}", target_.address, to_string(error.kind),
                  error.message);
    kept_.reset();
    retry_after_ = after(options_.alive_retry_after_seconds);
    return std::nullopt;
  }

  const SshTarget target_;
  const SshShellOptions options_;
  std::mutex mutex_;  // guards what follows; the shell may be used from a start thread and the poll loop
  std::optional<SshSession> kept_;
  int last_pid_ = 0;
  std::optional<bool> last_alive_;
  Clock::time_point next_check_{};
  Clock::time_point retry_after_{};
};

}  // namespace

std::unique_ptr<HostShell> make_ssh_shell(const SshTarget& target, const SshShellOptions& options) {
  return std::make_unique<SshShell>(target, options);
}

}  // namespace dli
