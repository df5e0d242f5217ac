// The `models:` section of a sweep.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config_files.hpp"
#include "config_sweep_sections.hpp"

namespace dli::config_yaml {
namespace {

const std::vector<std::string> kModelKeys = {"name", "file", "config", "format", "input_shape", "precision"};
const std::vector<std::string> kFormats = {"onnx", "caffe", "tensorflow", "torchscript"};
const std::vector<std::string> kPrecisions = {"fp32", "fp16", "int8"};

// Resolved path of a file the model needs, or empty when it is missing or unusable (reported).
std::string read_input_file(const Field& field, const std::string& base_folder, Problems& problems) {
  const auto text = read_string(field, problems);
  if (!text) return "";
  const std::string path = config_files::resolve(*text, base_folder);
  if (const auto problem = config_files::input_file_problem(path)) {
    problems.add(field, *problem);
    return "";
  }
  return path;
}

std::vector<int64_t> read_shape(const Field& field, Problems& problems) {
  std::vector<int64_t> shape;
  const auto dimensions = read_list(field, problems, "dimensions (without the batch), e.g. [3, 224, 224]");
  if (!dimensions) return shape;
  for (const auto& dimension : *dimensions) {
    if (const auto size = read_integer(dimension, problems, {1, kNoMax})) shape.push_back(*size);
  }
  return shape;
}

void read_model(const Field& item, const std::string& base_folder, UniqueNames& names,
                std::vector<ModelConfig>& models, Problems& problems) {
  MapReader entry(item, problems, "a map describing a model (" + join(kModelKeys) + ")");
  if (!entry.is_map()) return;
  entry.reject_unknown_keys(kModelKeys);
  ModelConfig model;
  std::optional<Field> name_field;
  if (const auto value = entry.required("name")) {
    if (const auto name = read_name(*value, problems)) {
      model.name = *name;
      name_field = *value;
    }
  }
  if (const auto value = entry.required("file")) model.file = read_input_file(*value, base_folder, problems);
  if (const auto value = entry.optional("config")) model.config = read_input_file(*value, base_folder, problems);
  if (const auto value = entry.required("format")) {
    if (const auto format = read_choice(*value, problems, kFormats)) model.format = *format;
  }
  // One model may come in several formats (ONNX for one framework, TorchScript for another): one row per
  // framework in the table. The same name twice in one format is a slip.
  if (name_field && !model.format.empty()) names.add(model.name + " in format " + model.format, *name_field, problems);
  if (model.format == "caffe" && !entry.optional("config")) {
    problems.add(item.mark, key_path(item.path, "config"),
                 "format 'caffe' needs 'config': the .prototxt file describing the network");
  }
  if (const auto value = entry.required("input_shape")) model.input_shape = read_shape(*value, problems);
  if (const auto value = entry.optional("precision")) {
    if (const auto precision = read_choice(*value, problems, kPrecisions)) model.precision = *precision;
  }
  models.push_back(std::move(model));
}

}  // namespace

std::vector<ModelConfig> read_models(const Field& field, const std::string& base_folder, Problems& problems) {
  std::vector<ModelConfig> models;
  const auto items = read_list(field, problems, "models");
  if (!items) return models;
  UniqueNames names("model");
  for (const auto& item : *items) read_model(item, base_folder, names, models, problems);
  return models;
}

}  // namespace dli::config_yaml
