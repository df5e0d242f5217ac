// Subsystem channels (SshSession::open_subsystem): non-blocking like exec, each call bounded by its own timeout.
// A failure leaves the session unusable, as in exec: its state on the wire is unknown.
#include "dli/ssh/ssh_channel.hpp"

#include <fmt/format.h>

#include "ssh_connection.hpp"

namespace dli {

using namespace ssh_detail;

struct SshChannel::Impl {
  SshSession::Impl* session = nullptr;
  LIBSSH2_CHANNEL* channel = nullptr;

  Impl(SshSession::Impl* owner, LIBSSH2_CHANNEL* opened) : session(owner), channel(opened) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    // After a failure the session's free (with its socket shut) takes the channel along without waiting on it.
    if (!session->usable) return;
    libssh2_session_set_blocking(session->session, 1);  // libssh2_channel_free gives up on EAGAIN otherwise
    libssh2_session_set_timeout(session->session, 1000);
    libssh2_channel_free(channel);
  }

  // A stalled request means a stalled connection: worth a fresh one, unlike a slow command in exec.
  Error timed_out(const char* doing, double timeout_seconds) const {
    Error error = session->timed_out(doing, timeout_seconds);
    error.transient = true;
    return error;
  }
};

namespace {

Error closed_session() { return fail(ErrorKind::kProtocol, "the SSH session is closed after an earlier failure"); }

}  // namespace

Result<SshChannel> SshSession::open_subsystem(const std::string& name, double timeout_seconds) {
  if (!usable()) return closed_session();
  Impl& self = *impl_;
  const auto deadline = deadline_after(timeout_seconds);
  self.usable = false;  // until the subsystem has started
  libssh2_session_set_blocking(self.session, 0);
  LIBSSH2_CHANNEL* channel = nullptr;
  while ((channel = libssh2_channel_open_session(self.session)) == nullptr) {
    if (libssh2_session_last_errno(self.session) != LIBSSH2_ERROR_EAGAIN) return self.io_error("cannot open a channel");
    if (!self.wait(deadline)) return self.timed_out("opening a channel", timeout_seconds);
  }
  int rc = 0;
  while ((rc = libssh2_channel_subsystem(channel, name.c_str())) == LIBSSH2_ERROR_EAGAIN) {
    if (!self.wait(deadline)) return self.timed_out("starting the " + name + " subsystem", timeout_seconds);
  }
  if (rc != 0) return self.io_error(fmt::format("the server refused the {} subsystem", name).c_str());
  self.usable = true;
  return SshChannel(std::make_unique<SshChannel::Impl>(&self, channel));
}

SshChannel::SshChannel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshChannel::SshChannel(SshChannel&&) noexcept = default;
SshChannel& SshChannel::operator=(SshChannel&&) noexcept = default;
SshChannel::~SshChannel() = default;

Status SshChannel::write(std::string_view bytes, double timeout_seconds) {
  SshSession::Impl& session = *impl_->session;
  if (!session.usable) return closed_session();
  const auto deadline = deadline_after(timeout_seconds);
  session.usable = false;  // until all is written
  libssh2_session_set_blocking(session.session, 0);  // whatever ran on the session since open_subsystem
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t wrote = libssh2_channel_write(impl_->channel, bytes.data() + done, bytes.size() - done);
    if (wrote > 0) {
      done += static_cast<std::size_t>(wrote);
    } else if (wrote < 0 && wrote != LIBSSH2_ERROR_EAGAIN) {
      return session.io_error("cannot write to the channel");
    } else if (!session.wait(deadline)) {
      return impl_->timed_out("a write to the channel", timeout_seconds);
    }
  }
  session.usable = true;
  return {};
}

Result<std::string> SshChannel::read(std::size_t size, double timeout_seconds) {
  SshSession::Impl& session = *impl_->session;
  if (!session.usable) return closed_session();
  const auto deadline = deadline_after(timeout_seconds);
  session.usable = false;  // until all is read
  libssh2_session_set_blocking(session.session, 0);  // whatever ran on the session since open_subsystem
  std::string data(size, '\0');
  int idle_zero_reads = 0;
  for (std::size_t done = 0; done < size;) {
    const ssize_t got = libssh2_channel_read(impl_->channel, data.data() + done, size - done);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
      idle_zero_reads = 0;
      continue;
    }
    if (got < 0 && got != LIBSSH2_ERROR_EAGAIN) return session.io_error("cannot read from the channel");
    if (libssh2_channel_eof(impl_->channel)) {
      return fail(ErrorKind::kProtocol, fmt::format("the server on {} closed the channel", where(session.target)),
                  true);
    }
    // 0 without EOF: libssh2 handled some other packet and may hold more; read again before waiting (as exec).
    if (got == 0 && ++idle_zero_reads < 64) continue;
    idle_zero_reads = 0;
    if (!session.wait(deadline)) return impl_->timed_out("a read from the channel", timeout_seconds);
  }
  session.usable = true;
  return data;
}

}  // namespace dli
