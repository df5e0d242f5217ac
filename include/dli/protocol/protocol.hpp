#pragma once
// The coordination protocol: store layout and JSON encodings (docs/protocol.md, version kProtocolVersion).
// Pure functions only; the agent and the integrator do the I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dli/protocol/capacity_question.hpp"

#include "dli/protocol/test_result.hpp"
#include "dli/protocol/test_spec.hpp"

namespace dli {

inline constexpr int kProtocolVersion = 4;

// Store layout.
namespace layout {
std::string model(const std::string& sha256);                         // models/<sha256>
std::string run_dir(const std::string& run);                          // runs/<run>
std::string manifest(const std::string& run);                         // runs/<run>/manifest.json
std::string host_dir(const std::string& run, const std::string& host);  // runs/<run>/hosts/<host>
std::string tasks(const std::string& run, const std::string& host);     // .../tasks.json
std::string status_dir(const std::string& run);                         // runs/<run>/status
std::string status_entry(const std::string& run, const std::string& name);  // runs/<run>/status/<name>
std::string results_dir(const std::string& run, const std::string& host);  // .../results
std::string result(const std::string& run, const std::string& host, const std::string& test_id);  // .../results/<id>.json
std::string logs_dir(const std::string& run, const std::string& host);  // .../logs
std::string log(const std::string& run, const std::string& host, const std::string& test_id);     // .../logs/<id>.log
std::string agent_log(const std::string& run, const std::string& host);  // .../agent.log
std::string host_info(const std::string& run, const std::string& host);  // .../host.json (the machine)
std::string scheduler_jobs(const std::string& run, const std::string& host);  // .../jobs.json (batch jobs, slurm)
}  // namespace layout

struct HostEntry {
  std::string name;
  std::string kind;
  int tests = 0;
};

struct Manifest {
  int protocol = kProtocolVersion;
  std::string run_id;
  std::string sweep_name;
  std::string created_at;  // UTC ISO 8601
  std::vector<HostEntry> hosts;
  // Hosts of the fleet the sweep selected but left out because they are in maintenance: name and reason.
  std::vector<std::pair<std::string, std::string>> maintenance;
  // The capacity questions the sweep asks (`capacity:`), answered on every page of the run.
  std::vector<CapacityQuestion> capacity = {};
  // The token the integrator started this run's first agents with before it published the run (docs/protocol.md
  // 4.2): such an agent uses the store only once the manifest carries its token. Optional; empty when absent.
  std::string launch = {};
};

struct TaskList {
  int protocol = kProtocolVersion;
  std::string run_id;
  std::string host;
  std::vector<TestSpec> tests;
};

// unreachable .. lost are written by the integrator when it cannot start an agent (unreachable, host-key-refused,
// auth-failed, agent-missing) or the agent went silent (lost). store-failed: the agent stopped because the store
// refused its results (no space, permission) or could not take them before the agent's publishing deadline.
enum class HostState {
  kPending, kStarting, kRunning, kDone, kFailed, kUnreachable, kHostKeyRefused, kAuthFailed, kAgentMissing, kLost,
  kStoreFailed
};
// Not started, failed or gone: counts towards "some hosts failed or not reached" (exit code 3).
bool host_not_reached(HostState state);
// No later state follows without a new agent: done, store-failed, or not reached.
bool host_finished(HostState state);
std::string to_string(HostState state);
HostState host_state_from_string(const std::string& text);  // throws std::invalid_argument

// Heartbeat, rewritten by the agent at least every few seconds while it runs.
struct HostStatus {
  int protocol = kProtocolVersion;
  std::string host;
  HostState state = HostState::kPending;
  std::string current_test;  // id, empty when idle
  std::string current_label;
  int done = 0;    // tests with a result (including ones skipped because already present)
  int failed = 0;  // of which not ok
  int total = 0;
  double eta_seconds = -1;  // -1 when unknown
  std::string updated_at;   // UTC ISO 8601
  std::string reason;       // why failed/unreachable/lost
  int pid = 0;
  std::string agent_version;
  int unpublished = 0;        // results measured and kept in the agent's spool, not yet in the store
  std::string publish_error;  // why they wait (the last publishing error); empty when none wait
};

// Encoders/decoders. Decoders throw std::runtime_error naming the missing or mistyped field, and reject
// documents of another protocol major version.
nlohmann::json to_json(const TestSpec& spec);
TestSpec test_spec_from_json(const nlohmann::json& json);
nlohmann::json to_json(const Measurement& measurement);
Measurement measurement_from_json(const nlohmann::json& json);
nlohmann::json to_json(const TestResult& result);
TestResult test_result_from_json(const nlohmann::json& json);
// test_result_from_json(nlohmann::json::parse(text)), several times faster, for a result as dli writes it (collecting
// a large run). nullopt when the quick reader does not vouch for the text (escapes or non-ASCII in its strings, and
// any error): read it then the usual way, which also says what is wrong with it.
std::optional<TestResult> quick_test_result(std::string_view text);
nlohmann::json to_json(const Manifest& manifest);
Manifest manifest_from_json(const nlohmann::json& json);
nlohmann::json to_json(const TaskList& tasks);
TaskList task_list_from_json(const nlohmann::json& json);
// task_list_from_json(nlohmann::json::parse(text)) the quick way, as quick_test_result says.
std::optional<TaskList> quick_task_list(std::string_view text);
nlohmann::json to_json(const HostStatus& status);
HostStatus host_status_from_json(const nlohmann::json& json);

}  // namespace dli
