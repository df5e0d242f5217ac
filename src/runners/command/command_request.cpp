#include "command_request.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "dli/protocol/dataset.hpp"
#include "dli/protocol/runner_catalogue.hpp"
#include "dli/protocol/thread_share.hpp"

namespace dli::command_runner {

namespace {

using Json = nlohmann::json;

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

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text;
  for (const auto dim : shape) text += (text.empty() ? "" : ",") + std::to_string(dim);
  return text;
}

// The decoder reads a null duration as NaN: not a number a command can be given.
double seconds(double value, const std::string& name) {
  if (!std::isfinite(value)) throw BadRequest("the request's spec.measure." + name + " is not a number");
  return value;
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
  RunnerDescription runner;
  runner.devices = offered;
  return offers_device(runner, device) || (device.rfind("cuda:", 0) == 0 && contains(offered, "cuda"));
}

std::int64_t dataset_samples(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  unsigned char size[4] = {};
  if (!in.read(magic, 8) || std::string(magic, 8) != "DLIDATA1" || !in.read(reinterpret_cast<char*>(size), 4)) {
    return -1;
  }
  const std::uint32_t length = size[0] | (size[1] << 8) | (size[2] << 16) | (std::uint32_t(size[3]) << 24);
  if (length > kMaxPackedHeaderBytes) return -1;
  std::string header(length, '\0');
  if (!in.read(header.data(), length)) return -1;
  const Json parsed = Json::parse(header, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("count") || !parsed["count"].is_number_integer()) return -1;
  return parsed["count"].get<std::int64_t>();
}

std::string decimal(double value) {
  char text[64];
  const auto written = std::to_chars(text, text + sizeof text, value);
  return std::string(text, written.ptr);
}

CommandTest read_request(const Json& json, const std::string& request_path, const std::string& result_path) {
  const RunnerRequest request = runner_request_from_json(json);
  const TestSpec& spec = request.spec;
  if (spec.framework != "command") {
    throw BadRequest("dli-run-command runs framework command, not '" + spec.framework + "'");
  }

  CommandTest test;
  const auto command = spec.params.find("command");
  test.pattern = command == spec.params.end() ? "" : command->second;
  if (test.pattern.find_first_not_of(" \t\n") == std::string::npos) {
    throw BadRequest("parameter 'command' is required: the command line to run");
  }
  const RunnerEntry& entry = *find_runner_entry("command");
  const auto problems = check_params(entry, spec.params);
  if (!problems.empty()) throw BadRequest(problems.front());

  const std::string& format = spec.model.format;
  const std::string& device = spec.device;
  RunnerDescription offered;
  offered.formats = formats_for(entry, spec.params);
  if (!offers_format(offered, format)) {
    throw NotOffered("the command does not take format " + format + " (its formats: " + joined(offered.formats) +
                     ")");
  }
  const auto devices = spec.params.find("devices");
  if (devices != spec.params.end() && !device_offered(split_list(devices->second), device)) {
    throw NotOffered("the command does not run on device " + device +
                     " (its devices: " + joined(split_list(devices->second)) + ")");
  }

  test.expected.mode = spec.mode;
  test.expected.batch = spec.batch;
  test.expected.min_iterations = spec.measure.iterations;
  test.expected.min_seconds = seconds(spec.measure.min_seconds, "min_s");
  if (spec.mode == Mode::kAccuracy && !request.dataset_path.empty()) {
    test.expected.samples = dataset_samples(request.dataset_path);
  }

  // The command's tool does its own threading; dli divides the total as for every framework and hands the share
  // over as {threads_per_request}, refusing a division with a remainder as the planner does.
  const int in_flight = requests_in_flight(spec.mode, spec.requests);
  if (const auto why = why_share_impossible(spec.threads, in_flight)) throw NotOffered("command: " + *why);

  test.values = {
      {"model", request.model_path},
      {"config", request.config_path},
      {"dataset", request.dataset_path},
      {"batch", std::to_string(spec.batch)},
      {"threads", std::to_string(spec.threads)},
      {"requests", std::to_string(spec.requests)},
      {"threads_per_request", std::to_string(spec.threads / in_flight)},
      {"device", device},
      {"mode", to_string(spec.mode)},
      {"format", format},
      {"precision", spec.model.precision},
      {"input_shape", shape_text(spec.model.input_shape)},
      {"iterations", std::to_string(spec.measure.iterations)},
      {"min_s", decimal(test.expected.min_seconds)},
      {"warmup_iterations", std::to_string(spec.measure.warmup_iterations)},
      {"warmup_s", decimal(seconds(spec.measure.warmup_seconds, "warmup_s"))},
      {"request", request_path},
      {"result", result_path},
  };
  return test;
}

}  // namespace dli::command_runner
