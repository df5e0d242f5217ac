#pragma once
// A byte stream to a subsystem on the server (SshSession::open_subsystem), for protocols spoken by hand.
// Every call is bounded by its timeout; after any error the channel and its session are unusable.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "dli/ssh/ssh_session.hpp"
#include "dli/util/result.hpp"

namespace dli {

class SshChannel {
 public:
  SshChannel(SshChannel&&) noexcept;
  SshChannel& operator=(SshChannel&&) noexcept;
  SshChannel(const SshChannel&) = delete;
  SshChannel& operator=(const SshChannel&) = delete;
  ~SshChannel();

  Status write(std::string_view bytes, double timeout_seconds);         // all of them
  Result<std::string> read(std::size_t size, double timeout_seconds);  // exactly `size` bytes

 private:
  friend class SshSession;
  struct Impl;  // libssh2's channel and its session, kept out of this header
  explicit SshChannel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dli
