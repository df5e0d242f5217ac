// JSON of the runner protocol (docs/runners.md): request, result, description.
#include "dli/protocol/runner_protocol.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
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

nlohmann::json encode_raw(const RawMeasurement& m) {
  nlohmann::json times = {{"counts", m.stream_counts}};
  if (m.times_file.empty()) {
    times["seconds"] = m.request_seconds;
  } else {
    times["file"] = m.times_file;
  }
  nlohmann::json search = nlohmann::json::array();
  for (const auto& trial : m.search) {
    search.push_back({{"rate", trial.rate}, {"latency_s", protocol_detail::finite_or_null(trial.latency_s)},
                      {"valid", trial.valid}});
  }
  return {{"framework_version", valid_utf8(m.framework_version)},
          {"load_s", protocol_detail::finite_or_null(m.load_seconds)},
          {"first_inference_s", protocol_detail::finite_or_null(m.first_inference_seconds)},
          {"warmup_iterations", m.warmup_iterations},
          {"wall_s", protocol_detail::finite_or_null(m.wall_seconds)},
          {"stop_reason", to_string(m.stop_reason)},
          {"peak_rss_kb", m.peak_rss_kb},
          {"request_times", times},
          {"stream_threads", m.stream_threads},
          {"target_qps", m.target_qps},
          {"search", search}};
}

RawMeasurement decode_raw(const FieldReader& fields) {
  RawMeasurement m;
  m.framework_version = fields.string("framework_version");
  m.load_seconds = fields.seconds("load_s", kMaxTimeoutSeconds);
  m.first_inference_seconds = fields.seconds("first_inference_s", kMaxTimeoutSeconds);
  m.warmup_iterations = fields.int64("warmup_iterations");
  m.wall_seconds = fields.seconds("wall_s", kMaxTimeoutSeconds);
  try {
    m.stop_reason = stop_reason_from_string(fields.string("stop_reason"));
  } catch (const std::invalid_argument&) {
    fields.fail("stop_reason", "min_reached, max_count, max_seconds or capped");
  }
  if (m.stop_reason == StopReason::kRunning) fields.fail("stop_reason", "min_reached, max_count, max_seconds or capped");
  m.peak_rss_kb = fields.has("peak_rss_kb") ? fields.int64("peak_rss_kb") : 0;
  const FieldReader times = fields.object("request_times");
  m.stream_counts = times.int64s("counts");
  std::int64_t total = 0;
  for (const auto count : m.stream_counts) {
    if (count < 0 || count > (std::int64_t{1} << 40)) times.fail("counts", "counts from 0 to 2^40");
    total += count;
  }
  if (total < 1) times.fail("counts", "at least one timed request");
  if (times.has("file")) {
    m.times_file = times.string("file");
    if (m.times_file.empty() || m.times_file.find('/') != std::string::npos || m.times_file[0] == '.') {
      times.fail("file", "a file name in the result's folder");
    }
  } else {
    m.request_seconds = times.numbers("seconds");
    if (static_cast<std::int64_t>(m.request_seconds.size()) != total) {
      times.fail("seconds", fmt::format("{} times (the sum of counts)", total));
    }
    for (const double value : m.request_seconds) {
      if (!(value >= 0 && std::isfinite(value))) times.fail("seconds", "finite times >= 0");
    }
  }
  if (fields.has("stream_threads")) {  // optional (added within protocol 2)
    for (const auto threads : fields.int64s("stream_threads")) {
      if (threads < 0 || threads > 1 << 20) fields.fail("stream_threads", "thread counts from 0 to 2^20");
      m.stream_threads.push_back(static_cast<int>(threads));
    }
  }
  if (fields.has("target_qps")) m.target_qps = fields.number("target_qps");
  if (fields.has("search")) {
    for (const auto& trial : fields.objects("search")) {
      m.search.push_back({trial.number("rate"), trial.number("latency_s"), trial.boolean("valid")});
    }
  }
  return m;
}

}  // namespace

std::vector<double> decode_request_times(const std::string& bytes, std::int64_t count) {
  if (count < 0 || bytes.size() != static_cast<std::size_t>(count) * sizeof(double)) {
    throw std::runtime_error(fmt::format("request times file: {} bytes, expected {} times of 8 bytes", bytes.size(),
                                         count));
  }
  static_assert(sizeof(double) == 8, "IEEE 754 binary64 doubles");
  std::vector<double> times(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < times.size(); ++i) {
    std::uint64_t bits = 0;
    for (int b = 7; b >= 0; --b) bits = (bits << 8) | static_cast<unsigned char>(bytes[i * 8 + static_cast<std::size_t>(b)]);
    std::memcpy(&times[i], &bits, sizeof bits);
    if (!(times[i] >= 0 && std::isfinite(times[i]))) {
      throw std::runtime_error(fmt::format("request times file: time {} is not a finite number >= 0", i));
    }
  }
  return times;
}

std::string encode_request_times(const std::vector<double>& seconds) {
  std::string bytes(seconds.size() * 8, '\0');
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &seconds[i], sizeof bits);
    for (int b = 0; b < 8; ++b) bytes[i * 8 + static_cast<std::size_t>(b)] = static_cast<char>((bits >> (8 * b)) & 0xFF);
  }
  return bytes;
}

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
          {"measurement", result.measurement ? encode_raw(*result.measurement) : nlohmann::json(nullptr)},
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
    result.measurement = decode_raw(fields.object("measurement"));
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
