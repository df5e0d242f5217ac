// JSON of the run-level documents: Manifest, TaskList and the HostStatus heartbeat (docs/protocol.md).
#include <stdexcept>

#include <fmt/format.h>

#include "dli/protocol/protocol.hpp"
#include "protocol_fields.hpp"

namespace dli {

using protocol_detail::FieldReader;
using protocol_detail::finite_or_null;
using protocol_detail::open_document;
using protocol_detail::valid_utf8;

namespace {

constexpr HostState kAllStates[] = {HostState::kPending,        HostState::kStarting,   HostState::kRunning,
                                    HostState::kDone,           HostState::kFailed,     HostState::kUnreachable,
                                    HostState::kHostKeyRefused, HostState::kAuthFailed, HostState::kAgentMissing,
                                    HostState::kLost,           HostState::kStoreFailed};

}  // namespace

std::string to_string(HostState state) {
  switch (state) {
    case HostState::kPending: return "pending";
    case HostState::kStarting: return "starting";
    case HostState::kRunning: return "running";
    case HostState::kDone: return "done";
    case HostState::kFailed: return "failed";
    case HostState::kUnreachable: return "unreachable";
    case HostState::kHostKeyRefused: return "host-key-refused";
    case HostState::kAuthFailed: return "auth-failed";
    case HostState::kAgentMissing: return "agent-missing";
    case HostState::kLost: return "lost";
    case HostState::kStoreFailed: return "store-failed";
  }
  return "failed";  // unreachable with a valid enum value
}

HostState host_state_from_string(const std::string& text) {
  for (HostState state : kAllStates) {
    if (to_string(state) == text) return state;
  }
  throw std::invalid_argument(
      "unknown host state '" + text +
      "' (expected pending, starting, running, done, failed, unreachable, host-key-refused, auth-failed, "
      "agent-missing, lost or store-failed)");
}

bool host_not_reached(HostState state) {
  return state == HostState::kFailed || state == HostState::kUnreachable || state == HostState::kHostKeyRefused ||
         state == HostState::kAuthFailed || state == HostState::kAgentMissing || state == HostState::kLost;
}

bool host_finished(HostState state) {
  return state == HostState::kDone || state == HostState::kStoreFailed || host_not_reached(state);
}

nlohmann::json to_json(const Manifest& manifest) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& host : manifest.hosts) hosts.push_back({{"name", host.name}, {"kind", host.kind}, {"tests", host.tests}});
  nlohmann::json json = {{"protocol", kProtocolVersion},
                         {"run_id", manifest.run_id},
                         {"sweep_name", manifest.sweep_name},
                         {"created_at", manifest.created_at},
                         {"hosts", hosts}};
  if (!manifest.maintenance.empty()) {  // optional (docs/protocol.md 4.2)
    nlohmann::json resting = nlohmann::json::array();
    for (const auto& [name, reason] : manifest.maintenance) resting.push_back({{"name", name}, {"reason", reason}});
    json["maintenance"] = resting;
  }
  if (!manifest.capacity.empty()) {  // optional (docs/protocol.md 4.2)
    nlohmann::json questions = nlohmann::json::array();
    for (const auto& question : manifest.capacity) questions.push_back(to_json(question));
    json["capacity"] = questions;
  }
  if (!manifest.launch.empty()) json["launch"] = manifest.launch;  // optional (docs/protocol.md 4.2)
  return json;
}

Manifest manifest_from_json(const nlohmann::json& json) {
  const FieldReader fields = open_document("manifest", json);
  Manifest manifest;
  manifest.run_id = fields.string("run_id");
  manifest.sweep_name = fields.string("sweep_name");
  manifest.created_at = fields.string("created_at");
  for (const auto& host : fields.objects("hosts")) {
    manifest.hosts.push_back({host.string("name"), host.string("kind"), host.integer("tests")});
  }
  if (fields.has("maintenance")) {
    for (const auto& host : fields.objects("maintenance")) {
      manifest.maintenance.emplace_back(host.string("name"), host.string("reason"));
    }
  }
  if (fields.has("capacity")) {
    const auto& questions = json.at("capacity");
    if (!questions.is_array()) fields.fail("capacity", "array");
    for (std::size_t i = 0; i < questions.size(); ++i) {
      manifest.capacity.push_back(capacity_question_from_json(questions[i], "manifest capacity[" + std::to_string(i) + "]"));
    }
  }
  if (fields.has("launch")) manifest.launch = fields.string("launch");
  return manifest;
}

nlohmann::json to_json(const TaskList& tasks) {
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& spec : tasks.tests) tests.push_back(protocol_detail::encode_spec(spec));
  return {{"protocol", kProtocolVersion}, {"run_id", tasks.run_id}, {"host", tasks.host}, {"tests", tests}};
}

namespace {

template <typename Json>
TaskList decode_task_list(const Json& json) {
  const auto fields = open_document("tasks", json);
  TaskList tasks;
  tasks.run_id = fields.string("run_id");
  tasks.host = fields.string("host");
  for (const auto& test : fields.objects("tests")) tasks.tests.push_back(protocol_detail::decode_spec(test));
  return tasks;
}

}  // namespace

TaskList task_list_from_json(const nlohmann::json& json) { return decode_task_list(json); }

std::optional<TaskList> quick_task_list(std::string_view text) {
  thread_local protocol_detail::FastJsonDocument document;  // as quick_test_result's
  if (!protocol_detail::parse_fast_json(text, document)) return std::nullopt;
  try {
    return decode_task_list(document.root());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

nlohmann::json to_json(const HostStatus& status) {
  return {{"protocol", kProtocolVersion},
          {"host", status.host},
          {"state", to_string(status.state)},
          {"current_test", status.current_test},
          {"current_label", status.current_label},
          {"done", status.done},
          {"failed", status.failed},
          {"total", status.total},
          {"eta_s", finite_or_null(status.eta_seconds)},
          {"updated_at", status.updated_at},
          {"reason", valid_utf8(status.reason)},
          {"pid", status.pid},
          {"agent_version", status.agent_version},
          {"unpublished", status.unpublished},
          {"publish_error", valid_utf8(status.publish_error)}};
}

HostStatus host_status_from_json(const nlohmann::json& json) {
  const FieldReader fields = open_document("status", json);
  HostStatus status;
  status.host = fields.string("host");
  const std::string state = fields.string("state");
  try {
    status.state = host_state_from_string(state);
  } catch (const std::invalid_argument&) {
    throw std::runtime_error(fmt::format(
        "status: field 'state' expected one of pending, starting, running, done, failed, unreachable, "
        "host-key-refused, auth-failed, agent-missing, lost, store-failed, got \"{}\"",
        state));
  }
  status.current_test = fields.string("current_test");
  status.current_label = fields.string("current_label");
  status.done = fields.integer("done");
  status.failed = fields.integer("failed");
  status.total = fields.integer("total");
  status.eta_seconds = fields.number("eta_s");
  status.updated_at = fields.string("updated_at");
  status.reason = fields.string("reason");
  status.pid = fields.integer("pid");
  status.agent_version = fields.string("agent_version");
  status.unpublished = fields.integer("unpublished");
  status.publish_error = fields.string("publish_error");
  return status;
}

}  // namespace dli
