// SshSession::exec: a non-blocking poll loop while a command runs (stdout and stderr must both be drained, or a
// chatty stderr stalls the command).
#include <algorithm>
#include <cstddef>
#include <string>

#include "ssh_connection.hpp"

namespace dli {

using namespace ssh_detail;

namespace {

constexpr std::size_t kMaxCapture = 16u << 20;  // per stream; a runaway command must not exhaust our memory

}  // namespace

Result<SshExecResult> SshSession::exec(const std::string& command, const std::string& stdin_data,
                                       double timeout_seconds) {
  return exec_until(command, stdin_data, timeout_seconds, {});
}

Result<SshExecResult> SshSession::exec_until(const std::string& command, const std::string& stdin_data,
                                             double timeout_seconds,
                                             const std::function<bool(const std::string&)>& enough) {
  if (!usable()) return fail(ErrorKind::kProtocol, "the SSH session is closed after an earlier failure");
  Impl& self = *impl_;
  LIBSSH2_SESSION* session = self.session;
  const auto deadline = deadline_after(timeout_seconds);
  self.usable = false;  // until the command has ended cleanly
  libssh2_session_set_blocking(session, 0);
  const auto timed_out = [&] { return self.timed_out("command", timeout_seconds); };

  LIBSSH2_CHANNEL* channel = nullptr;
  while ((channel = libssh2_channel_open_session(session)) == nullptr) {
    if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN) return self.io_error("cannot open a channel");
    if (!self.wait(deadline)) return timed_out();
  }
  int rc = 0;
  while ((rc = libssh2_channel_exec(channel, command.c_str())) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  if (rc != 0) return self.io_error("cannot start the command");

  SshExecResult result;
  std::size_t sent = 0;
  bool input_closed = false;
  int idle_zero_reads = 0;
  char buffer[32768];
  const auto capture = [&](std::string& into, ssize_t got) {
    const std::size_t room = kMaxCapture - std::min(kMaxCapture, into.size());
    into.append(buffer, std::min(room, static_cast<std::size_t>(got)));
  };
  for (;;) {
    bool progress = false;
    if (!input_closed) {
      if (sent < stdin_data.size()) {
        const ssize_t wrote = libssh2_channel_write(channel, stdin_data.data() + sent,
                                                    std::min<std::size_t>(stdin_data.size() - sent, sizeof buffer));
        if (wrote > 0) {
          sent += static_cast<std::size_t>(wrote);
          progress = true;
        } else if (wrote < 0 && wrote != LIBSSH2_ERROR_EAGAIN) {
          if (!libssh2_channel_eof(channel)) return self.io_error("cannot write the command's input");
          input_closed = true;  // the command ended without reading all of it
        }
      }
      if (!input_closed && sent == stdin_data.size()) {
        rc = libssh2_channel_send_eof(channel);
        if (rc != LIBSSH2_ERROR_EAGAIN) {
          input_closed = true;
          progress = true;
        }
      }
    }
    // libssh2 keeps a half-sent packet and must be given the same write again before it sends anything else; a
    // read may send a window adjustment, so while our input is blocked outbound, only the write is retried.
    if (!input_closed && !progress &&
        (libssh2_session_block_directions(self.session) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0) {
      if (!self.wait(deadline)) return timed_out();
      continue;
    }
    const ssize_t out = libssh2_channel_read(channel, buffer, sizeof buffer);
    if (out > 0) capture(result.out, out);
    if (out > 0 && input_closed && enough && enough(result.out)) {
      self.lingering = channel;  // freed by wait_output_closed(), or with the session
      result.exit_status = 0;
      return result;
    }
    const ssize_t err = libssh2_channel_read_stderr(channel, buffer, sizeof buffer);
    if (err > 0) capture(result.err, err);
    if ((out < 0 && out != LIBSSH2_ERROR_EAGAIN) || (err < 0 && err != LIBSSH2_ERROR_EAGAIN)) {
      return self.io_error("cannot read the command's output");
    }
    if (out > 0 || err > 0) {
      progress = true;
      idle_zero_reads = 0;
    } else if (libssh2_channel_eof(channel)) {
      break;  // the command closed its output and nothing is left to read
    } else if (out == 0 || err == 0) {
      // 0 without EOF: libssh2 handled some other packet. Read again at once: waiting on the socket could stall
      // on data libssh2 already holds. Bounded, in case a peer closes without EOF.
      progress = ++idle_zero_reads < 64;
    } else {
      idle_zero_reads = 0;  // both would block: libssh2 drained the socket, so waiting on it is right
    }
    if (!progress && !self.wait(deadline)) return timed_out();
  }

  while ((rc = libssh2_channel_close(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  while ((rc = libssh2_channel_wait_closed(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  if (rc != 0) return self.io_error("cannot close the channel");
  char* signal_name = nullptr;
  std::size_t signal_size = 0;
  libssh2_channel_get_exit_signal(channel, &signal_name, &signal_size, nullptr, nullptr, nullptr, nullptr);
  if (signal_name != nullptr) {
    result.exit_signal.assign(signal_name, signal_size);
    libssh2_free(session, signal_name);
  } else {
    result.exit_status = libssh2_channel_get_exit_status(channel);
  }
  while (libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return timed_out();
  }
  self.usable = true;
  return result;
}

Result<bool> SshSession::wait_output_closed(std::chrono::steady_clock::time_point until) {
  if (!impl_ || impl_->lingering == nullptr) return fail(ErrorKind::kProtocol, "no command output is left open");
  Impl& self = *impl_;
  LIBSSH2_CHANNEL* channel = self.lingering;
  char buffer[4096];
  int idle_zero_reads = 0;
  for (;;) {
    // Whatever still comes is not wanted, but must be read for the EOF behind it to be seen.
    const ssize_t out = libssh2_channel_read(channel, buffer, sizeof buffer);
    const ssize_t err = libssh2_channel_read_stderr(channel, buffer, sizeof buffer);
    if ((out < 0 && out != LIBSSH2_ERROR_EAGAIN) || (err < 0 && err != LIBSSH2_ERROR_EAGAIN)) {
      return self.io_error("cannot read the command's output");
    }
    if (out > 0 || err > 0) {
      idle_zero_reads = 0;
      continue;
    }
    if (libssh2_channel_eof(channel)) break;
    if ((out == 0 || err == 0) && ++idle_zero_reads < 64) continue;  // another packet was handled: read again
    idle_zero_reads = 0;
    if (!self.wait(until)) return false;
  }
  // Closed: the channel goes, and the session may run commands again.
  const auto deadline = deadline_after(10);
  int rc = 0;
  while ((rc = libssh2_channel_close(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return self.timed_out("closing the channel", 10);
  }
  while ((rc = libssh2_channel_wait_closed(channel)) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return self.timed_out("closing the channel", 10);
  }
  while (libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return self.timed_out("closing the channel", 10);
  }
  self.lingering = nullptr;
  self.usable = rc == 0;
  return true;
}

}  // namespace dli
