#pragma once
// One agent per run and host: two would run each test twice, concurrently, spoiling both measurements (an
// integrator restarted, or `resume`, while the first agent still runs). The kernel drops the lock when the holder
// ends, however it ends.
#include <string>

#include "dli/util/result.hpp"

namespace dli {

class RunLock {
 public:
  // Takes an exclusive lock on `path` (created if needed) and writes this process's PID into it.
  // Error "another agent (pid N) is already running ..." when someone holds it.
  static Result<RunLock> acquire(const std::string& path);
  // The PID written by the lock's holder; 0 when unknown.
  static int holder(const std::string& path);
  RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace dli
