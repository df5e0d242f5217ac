#pragma once
// The runner protocol (docs/runners.md, version kRunnerProtocolVersion): how the agent starts a runner, what it
// hands over and what it gets back. Pure encoders and decoders; the agent and the runners do the I/O.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/protocol/test_result.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

inline constexpr int kRunnerProtocolVersion = 2;

// Exit codes of `<runner> run` (docs/runners.md 3.4).
namespace runner_exit {
inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;
inline constexpr int kUnsupported = 3;
}  // namespace runner_exit

struct RunnerRequest {
  TestSpec spec;
  std::string model_path;
  std::string config_path;   // empty when the format needs none
  std::string dataset_path;  // accuracy mode only
};

enum class RunnerStatus { kOk, kUnsupported, kFailed };
std::string to_string(RunnerStatus status);  // "ok", "unsupported", "failed"
int exit_code_of(RunnerStatus status);       // 0, 3, 1

// What a runner measured (docs/runners.md 3.3): the raw request times and how the run went. The agent computes every
// statistic, the histogram and the verdict from it, once, in C++ (assess.hpp).
struct RawMeasurement {
  std::string framework_version;
  double load_seconds = 0;
  double first_inference_seconds = 0;
  std::int64_t warmup_iterations = 0;
  double wall_seconds = 0;
  StopReason stop_reason = StopReason::kMinReached;
  std::int64_t peak_rss_kb = 0;
  std::vector<std::int64_t> stream_counts;  // how many of request_seconds belong to each stream, in order
  std::vector<double> request_seconds;      // every stream's times, one stream after another
  std::vector<int> stream_threads;          // per session: threads its framework reported in its thread; optional
  // When the times travel in a side file: its name in the result's folder (float64 little-endian, stream after
  // stream); request_seconds is then empty until the reader loads it (decode_request_times).
  std::string times_file;
  double target_qps = 0;                    // server
  std::vector<SearchTrial> search;          // server search
};

// The side file's bytes as `count` times; throws std::runtime_error when the size is not count x 8 bytes, or a time
// is not a finite number >= 0.
std::vector<double> decode_request_times(const std::string& bytes, std::int64_t count);
std::string encode_request_times(const std::vector<double>& seconds);

struct RunnerResult {
  RunnerStatus status = RunnerStatus::kFailed;
  std::string reason;
  std::string framework_version;
  std::optional<RawMeasurement> measurement;  // ok, speed modes and scenarios
  std::optional<Accuracy> accuracy;        // ok, accuracy mode
  std::map<std::string, std::string> details;
};

// What `<runner> describe` prints.
struct RunnerDescription {
  std::string framework;
  std::string version;
  std::vector<std::string> formats;  // "*": any
  std::vector<std::string> devices;  // "*": any
  bool available = true;
  std::string reason;  // why not available
};

// A device the spec asks for is offered when listed exactly, when it is "cuda" and any "cuda:N" is listed, or when
// the list is "*".
bool offers_device(const RunnerDescription& runner, const std::string& device);
bool offers_format(const RunnerDescription& runner, const std::string& format);

// Decoders throw std::runtime_error naming the missing or mistyped field, or the other protocol version.
nlohmann::json to_json(const RunnerRequest& request);
RunnerRequest runner_request_from_json(const nlohmann::json& json);
nlohmann::json to_json(const RunnerResult& result);
// Also checks that an ok result carries what its mode produces (a measurement, or an accuracy).
RunnerResult runner_result_from_json(const nlohmann::json& json, Mode mode);
nlohmann::json to_json(const RunnerDescription& description);
RunnerDescription runner_description_from_json(const nlohmann::json& json);

}  // namespace dli
