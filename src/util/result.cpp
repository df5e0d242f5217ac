#include "dli/util/result.hpp"

namespace dli {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOther: break;
    case ErrorKind::kUnreachable: return "unreachable";
    case ErrorKind::kHostKeyRefused: return "host-key-refused";
    case ErrorKind::kAuthFailed: return "auth-failed";
    case ErrorKind::kTimedOut: return "timed-out";
    case ErrorKind::kProtocol: return "protocol";
    case ErrorKind::kAgentMissing: return "agent-missing";
    case ErrorKind::kNoSpace: return "no-space";
    case ErrorKind::kDenied: return "denied";
    case ErrorKind::kNotFound: return "not-found";
    case ErrorKind::kLocalNoSpace: return "local-no-space";
  }
  return "other";
}

}  // namespace dli
