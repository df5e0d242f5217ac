// `capacity:` of a sweep: the capacity questions every page of its runs answers (docs/config.md).
#include <unordered_set>

#include "config_spelling.hpp"
#include "config_sweep_sections.hpp"

namespace dli::config_yaml {

namespace {

const std::vector<std::string> kCapacityKeys = {"model", "streams", "fps", "p99_ms"};
constexpr IntRange kStreamRange{1, 1000000};
const NumberRange kFpsRange{0, true, 1e6, nullptr};
const NumberRange kLatencyRange{0, true, 3.6e6, "an hour"};

}  // namespace

std::vector<CapacityQuestion> read_capacity(const Field& field, const std::vector<ModelConfig>& models,
                                            Problems& problems) {
  std::vector<CapacityQuestion> questions;
  const auto items = read_list(field, problems, "capacity questions {model, streams, fps, p99_ms}");
  if (!items) return questions;
  std::vector<std::string> model_names;  // for suggestions
  std::unordered_set<std::string> known_models;
  for (const auto& model : models) {
    if (known_models.insert(model.name).second) model_names.push_back(model.name);
  }
  for (const auto& item : *items) {
    MapReader entry(item, problems, "a map {model: NAME, streams: N, fps: F, p99_ms: L}");
    if (!entry.is_map()) continue;
    entry.reject_unknown_keys(kCapacityKeys);
    CapacityQuestion question;
    bool valid = true;
    if (const auto value = entry.required("model")) {
      const auto name = read_name(*value, problems);
      if (name && known_models.count(*name) == 0) {
        problems.add(*value,
                     "unknown model '" + *name + "' " + suggestion_note(*name, model_names, "models of this sweep"));
      }
      valid = name && known_models.count(*name) > 0;
      if (valid) question.model = *name;
    } else {
      valid = false;
    }
    if (const auto value = entry.required("streams")) {
      const auto streams = read_integer(*value, problems, kStreamRange);
      valid = valid && streams.has_value();
      if (streams) question.streams = static_cast<int>(*streams);
    } else {
      valid = false;
    }
    if (const auto value = entry.required("fps")) {
      const auto fps = read_number(*value, problems, kFpsRange);
      valid = valid && fps.has_value();
      if (fps) question.fps_per_stream = *fps;
    } else {
      valid = false;
    }
    if (const auto value = entry.optional("p99_ms")) {
      const auto p99_ms = read_number(*value, problems, kLatencyRange);
      valid = valid && p99_ms.has_value();
      if (p99_ms) question.p99_s = *p99_ms / 1e3;
    }
    if (valid) questions.push_back(question);
  }
  return questions;
}

}  // namespace dli::config_yaml
