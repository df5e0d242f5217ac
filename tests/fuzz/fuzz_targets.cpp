// The fuzz targets' entry functions (tests/fuzz/fuzz_targets.hpp).
#include "fuzz_targets.hpp"

#include <cstdlib>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "dli/config/config.hpp"
#include "dli/config/config_limits.hpp"
#include "dli/config/lab.hpp"
#include "dli/protocol/dataset.hpp"
#include "dli/protocol/protocol.hpp"
#include "dli/protocol/runner_protocol.hpp"

namespace dli::fuzz {
namespace {

// Relative paths in a fuzzed file resolve inside a folder that does not exist, so nothing is read but the input.
const std::string kConfigPath = "/nonexistent-dli-fuzz/config.yaml";

std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "dli fuzz finding: %s\n", what.c_str());
  std::abort();
}

// A refused config must say why, within the diagnostics limit, each with a message.
void check_refusal(const ConfigError& error) {
  const auto& diagnostics = error.diagnostics();
  if (diagnostics.empty()) finding("ConfigError without diagnostics");
  if (diagnostics.size() > config_limits::kMaxDiagnostics + 1) finding("more diagnostics than the limit");
  for (const auto& diagnostic : diagnostics) {
    if (diagnostic.message.empty()) finding("a diagnostic without a message: " + diagnostic.str());
  }
}

void sweep(const std::uint8_t* data, std::size_t size) {
  try {
    const SweepConfig config = parse_sweep(text_of(data, size), kConfigPath);
    (void)max_tests_per_host(config);
  } catch (const ConfigError& error) {
    check_refusal(error);
  }
}

void fleet(const std::uint8_t* data, std::size_t size) {
  try {
    parse_fleet(text_of(data, size), kConfigPath);
  } catch (const ConfigError& error) {
    check_refusal(error);
  }
}

// The lab file of `daemon` (its schedules, time zones and locations; the fleet and sweeps it names are not there).
void lab(const std::uint8_t* data, std::size_t size) {
  try {
    parse_lab(text_of(data, size), kConfigPath);
  } catch (const ConfigError& error) {
    check_refusal(error);
  }
}

// Store documents: JSON text, then the decoder. Text that is not JSON (nlohmann's exceptions: a syntax error, a number
// beyond a double such as 1e999) and documents the decoder refuses (std::runtime_error, std::invalid_argument, as
// documented in protocol.hpp) are expected, and every reader in dli catches them; any other exception from a decoder
// escapes and is a finding.
template <class Decode>
void json_document(const std::uint8_t* data, std::size_t size, Decode decode) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return;
  }
  try {
    decode(json);
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
}

// The quick reader collect uses (protocol.hpp) must read a document exactly as the usual one does, or decline it:
// whatever it accepts, nlohmann's reader and the same decoder accept too, with the same value.
template <class Quick, class Usual>
void same_as_usual(const std::uint8_t* data, std::size_t size, Quick quick, Usual usual, const char* what) {
  const std::string text = text_of(data, size);
  const auto fast = quick(text);
  if (!fast) return;
  try {
    if (to_json(*fast).dump() != to_json(usual(nlohmann::json::parse(text))).dump()) {
      finding(std::string("the quick reader read another ") + what + " than the usual one");
    }
  } catch (const std::exception& error) {
    finding(std::string("the quick reader accepted a ") + what + " the usual one refuses: " + error.what());
  }
}

void task_list(const std::uint8_t* data, std::size_t size) {
  json_document(data, size, [](const nlohmann::json& json) { task_list_from_json(json); });
  same_as_usual(data, size, quick_task_list, task_list_from_json, "task list");
}

void result(const std::uint8_t* data, std::size_t size) {
  json_document(data, size, [](const nlohmann::json& json) { test_result_from_json(json); });
  same_as_usual(data, size, quick_test_result, test_result_from_json, "result");
}

void status(const std::uint8_t* data, std::size_t size) {
  json_document(data, size, [](const nlohmann::json& json) { host_status_from_json(json); });
}

void runner_result(const std::uint8_t* data, std::size_t size) {
  for (const Mode mode : {Mode::kSync, Mode::kAccuracy}) {
    json_document(data, size, [mode](const nlohmann::json& json) { runner_result_from_json(json, mode); });
  }
}

void dataset(const std::uint8_t* data, std::size_t size) {
  try {
    const Dataset unpacked = unpack_dataset(text_of(data, size));
    // Whatever unpacks packs again (a header may be spelt another way; its content may not change).
    if (!(unpack_dataset(pack_dataset(unpacked)) == unpacked)) finding("pack then unpack changed the dataset");
  } catch (const std::runtime_error&) {
  }
}

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"sweep", sweep},   {"fleet", fleet},   {"task_list", task_list},         {"result", result},
      {"status", status}, {"runner_result", runner_result}, {"dataset", dataset}, {"lab", lab},
  };
  return all;
}

const Target* find_target(const std::string& name) {
  for (const auto& target : targets()) {
    if (target.name == name) return &target;
  }
  return nullptr;
}

}  // namespace dli::fuzz
