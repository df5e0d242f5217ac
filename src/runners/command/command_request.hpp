#pragma once
// The request of dli-run-command (docs/runners.md 3.1, docs/command-runner.md): what to run and what to expect.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "result_check.hpp"

namespace dli::command_runner {

// A request this runner cannot run as asked: recorded `failed` with this reason.
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The command cannot do what the test asks (its `formats`/`devices` params): recorded `unsupported`.
struct NotOffered : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CommandTest {
  std::string pattern;                        // params.command
  std::map<std::string, std::string> values;  // each placeholder's value, unquoted
  Expected expected;                          // what the command's result must agree with
};

// Decodes the request (runner_request_from_json, which throws std::runtime_error for a malformed one), checks what
// is the command runner's own (framework, params, the command's formats and devices) and gathers the placeholders'
// values; `request_path` and `result_path` are absolute. Throws NotOffered or BadRequest.
CommandTest read_request(const nlohmann::json& request, const std::string& request_path,
                         const std::string& result_path);

// "a, b,,c " -> {"a", "b", "c"}
std::vector<std::string> split_list(const std::string& text);

// As describe's rule (docs/runners.md 2): `offered` holds `device`, or `*`, or a cuda:N when `device` is cuda; and
// `cuda` in `offered` offers every cuda:N.
bool device_offered(const std::vector<std::string>& offered, const std::string& device);

// Samples in a packed dataset (docs/runners.md 5), -1 when its header cannot be read.
std::int64_t dataset_samples(const std::string& path);

// `value` as the shortest decimal that reads back as the same double: 0.2 -> "0.2", 1.0 -> "1", 0 -> "0".
std::string decimal(double value);

}  // namespace dli::command_runner
