// The local machine as a host: the agent is started detached (double fork + setsid), exactly as it is on a
// remote host, so the integrator follows it through the store and never through a process handle. As over SSH, the
// agent holds one end of a pipe as fd 3 until it exits (never passing it to its children): the integrator learns
// of its end at once.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "dli/util/child_process.hpp"
#include "dli/util/local_file.hpp"
#include "dli/remote/host_shell.hpp"
#include "dli/remote/host_shell_slurm.hpp"
#include "dli/remote/job_state_batch.hpp"
#include "dli/remote/host_shell_ssh.hpp"

namespace dli {

namespace {

class LocalShell : public HostShell {
 public:
  ~LocalShell() override {
    if (exit_fd_ >= 0) ::close(exit_fd_);
  }

  Status start_agent(const AgentLaunch& launch) override {
    if (::access(launch.agent_exe.c_str(), X_OK) != 0) {
      return Error{fmt::format("{} is not an executable file", launch.agent_exe), false, ErrorKind::kAgentMissing};
    }
    std::error_code error;
    std::filesystem::create_directories(launch.args.work_dir, error);
    if (error) return Error{fmt::format("cannot create work dir {}: {}", launch.args.work_dir, error.message())};
    const std::string output = launch.args.work_dir + "/" + agent_output_file_name(launch.args.run_id);

    if (!launch.tasks_json.empty() && !launch.args.tasks_file.empty()) {
      // Best effort: without it the agent reads its task list from the store.
      std::ofstream(launch.args.tasks_file, std::ios::binary | std::ios::trunc) << launch.tasks_json;
    }
    std::vector<std::string> args = launch.argv();
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    // The agent's environment: the integrator's, without store credentials; those go to a private file.
    std::vector<std::string> environment;
    for (char** variable = environ; *variable != nullptr; ++variable) {
      const std::string entry = *variable;
      const std::string name = entry.substr(0, entry.find('='));
      if (name == "DLI_STORE_USER" || name == "DLI_STORE_PASSWORD" || name == "DLI_CREDENTIALS_FILE") continue;
      environment.push_back(entry);
    }
    if (!launch.secret_netrc.empty()) {
      const std::string secret = launch.args.work_dir + "/" + credentials_file_name(launch.args.run_id);
      if (auto written = write_private_file(secret, launch.secret_netrc); !written) return written.error();
      environment.push_back("DLI_CREDENTIALS_FILE=" + secret);
    }
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);

    int report[2];  // the grandchild reports an exec failure through this close-on-exec pipe
    if (::pipe2(report, O_CLOEXEC) != 0) return Error{std::string("pipe: ") + std::strerror(errno)};
    int held[2];  // the agent's fd 3: its read end here sees the end of file when the agent exits
    if (::pipe2(held, O_CLOEXEC) != 0) {
      ::close(report[0]);
      ::close(report[1]);
      return Error{std::string("pipe: ") + std::strerror(errno)};
    }
    const pid_t child = ::fork();
    if (child < 0) {
      for (const int fd : {report[0], report[1], held[0], held[1]}) ::close(fd);
      return Error{std::string("fork: ") + std::strerror(errno)};
    }
    if (child == 0) {
      ::close(report[0]);
      ::setsid();
      if (::fork() != 0) ::_exit(0);  // the intermediate exits: the agent is re-parented, no zombie is left
      const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      const int in = ::open("/dev/null", O_RDONLY);
      if (out >= 0) {
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
      }
      if (in >= 0) ::dup2(in, STDIN_FILENO);
      ::dup2(held[1], 3);  // without close-on-exec: the agent keeps it
      ::execve(argv[0], argv.data(), envp.data());
      const int code = errno;
      (void)!::write(report[1], &code, sizeof code);
      ::_exit(127);
    }
    ::close(report[1]);
    ::close(held[1]);
    if (exit_fd_ >= 0) ::close(exit_fd_);
    exit_fd_ = held[0];
    int status = 0;
    ::waitpid(child, &status, 0);
    int exec_errno = 0;
    const ssize_t got = ::read(report[0], &exec_errno, sizeof exec_errno);
    ::close(report[0]);
    if (got == sizeof exec_errno) {
      return Error{fmt::format("cannot execute {}: {}", launch.agent_exe, std::strerror(exec_errno)), false,
                   ErrorKind::kAgentMissing};
    }
    return {};
  }

  Result<CommandOutput> run(const std::vector<std::string>& argv, const std::string& stdin_data,
                            double timeout_seconds) override {
    // Input and output go through private (0600) temporary files: the input may hold credentials.
    char output_path[] = "/tmp/dli-local-out-XXXXXX";
    char input_path[] = "/tmp/dli-local-in-XXXXXX";
    const int output_fd = ::mkstemp(output_path);
    if (output_fd < 0) return Error{std::string("mkstemp: ") + std::strerror(errno)};
    ::close(output_fd);
    const int input_fd = ::mkstemp(input_path);
    if (input_fd < 0) {
      ::unlink(output_path);
      return Error{std::string("mkstemp: ") + std::strerror(errno)};
    }
    const bool input_written =
        ::write(input_fd, stdin_data.data(), stdin_data.size()) == static_cast<ssize_t>(stdin_data.size());
    ::close(input_fd);
    ChildOptions options;
    options.argv = argv;
    options.output_path = output_path;
    options.input_path = input_path;
    options.timeout_seconds = timeout_seconds;
    const ChildOutcome outcome = input_written ? run_child(options) : ChildOutcome{};
    ::unlink(input_path);
    CommandOutput result;
    std::ifstream in(output_path, std::ios::binary);
    result.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    ::unlink(output_path);
    if (!input_written) return Error{"cannot write the command's input"};
    switch (outcome.kind) {
      case ChildOutcome::Kind::kExited: result.exit_code = outcome.exit_code; return result;
      case ChildOutcome::Kind::kSpawnFailed: return Error{"cannot run " + argv.front() + ": " + outcome.error};
      case ChildOutcome::Kind::kTimedOut:
        return Error{fmt::format("{} did not finish within {} s", argv.front(), timeout_seconds), true,
                     ErrorKind::kTimedOut};
      case ChildOutcome::Kind::kSignaled: break;
    }
    return Error{fmt::format("{} killed by signal {}", argv.front(), outcome.signal)};
  }

  std::optional<bool> agent_alive(int pid) override {
    if (pid <= 0) return std::nullopt;
    return ::kill(pid, 0) == 0 || errno == EPERM;
  }

  std::optional<bool> wait_agent_exit(std::chrono::steady_clock::time_point until) override {
    if (exit_fd_ < 0) return std::nullopt;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd watched{exit_fd_, POLLIN, 0};
      const int ready = ::poll(&watched, 1, static_cast<int>(std::max<long long>(0, left.count())));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return std::nullopt;
      if (ready == 0) return false;
      char byte;
      if (::read(exit_fd_, &byte, 1) > 0) continue;  // the agent never writes; a byte is not its end
      ::close(exit_fd_);
      exit_fd_ = -1;
      return true;
    }
  }

 private:
  int exit_fd_ = -1;  // read end of the pipe the last started agent holds as fd 3
};

}  // namespace

std::unique_ptr<HostShell> make_local_shell() { return std::make_unique<LocalShell>(); }

std::unique_ptr<HostShell> make_host_shell(const HostConfig& host) {
  if (host.kind == "ssh") return make_ssh_shell(host.ssh);
  if (host.kind == "slurm") return make_slurm_shell(host, shared_slurm_scheduler());
  return make_local_shell();
}

}  // namespace dli
