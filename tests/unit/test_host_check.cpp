// Failure kinds become host states in one place (host_state_of), for `hosts check` and for a run's start alike.
#include "dli/integrator/host_check.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "support/error_kind.hpp"

namespace dli {
namespace {

TEST(HostCheck, EachFailureKindHasItsHostState) {
  const std::vector<std::pair<ErrorKind, HostState>> expected = {
      {ErrorKind::kHostKeyRefused, HostState::kHostKeyRefused}, {ErrorKind::kAuthFailed, HostState::kAuthFailed},
      {ErrorKind::kAgentMissing, HostState::kAgentMissing},     {ErrorKind::kUnreachable, HostState::kUnreachable},
      {ErrorKind::kTimedOut, HostState::kUnreachable},          {ErrorKind::kProtocol, HostState::kUnreachable},
      {ErrorKind::kOther, HostState::kUnreachable}};
  for (const auto& [kind, state] : expected) {
    EXPECT_EQ(host_state_of(Error{"whatever the message says: auth-failed: no", false, kind}), state)
        << to_string(kind);
  }
}

// A host that cannot be reached the way `error` says.
class FailingShell : public HostShell {
 public:
  explicit FailingShell(Error error) : error_(std::move(error)) {}
  Status start_agent(const AgentLaunch&) override { return error_; }
  Result<CommandOutput> run(const std::vector<std::string>&, const std::string&, double) override { return error_; }
  std::optional<bool> agent_alive(int) override { return std::nullopt; }

 private:
  Error error_;
};

TEST(HostCheck, AFailedConnectionGivesTheStateOfItsKindAndTheMessageAsReason) {
  HostConfig host;
  host.name = "node-1";
  host.kind = "ssh";
  FailingShell refused(Error{"host key for 10.0.0.1:22 changed", false, ErrorKind::kHostKeyRefused});
  const HostCheck check = check_host(refused, host, "dli-agent", "file:///srv/dli-store");
  EXPECT_EQ(check.state, "host-key-refused");
  EXPECT_EQ(check.reason, "host key for 10.0.0.1:22 changed");
  EXPECT_FALSE(check.ok());

  FailingShell silent(Error{"cannot connect to 10.0.0.2:22: no answer within 10 s", true, ErrorKind::kUnreachable});
  EXPECT_EQ(check_host(silent, host, "dli-agent", "file:///srv/dli-store").state, "unreachable");
}

}  // namespace
}  // namespace dli
