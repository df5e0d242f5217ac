#pragma once
// What one test produced: a status with its reason, and the measurements when it ran.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <vector>

#include "dli/measure/histogram.hpp"
#include "dli/measure/server_search.hpp"
#include "dli/measure/stats.hpp"
#include "dli/measure/stop_rule.hpp"
#include "dli/measure/stream_stats.hpp"
#include "dli/measure/verdict.hpp"
#include "dli/protocol/test_environment.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

// unsupported: the framework, the host or its runner cannot do what the test asks (device, format, parameter,
// runner not installed). Recorded with its reason, shown as N/A; not a failure.
enum class TestStatus { kOk, kFailed, kCrashed, kTimeout, kUnsupported };
std::string to_string(TestStatus status);  // "ok", "failed", "crashed", "timeout", "unsupported"
TestStatus test_status_from_string(const std::string& text);  // throws std::invalid_argument
bool is_failure(TestStatus status);  // failed, crashed or timeout: counts towards exit code 1

// A test's figures (docs/protocol.md 4.5), computed by the agent from the request times its runner reported
// (docs/runners.md 3.3; assess.hpp).
struct Measurement {
  std::string framework_version;
  double load_seconds = 0;             // model read + compile, apart from steady state
  double first_inference_seconds = 0;  // the first request, apart from warm-up and steady state
  std::int64_t warmup_iterations = 0;
  std::int64_t iterations = 0;         // timed requests (multi_stream: queries)
  double wall_seconds = 0;             // timed region, first request start to last request end
  Summary request;                     // per-request durations, seconds
  Throughput throughput;
  std::int64_t peak_rss_kb = 0;        // of the child process
  // Since protocol 4:
  StopReason stop_reason = StopReason::kMinReached;
  double latency_percentile = 50;      // which percentile throughput.latency_s is
  Histogram histogram;                 // of every timed request's time
  std::vector<std::int64_t> stream_counts;  // requests per stream
  double target_qps = 0;               // server: the rate of the reported run
  std::vector<SearchTrial> search;     // server search: every trial, in order
  Verdict verdict;
  // Since protocol 4 (additive): the threads each stream's framework reported in that stream's own thread (0: it
  // cannot tell), per session; and each stream's own statistics (async, offline: one per stream).
  std::vector<int> stream_threads;
  std::vector<StreamStats> streams;
};

// Accuracy mode: the share of the dataset's samples whose label is the model's first choice (top-1) or among its
// five highest outputs (top-5).
struct Accuracy {
  std::int64_t samples = 0;
  double top1 = 0;
  double top5 = 0;
};

// How much of a test's log its result carries (TestResult::log): a log up to the sum whole, a longer one its
// first and last bytes, the whole one then published beside the result (docs/protocol.md 4.6).
inline constexpr std::size_t kResultLogHeadBytes = 4096;
inline constexpr std::size_t kResultLogTailBytes = 12288;
// Whether a log of `size` bytes goes whole into its result (and so is not published apart).
inline bool result_carries_whole_log(std::uintmax_t size) { return size <= kResultLogHeadBytes + kResultLogTailBytes; }

struct TestResult {
  TestSpec spec;
  TestStatus status = TestStatus::kFailed;
  std::string reason;        // empty when ok; otherwise what went wrong, for a reader
  std::string stderr_tail;   // last lines of the child's output when not ok
  int exit_code = -1;        // of the child; -1 when killed by a signal
  int signal = 0;            // signal that ended the child, 0 if none
  std::string started_at;    // UTC ISO 8601
  std::string finished_at;
  double elapsed_seconds = 0;  // child's whole life, load included
  std::optional<Measurement> measurement;  // present when status is ok in sync and async modes
  std::optional<Accuracy> accuracy;        // present when status is ok in accuracy mode
  std::map<std::string, std::string> details;  // how the runner set the framework up (docs/runners.md)
  std::string framework_version;  // as the runner reports it; empty when no runner answered
  // The test's log as published (docs/protocol.md 4.5): whole up to kResultLogHeadBytes + kResultLogTailBytes,
  // else its head and tail with a note of what lies between; empty from agents older than the field.
  std::string log;
  std::optional<TestEnvironment> environment;  // the host around the test, when the agent could read it
};

}  // namespace dli
