#include "command_request.hpp"

#include <fstream>
#include <sstream>

namespace dli::command_runner {

namespace {

using Json = nlohmann::json;

constexpr int kRunnerProtocol = 1;
const char* const kParams[] = {"command", "formats", "devices"};

const Json& field(const Json& object, const std::string& key, const std::string& path) {
  if (!object.is_object() || !object.contains(key)) throw BadRequest("the request has no " + path + key);
  return object.at(key);
}
std::string text_field(const Json& object, const std::string& key, const std::string& path) {
  const Json& value = field(object, key, path);
  if (!value.is_string()) throw BadRequest("the request's " + path + key + " is not a string");
  return value.get<std::string>();
}
std::int64_t integer_field(const Json& object, const std::string& key, const std::string& path) {
  const Json& value = field(object, key, path);
  if (!value.is_number_integer()) throw BadRequest("the request's " + path + key + " is not an integer");
  return value.get<std::int64_t>();
}
double number_field(const Json& object, const std::string& key, const std::string& path) {
  const Json& value = field(object, key, path);
  if (!value.is_number()) throw BadRequest("the request's " + path + key + " is not a number");
  return value.get<double>();
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

bool contains(const std::vector<std::string>& items, const std::string& wanted) {
  for (const auto& item : items) {
    if (item == wanted) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    items.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
  }
  return items;
}

bool device_offered(const std::vector<std::string>& offered, const std::string& device) {
  if (contains(offered, "*") || contains(offered, device)) return true;
  if (device == "cuda") {
    for (const auto& item : offered) {
      if (item.rfind("cuda:", 0) == 0) return true;
    }
  }
  return device.rfind("cuda:", 0) == 0 && contains(offered, "cuda");
}

std::int64_t dataset_samples(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  unsigned char size[4] = {};
  if (!in.read(magic, 8) || std::string(magic, 8) != "DLIDATA1" || !in.read(reinterpret_cast<char*>(size), 4)) {
    return -1;
  }
  const std::uint32_t length = size[0] | (size[1] << 8) | (size[2] << 16) | (std::uint32_t(size[3]) << 24);
  if (length > (1u << 20)) return -1;
  std::string header(length, '\0');
  if (!in.read(header.data(), length)) return -1;
  const Json parsed = Json::parse(header, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("count") || !parsed["count"].is_number_integer()) return -1;
  return parsed["count"].get<std::int64_t>();
}

CommandTest read_request(const Json& request, const std::string& request_path, const std::string& result_path) {
  if (!request.is_object()) throw BadRequest("the request is not a JSON object");
  const Json& version = field(request, "runner_protocol", "");
  if (!version.is_number_integer() || version.get<std::int64_t>() != kRunnerProtocol) {
    throw BadRequest("the request speaks runner protocol " + version.dump() + "; dli-run-command speaks " +
                     std::to_string(kRunnerProtocol));
  }
  const Json& spec = field(request, "spec", "");
  const std::string framework = text_field(spec, "framework", "spec.");
  if (framework != "command") throw BadRequest("dli-run-command runs framework command, not '" + framework + "'");

  const Json& params = field(spec, "params", "spec.");
  if (!params.is_object()) throw BadRequest("the request's spec.params is not an object");
  for (const auto& [name, value] : params.items()) {
    bool known = false;
    for (const char* each : kParams) known = known || name == each;
    if (!known) throw BadRequest("unknown parameter '" + name + "' (known: command, formats, devices)");
    if (!value.is_string()) throw BadRequest("parameter '" + name + "' is not a string");
  }
  CommandTest test;
  test.pattern = params.value("command", "");
  if (test.pattern.find_first_not_of(" \t\n") == std::string::npos) {
    throw BadRequest("parameter 'command' is required: the command line to run");
  }

  const Json& model = field(spec, "model", "spec.");
  const std::string format = text_field(model, "format", "spec.model.");
  const std::string device = spec.contains("device") ? text_field(spec, "device", "spec.") : "cpu";
  const std::string mode = text_field(spec, "mode", "spec.");
  if (mode != "sync" && mode != "async" && mode != "accuracy") {
    throw BadRequest("the request's spec.mode is '" + mode + "' (sync, async or accuracy)");
  }
  if (params.contains("formats")) {
    const auto formats = split_list(params["formats"].get<std::string>());
    if (!contains(formats, "*") && !contains(formats, format)) {
      throw NotOffered("the command does not take format " + format + " (its formats: " + joined(formats) + ")");
    }
  }
  if (params.contains("devices")) {
    const auto devices = split_list(params["devices"].get<std::string>());
    if (!device_offered(devices, device)) {
      throw NotOffered("the command does not run on device " + device + " (its devices: " + joined(devices) + ")");
    }
  }

  const Json& measure = field(spec, "measure", "spec.");
  std::string shape;
  const Json& input_shape = field(model, "input_shape", "spec.model.");
  if (!input_shape.is_array()) throw BadRequest("the request's spec.model.input_shape is not an array");
  for (const auto& dim : input_shape) {
    if (!dim.is_number_integer()) throw BadRequest("the request's spec.model.input_shape is not all integers");
    shape += (shape.empty() ? "" : ",") + std::to_string(dim.get<std::int64_t>());
  }

  test.expected.mode = mode;
  test.expected.batch = integer_field(spec, "batch", "spec.");
  test.expected.min_iterations = integer_field(measure, "iterations", "spec.measure.");
  test.expected.min_seconds = number_field(measure, "min_s", "spec.measure.");
  const std::string dataset = request.contains("dataset_path") ? text_field(request, "dataset_path", "") : "";
  if (mode == "accuracy" && !dataset.empty()) test.expected.samples = dataset_samples(dataset);

  test.values = {
      {"model", text_field(request, "model_path", "")},
      {"config", request.contains("config_path") ? text_field(request, "config_path", "") : ""},
      {"dataset", dataset},
      {"batch", std::to_string(test.expected.batch)},
      {"threads", std::to_string(integer_field(spec, "threads", "spec."))},
      {"requests", std::to_string(integer_field(spec, "requests", "spec."))},
      {"device", device},
      {"mode", mode},
      {"format", format},
      {"precision", model.contains("precision") ? text_field(model, "precision", "spec.model.") : "fp32"},
      {"input_shape", shape},
      {"iterations", std::to_string(test.expected.min_iterations)},
      {"min_s", measure.at("min_s").dump()},
      {"warmup_iterations", std::to_string(integer_field(measure, "warmup_iterations", "spec.measure."))},
      {"warmup_s", measure.contains("warmup_s") ? field(measure, "warmup_s", "").dump() : "0"},
      {"request", request_path},
      {"result", result_path},
  };
  return test;
}

}  // namespace dli::command_runner
