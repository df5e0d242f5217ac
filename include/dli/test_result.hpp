#pragma once
// What one test produced: a status with its reason, and the measurements when it ran.
#include <cstdint>
#include <optional>
#include <string>

#include "dli/stats.hpp"
#include "dli/test_spec.hpp"

namespace dli {

enum class TestStatus { kOk, kFailed, kCrashed, kTimeout };
std::string to_string(TestStatus status);              // "ok", "failed", "crashed", "timeout"
TestStatus test_status_from_string(const std::string& text);  // throws std::invalid_argument

// Written by the child process that ran the test (see runner.hpp), read by the agent.
struct Measurement {
  std::string framework_version;
  double load_seconds = 0;             // model read + compile, apart from steady state
  double first_inference_seconds = 0;  // the first request, apart from warm-up and steady state
  std::int64_t warmup_iterations = 0;
  std::int64_t iterations = 0;         // timed requests
  double wall_seconds = 0;             // timed region, first request start to last request end
  Summary request;                     // per-request durations, seconds
  Throughput throughput;
  std::int64_t peak_rss_kb = 0;        // of the child process
};

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
  std::optional<Measurement> measurement;  // present when status is ok
};

}  // namespace dli
