// The daemon's child processes and signals (daemon_process.hpp).
#include "daemon_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace dli::cli {

namespace {

int g_signal_pipe[2] = {-1, -1};

extern "C" void note_signal(int number) {
  const int saved = errno;
  const auto byte = static_cast<unsigned char>(number);
  (void)!::write(g_signal_pipe[1], &byte, 1);  // a full pipe already holds enough wake-ups
  errno = saved;
}

}  // namespace

int start_run_process(const std::vector<std::string>& argv, const std::string& log_path) {
  const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw std::runtime_error("cannot open " + log_path + ": " + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(log);
    throw std::runtime_error(std::string("cannot start a run process: ") + std::strerror(error));
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the daemon died before the line above took effect
    struct sigaction defaults {};
    defaults.sa_handler = SIG_DFL;
    for (const int number : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::sigaction(number, &defaults, nullptr);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

bool process_mentions(int pid, const std::string& word) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  const std::string command_line((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return command_line.find(word) != std::string::npos;
}

SignalPipe::SignalPipe() {
  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot make the signal pipe: ") + std::strerror(errno));
  }
  struct sigaction action {};
  action.sa_handler = note_signal;
  action.sa_flags = SA_RESTART;
  ::sigemptyset(&action.sa_mask);
  for (const int number : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::sigaction(number, &action, nullptr);
}

SignalPipe::~SignalPipe() {
  struct sigaction defaults {};
  defaults.sa_handler = SIG_DFL;
  for (const int number : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) ::sigaction(number, &defaults, nullptr);
  ::close(g_signal_pipe[0]);
  ::close(g_signal_pipe[1]);
  g_signal_pipe[0] = g_signal_pipe[1] = -1;
}

std::vector<int> SignalPipe::wait(int timeout_ms) {
  pollfd entry{g_signal_pipe[0], POLLIN, 0};
  std::vector<int> received;
  if (::poll(&entry, 1, timeout_ms) <= 0) return received;
  unsigned char bytes[64];
  ssize_t got;
  while ((got = ::read(g_signal_pipe[0], bytes, sizeof bytes)) > 0) {
    received.insert(received.end(), bytes, bytes + got);
  }
  return received;
}

}  // namespace dli::cli
