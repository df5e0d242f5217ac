#pragma once
// Process exit codes of dli-integrator and dli-agent. Documented in README.md; scripts rely on them.
namespace dli::exit_code {
inline constexpr int kOk = 0;               // every test measured
inline constexpr int kTestsFailed = 1;      // some tests failed, crashed or timed out (results still written)
inline constexpr int kBadConfig = 2;        // invalid YAML/arguments: nothing was written
inline constexpr int kHostsUnreached = 3;   // some hosts could not be started or were lost
inline constexpr int kInternal = 4;         // a bug or an unexpected environment failure
inline constexpr int kStoreFailed = 5;      // the store could not be read or written
// The run was measured and reported, but could not be recorded in the history database (reported only when
// nothing worse happened: the codes above take precedence).
inline constexpr int kHistoryFailed = 6;
// --fail-on-regression: a VALID figure regressed against the same test's earlier runs (docs/history.md); reported
// only when no code above applies.
inline constexpr int kRegression = 7;
// `daemon`: another daemon holds the lab's state folder (docs/daemon.md).
inline constexpr int kDaemonBusy = 8;
}  // namespace dli::exit_code
