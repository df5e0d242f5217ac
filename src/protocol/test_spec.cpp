// Identity and label of a planned test.
#include "dli/protocol/test_spec.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "dli/util/sha256.hpp"

namespace dli {

std::string to_string(Mode mode) {
  switch (mode) {
    case Mode::kSync: return "sync";
    case Mode::kAsync: return "async";
    case Mode::kAccuracy: return "accuracy";
  }
  return "sync";
}

Mode mode_from_string(const std::string& text) {
  if (text == "sync") return Mode::kSync;
  if (text == "async") return Mode::kAsync;
  if (text == "accuracy") return Mode::kAccuracy;
  throw std::invalid_argument("mode must be sync, async or accuracy, got '" + text + "'");
}

// Compact JSON: nlohmann's objects keep keys sorted, so the text depends only on the values.
// Left out: the host (the same test on two hosts must share an id to be compared), the model hashes (the file name
// and model settings name the test; contents are checked by the store), and the timeout and memory limit, which are
// watchdogs rather than measurement settings (the timeout is capped per host by limits.test_timeout).
std::string canonical_spec(const TestSpec& spec) {
  const nlohmann::json model = {
      {"name", spec.model.name},
      {"format", spec.model.format},
      {"precision", spec.model.precision},
      {"input_shape", spec.model.input_shape},
      {"file_name", spec.model.file_name},
      {"config_name", spec.model.config_name},
  };
  const nlohmann::json measure = {
      {"iterations", spec.measure.iterations},
      {"min_seconds", spec.measure.min_seconds},
      {"warmup_iterations", spec.measure.warmup_iterations},
      {"warmup_seconds", spec.measure.warmup_seconds},
  };
  const nlohmann::json identity = {
      {"model", model},       {"framework", spec.framework}, {"params", spec.params},
      {"batch", spec.batch},  {"mode", to_string(spec.mode)}, {"threads", spec.threads},
      {"requests", spec.requests}, {"device", spec.device}, {"dataset", spec.dataset.name},
      {"measure", measure},
  };
  // Replace rather than throw on invalid UTF-8 in free-form params: an id must always be computable.
  return identity.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string test_id(const TestSpec& spec) { return sha256_hex(canonical_spec(spec)).substr(0, 16); }

std::string test_label(const TestSpec& spec) {
  std::string label = spec.model.name + "/" + spec.framework + "/b" + std::to_string(spec.batch) + "/" +
                      to_string(spec.mode) + "/t" + std::to_string(spec.threads);
  if (spec.mode == Mode::kAsync) label += "/r" + std::to_string(spec.requests);
  if (spec.device != "cpu") label += "/" + spec.device;
  return label;
}

}  // namespace dli
