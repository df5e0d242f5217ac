// JSON of the runner protocol (docs/runners.md): request, result, description.
#include "dli/protocol/runner_protocol.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "protocol_fields.hpp"

namespace dli {

using protocol_detail::FieldReader;
using protocol_detail::valid_utf8;

namespace {

FieldReader open_runner_document(const std::string& document, const nlohmann::json& json) {
  if (!json.is_object()) throw std::runtime_error(document + ": expected a JSON object");
  FieldReader fields(document, json);
  const int version = fields.integer("runner_protocol");
  if (version != kRunnerProtocolVersion) {
    throw std::runtime_error(fmt::format("runner protocol {}; this build speaks {}", version, kRunnerProtocolVersion));
  }
  return fields;
}

RunnerStatus runner_status_from_string(const std::string& text) {
  for (const RunnerStatus status : {RunnerStatus::kOk, RunnerStatus::kUnsupported, RunnerStatus::kFailed}) {
    if (to_string(status) == text) return status;
  }
  throw std::runtime_error("result: field 'status' expected ok, unsupported or failed, got \"" + text + "\"");
}

std::vector<std::string> strings(const FieldReader& fields, const nlohmann::json& json, const std::string& name) {
  const auto found = json.find(name);
  if (found == json.end() || !found->is_array()) fields.fail(name, "an array of strings");
  std::vector<std::string> values;
  for (const auto& item : *found) {
    if (!item.is_string()) fields.fail(name, "an array of strings");
    values.push_back(item.get<std::string>());
  }
  return values;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string to_string(RunnerStatus status) {
  switch (status) {
    case RunnerStatus::kOk: return "ok";
    case RunnerStatus::kUnsupported: return "unsupported";
    case RunnerStatus::kFailed: return "failed";
  }
  return "failed";
}

int exit_code_of(RunnerStatus status) {
  switch (status) {
    case RunnerStatus::kOk: return runner_exit::kOk;
    case RunnerStatus::kUnsupported: return runner_exit::kUnsupported;
    case RunnerStatus::kFailed: return runner_exit::kFailed;
  }
  return runner_exit::kFailed;
}

bool offers_device(const RunnerDescription& runner, const std::string& device) {
  if (contains(runner.devices, "*") || contains(runner.devices, device)) return true;
  if (device != "cuda") return false;
  return std::any_of(runner.devices.begin(), runner.devices.end(),
                     [](const std::string& each) { return each.rfind("cuda:", 0) == 0; });
}

bool offers_format(const RunnerDescription& runner, const std::string& format) {
  return contains(runner.formats, "*") || contains(runner.formats, format);
}

nlohmann::json to_json(const RunnerRequest& request) {
  return {{"runner_protocol", kRunnerProtocolVersion},
          {"spec", protocol_detail::encode_spec(request.spec)},
          {"model_path", request.model_path},
          {"config_path", request.config_path},
          {"dataset_path", request.dataset_path}};
}

RunnerRequest runner_request_from_json(const nlohmann::json& json) {
  const FieldReader fields = open_runner_document("request", json);
  RunnerRequest request;
  request.spec = protocol_detail::decode_spec(fields.object("spec"));
  request.model_path = fields.string("model_path");
  request.config_path = fields.string("config_path");
  request.dataset_path = fields.string("dataset_path");
  return request;
}

nlohmann::json to_json(const RunnerResult& result) {
  return {{"runner_protocol", kRunnerProtocolVersion},
          {"status", to_string(result.status)},
          {"reason", valid_utf8(result.reason)},
          {"framework_version", valid_utf8(result.framework_version)},
          {"measurement", result.measurement ? protocol_detail::encode_measurement(*result.measurement)
                                             : nlohmann::json(nullptr)},
          {"accuracy", result.accuracy ? protocol_detail::encode_accuracy(*result.accuracy) : nlohmann::json(nullptr)},
          {"details", protocol_detail::encode_details(result.details)}};
}

RunnerResult runner_result_from_json(const nlohmann::json& json, Mode mode) {
  const FieldReader fields = open_runner_document("result", json);
  RunnerResult result;
  result.status = runner_status_from_string(fields.string("status"));
  result.reason = fields.string("reason");
  result.framework_version = fields.string("framework_version");
  if (fields.has("measurement") && !fields.is_null("measurement")) {
    result.measurement = protocol_detail::decode_measurement(fields.object("measurement"));
  }
  if (fields.has("accuracy") && !fields.is_null("accuracy")) {
    result.accuracy = protocol_detail::decode_accuracy(fields.object("accuracy"));
  }
  if (fields.has("details")) result.details = fields.string_map("details");
  if (result.status == RunnerStatus::kOk) {
    if (mode == Mode::kAccuracy && !result.accuracy) throw std::runtime_error("result: status ok without 'accuracy'");
    if (mode != Mode::kAccuracy && !result.measurement) {
      throw std::runtime_error("result: status ok without 'measurement'");
    }
  } else if (result.reason.empty()) {
    throw std::runtime_error("result: status " + to_string(result.status) + " without a 'reason'");
  }
  return result;
}

nlohmann::json to_json(const RunnerDescription& description) {
  return {{"runner_protocol", kRunnerProtocolVersion}, {"framework", description.framework},
          {"version", valid_utf8(description.version)}, {"formats", description.formats},
          {"devices", description.devices},           {"available", description.available},
          {"reason", valid_utf8(description.reason)}};
}

RunnerDescription runner_description_from_json(const nlohmann::json& json) {
  const FieldReader fields = open_runner_document("describe", json);
  RunnerDescription description;
  description.framework = fields.string("framework");
  description.version = fields.string("version");
  description.formats = strings(fields, json, "formats");
  description.devices = strings(fields, json, "devices");
  const auto available = json.find("available");
  if (available == json.end() || !available->is_boolean()) fields.fail("available", "a boolean");
  description.available = available->get<bool>();
  description.reason = fields.string("reason");
  return description;
}

}  // namespace dli
