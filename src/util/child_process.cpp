// One child process in its own process group, so that a timeout (or the test's end) can kill everything the test
// started, grandchildren included, with one kill(-pgid).
#include "dli/util/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "dli/util/clock.hpp"

extern char** environ;

namespace dli {

namespace {

struct ClosedAtExit {
  int fd;
  ~ClosedAtExit() {
    if (fd >= 0) ::close(fd);
  }
};

// Sleeps until `fd` is readable (a pidfd: its process ended) or `until`, whichever comes first.
void wait_readable(int fd, SteadyClock::time_point until) {
  int timeout_ms = -1;
  if (until != SteadyClock::time_point::max()) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - SteadyClock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 24LL * 3600 * 1000));
  }
  pollfd watched{fd, POLLIN, 0};
  (void)::poll(&watched, 1, timeout_ms);  // EINTR: the loop looks again
}

// The inherited environment with `extra` ("NAME=value") added; an extra entry replaces an inherited one.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  std::vector<std::string> merged;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const bool replaced = std::any_of(extra.begin(), extra.end(),
                                      [&](const std::string& e) { return name_of(e) == name_of(text); });
    if (!replaced) merged.push_back(text);
  }
  merged.insert(merged.end(), extra.begin(), extra.end());
  return merged;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

void close_if_open(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// What the child reports through the close-on-exec pipe when it cannot become the command.
struct ChildFailure {
  enum Stage : int { kLimit, kAffinity, kExec } stage;
  int error;  // errno
};

[[noreturn]] void report_and_exit(int report_fd, ChildFailure failure) {
  (void)!::write(report_fd, &failure, sizeof failure);
  ::_exit(127);
}

// What the child needs, prepared by the parent: the child shares the parent's memory until exec, so it must not
// allocate, nor change anything the parent will read.
struct ChildSetup {
  pid_t parent;
  int in_fd, out_fd, err_fd, report_fd;
  char* const* argv;
  char* const* envp;
  std::uint64_t address_space_limit;
  const cpu_set_t* cpus;  // null, or the affinity to set
};

// In the child, between clone and exec: plain system calls only (the parent may have other threads, and this runs
// in its memory on a stack of its own).
int become_child(void* argument) {
  const ChildSetup& setup = *static_cast<const ChildSetup*>(argument);
  ::setpgid(0, 0);
  // If the agent dies (even by SIGKILL), the test must not run on unwatched: the kernel kills it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != setup.parent) ::_exit(127);  // the parent died before prctl took effect
  // Every signal arrives blocked (run_child blocks them around the clone): a handler of the parent's must never
  // run here, in its memory. The test gets every disposition at its default, ignored ones included (exec would
  // keep those), and only then an empty mask.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  sigemptyset(&default_action.sa_mask);
  for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
    if (signal_number != SIGKILL && signal_number != SIGSTOP) ::sigaction(signal_number, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (setup.in_fd >= 0) ::dup2(setup.in_fd, STDIN_FILENO);
  if (setup.out_fd >= 0) {
    ::dup2(setup.out_fd, STDOUT_FILENO);
    ::dup2(setup.err_fd >= 0 ? setup.err_fd : setup.out_fd, STDERR_FILENO);
  }
  // Descriptors the parent opened without close-on-exec (a logging library's files) are not the test's business.
  // Marked rather than closed: report_fd must stay open until exec. Older kernels refuse; nothing depends on it.
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  if (setup.address_space_limit > 0) {
    // Soft and hard: the command may not raise it again.
    const rlimit limit{static_cast<rlim_t>(setup.address_space_limit), static_cast<rlim_t>(setup.address_space_limit)};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) report_and_exit(setup.report_fd, {ChildFailure::kLimit, errno});
  }
  // A plain system call, so safe here; set before exec so that the command never runs a moment elsewhere.
  if (setup.cpus != nullptr && ::sched_setaffinity(0, sizeof *setup.cpus, setup.cpus) != 0) {
    report_and_exit(setup.report_fd, {ChildFailure::kAffinity, errno});
  }
  ::execvpe(setup.argv[0], setup.argv, setup.envp);
  report_and_exit(setup.report_fd, {ChildFailure::kExec, errno});
}

// Starts become_child as a process that shares this one's memory until it execs, this thread waiting meanwhile
// (what posix_spawn does): unlike fork, nothing of the agent's address space is copied, and the agent takes no
// copy-on-write faults while the test starts. Returns its pid, or -1 with errno.
pid_t clone_child(ChildSetup& setup) {
  constexpr std::size_t kStackBytes = 256 * 1024;  // execvpe's PATH search and script fallback live here
  const std::unique_ptr<char[]> stack(new char[kStackBytes]);
  sigset_t all, previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::clone(become_child, stack.get() + kStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &setup);
  const int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = clone_errno;
  return pid;
}

void kill_group(pid_t group, int signal_number) {
  ::kill(-group, signal_number);  // ESRCH (nothing left in the group) is the expected end
}

ChildOutcome outcome_from_status(int status) {
  ChildOutcome outcome;
  if (WIFEXITED(status)) {
    outcome.kind = ChildOutcome::Kind::kExited;
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.kind = ChildOutcome::Kind::kSignaled;
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

ChildOutcome spawn_failure(std::string error) {
  ChildOutcome outcome;
  outcome.kind = ChildOutcome::Kind::kSpawnFailed;
  outcome.error = std::move(error);
  return outcome;
}

}  // namespace

ChildOutcome run_child(const ChildOptions& options) {
  if (options.argv.empty() || options.argv[0].empty()) return spawn_failure("empty command line");
  // Everything the child needs is prepared before the clone: it must not allocate.
  std::vector<std::string> args = options.argv;
  std::vector<std::string> environment = options.scrub_env ? options.extra_env : merged_environment(options.extra_env);
  const std::vector<char*> argv = pointers_to(args);
  const std::vector<char*> envp = pointers_to(environment);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (const int cpu : options.cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return spawn_failure(fmt::format("no such CPU: {}", cpu));
    CPU_SET(cpu, &cpus);
  }

  int out_fd = -1, in_fd = -1, err_fd = -1;
  if (!options.output_path.empty()) {
    out_fd = ::open(options.output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) return spawn_failure(fmt::format("cannot open {}: {}", options.output_path, std::strerror(errno)));
    in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);  // a test never reads the agent's input
    if (!options.error_path.empty()) {
      err_fd = ::open(options.error_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (err_fd < 0) {
        const int code = errno;
        close_if_open(out_fd);
        close_if_open(in_fd);
        return spawn_failure(fmt::format("cannot open {}: {}", options.error_path, std::strerror(code)));
      }
    }
  }
  if (!options.input_path.empty()) {
    close_if_open(in_fd);
    in_fd = ::open(options.input_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in_fd < 0) {
      const int code = errno;
      close_if_open(out_fd);
      close_if_open(err_fd);
      return spawn_failure(fmt::format("cannot open {}: {}", options.input_path, std::strerror(code)));
    }
  }
  int report[2];  // close-on-exec: EOF means exec succeeded, a ChildFailure says what failed
  if (::pipe2(report, O_CLOEXEC) != 0) {
    const int code = errno;
    close_if_open(out_fd);
    close_if_open(in_fd);
    close_if_open(err_fd);
    return spawn_failure(fmt::format("pipe: {}", std::strerror(code)));
  }

  const pid_t parent = ::getpid();
  const auto started = SteadyClock::now();
  ChildSetup setup{parent, in_fd, out_fd, err_fd, report[1], argv.data(), envp.data(),
                   options.address_space_limit_bytes, options.cpus.empty() ? nullptr : &cpus};
  const pid_t pid = clone_child(setup);
  const int clone_errno = errno;
  ::close(report[1]);
  close_if_open(out_fd);
  close_if_open(in_fd);
  close_if_open(err_fd);
  if (pid < 0) {
    ::close(report[0]);
    return spawn_failure(fmt::format("clone: {}", std::strerror(clone_errno)));
  }
  // The group exists already: this thread resumes only once the child, which made it first, has exec'd or exited.

  ChildFailure failure{};
  ssize_t got = 0;
  do {
    got = ::read(report[0], &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  ::close(report[0]);
  if (got == static_cast<ssize_t>(sizeof failure)) {
    int ignored = 0;
    while (::waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {
    }
    if (failure.stage == ChildFailure::kLimit) {
      return spawn_failure(fmt::format("cannot limit the address space of {} to {} bytes: {}", options.argv[0],
                                       options.address_space_limit_bytes, std::strerror(failure.error)));
    }
    if (failure.stage == ChildFailure::kAffinity) {
      std::string cpus_text;
      for (const int cpu : options.cpus) cpus_text += (cpus_text.empty() ? "" : ",") + std::to_string(cpu);
      return spawn_failure(fmt::format("cannot restrict {} to CPUs {}: {}", options.argv[0], cpus_text,
                                       std::strerror(failure.error)));
    }
    return spawn_failure(fmt::format("cannot execute {}: {}", options.argv[0], std::strerror(failure.error)));
  }

  using namespace std::chrono;
  const auto tick = duration_cast<SteadyClock::duration>(duration<double>(std::max(0.01, options.tick_seconds)));
  const auto deadline =
      started + duration_cast<SteadyClock::duration>(duration<double>(std::max(0.0, options.timeout_seconds)));
  const auto grace = duration_cast<SteadyClock::duration>(duration<double>(std::max(0.0, options.kill_grace_seconds)));
  auto next_tick = started + tick;
  bool timed_out = false, killed = false;
  SteadyClock::time_point kill_at{};
  // The agent must not disturb the test it waits for: with a pidfd (Linux 5.3+) it sleeps in poll() until the child
  // ends or a tick or deadline is due, waking up for nothing else. Without one, polling backs off from 1 ms to 20 ms.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  const ClosedAtExit pidfd_closer{pidfd};
  auto pause = milliseconds(1);
  int status = 0;
  rusage usage{};
  for (;;) {
    const pid_t reaped = ::wait4(pid, &status, WNOHANG, &usage);
    if (reaped == pid) break;
    if (reaped < 0 && errno != EINTR) {
      // ECHILD: reaped elsewhere (SIGCHLD ignored); the exit status is lost.
      kill_group(pid, SIGKILL);
      ChildOutcome lost = spawn_failure(fmt::format("lost track of child {}: {}", pid, std::strerror(errno)));
      lost.wall_seconds = seconds_between(started, SteadyClock::now());
      return lost;
    }
    const auto now = SteadyClock::now();
    if (options.timeout_seconds > 0 && !timed_out && now >= deadline) {
      timed_out = true;
      kill_group(pid, SIGTERM);
      kill_at = now + grace;
    }
    if (timed_out && !killed && now >= kill_at) {
      killed = true;
      kill_group(pid, SIGKILL);
    }
    if (options.on_tick && now >= next_tick) {
      next_tick = now + tick;
      try {
        options.on_tick();
      } catch (...) {
        // The caller is unwinding: it will not wait for the test, so nothing of it may survive.
        kill_group(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        throw;
      }
    }
    auto wake = pidfd >= 0 ? SteadyClock::time_point::max() : now + pause;
    if (options.on_tick) wake = std::min(wake, next_tick);
    if (options.timeout_seconds > 0) {
      if (!timed_out) wake = std::min(wake, deadline);
      if (timed_out && !killed) wake = std::min(wake, kill_at);
    }
    if (pidfd >= 0) {
      wait_readable(pidfd, wake);
    } else {
      std::this_thread::sleep_until(wake);
      pause = std::min(pause * 2, milliseconds(20));
    }
  }

  // Whatever the child left behind in its group (background processes) ends with it.
  kill_group(pid, SIGKILL);

  ChildOutcome outcome = outcome_from_status(status);
  if (timed_out) outcome.kind = ChildOutcome::Kind::kTimedOut;
  outcome.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                        static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  outcome.wall_seconds = seconds_between(started, SteadyClock::now());
  return outcome;
}

std::string tail_of_file(const std::string& path, int max_lines, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  struct stat info {};
  std::string text;
  if (::fstat(fd, &info) == 0 && max_bytes > 0 && max_lines > 0) {
    const auto size = static_cast<std::size_t>(info.st_size);
    const std::size_t offset = size > max_bytes ? size - max_bytes : 0;
    text.resize(size - offset);
    std::size_t filled = 0;
    while (filled < text.size()) {
      const ssize_t got = ::pread(fd, text.data() + filled, text.size() - filled, static_cast<off_t>(offset + filled));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      filled += static_cast<std::size_t>(got);
    }
    text.resize(filled);
    if (offset > 0) {
      // Cut in the middle of a line: drop the fragment when whole lines follow it.
      const auto newline = text.find('\n');
      if (newline != std::string::npos && newline + 1 < text.size()) text.erase(0, newline + 1);
      // Never start inside a multi-byte UTF-8 character.
      std::size_t skip = 0;
      while (skip < text.size() && (static_cast<unsigned char>(text[skip]) & 0xC0) == 0x80) ++skip;
      text.erase(0, skip);
    }
  }
  ::close(fd);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::size_t begin = 0;  // of the first line kept
  std::size_t search = text.size();
  for (int lines = 0; lines < max_lines; ++lines) {
    const auto newline = search == 0 ? std::string::npos : text.rfind('\n', search - 1);
    if (newline == std::string::npos) {
      begin = 0;
      break;
    }
    begin = newline + 1;
    search = newline;
  }
  text.erase(0, begin);
  return text;
}

FileExcerpt excerpt_of_file(const std::string& path, std::size_t head_bytes, std::size_t tail_bytes) {
  FileExcerpt excerpt;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return excerpt;
  struct stat info {};
  const std::size_t size = ::fstat(fd, &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
  const bool whole = size <= head_bytes + tail_bytes;
  excerpt.head.resize(whole ? size : head_bytes);
  std::size_t filled = 0;
  while (filled < excerpt.head.size()) {
    const ssize_t got =
        ::pread(fd, excerpt.head.data() + filled, excerpt.head.size() - filled, static_cast<off_t>(filled));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    filled += static_cast<std::size_t>(got);
  }
  ::close(fd);
  excerpt.head.resize(filled);
  if (whole) return excerpt;
  // The head ends with its last whole line; the tail starts with a whole line (tail_of_file).
  const auto newline = excerpt.head.rfind('\n');
  if (newline != std::string::npos) excerpt.head.resize(newline + 1);
  excerpt.tail = tail_of_file(path, std::numeric_limits<int>::max(), tail_bytes);
  const std::size_t kept = excerpt.head.size() + excerpt.tail.size();
  excerpt.left_out = size > kept ? size - kept : 0;
  return excerpt;
}

}  // namespace dli
