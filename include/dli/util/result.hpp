#pragma once
// Typed results for I/O edges (store, processes, network). Logic layers throw; I/O edges return these.
// An error's kind says what failed, set where the failure is detected; the message is for people and is never
// parsed. The integrator maps kinds to host states (host_state_of in include/dli/integrator/host_check.hpp).
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace dli {

enum class ErrorKind {
  kOther,           // nothing a caller tells apart: the message says it all
  kUnreachable,     // no connection: refused, no answer, no route, name unknown, no handshake, connection lost
  kHostKeyRefused,  // the SSH host key is unknown or changed
  kAuthFailed,      // the login was refused, or its key, ssh-agent or password is unusable
  kTimedOut,        // connected, but the command or request did not finish in time
  kProtocol,        // any other SSH or SFTP failure once connected
  kAgentMissing,    // no executable dli-agent where the host's entry says
  kNoSpace,         // the store refused a write for lack of space or quota (ENOSPC, EDQUOT; FTP 452, 552)
  kDenied,          // the store refused an operation by permission (EACCES, EPERM, EROFS; FTP 550/553 on a write)
  kNotFound,        // the store has no object under the key (get, get_file)
  kLocalNoSpace,    // this host's own disk had no room for what get_file downloads (ENOSPC, EDQUOT)
};
const char* to_string(ErrorKind kind);  // "other", "unreachable", "host-key-refused", ... (for logs and tests)

struct Error {
  std::string message;
  bool transient = false;  // worth retrying (network blips, server busy)
  ErrorKind kind = ErrorKind::kOther;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}      // NOLINT(google-explicit-constructor)
  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { check(); return std::get<0>(data_); }
  const T& value() const& { check(); return std::get<0>(data_); }
  T&& value() && { check(); return std::get<0>(std::move(data_)); }
  const Error& error() const { return std::get<1>(data_); }

 private:
  void check() const {
    if (!ok()) throw std::runtime_error(std::get<1>(data_).message);
  }
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace dli
