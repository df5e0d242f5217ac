// Plan-time operation counts: which ONNX file stands for each model, and the count in each test's spec.
#include "dli/integrator/model_ops.hpp"

#include <map>
#include <utility>

namespace dli {

std::optional<std::size_t> onnx_source(const std::vector<ModelConfig>& models, std::size_t index) {
  const ModelConfig& model = models.at(index);
  if (model.format == "onnx") return index;
  // Only the same network at the same input size has the same count; anything else would be a guess.
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (models[i].format == "onnx" && models[i].name == model.name && models[i].input_shape == model.input_shape) {
      return i;
    }
  }
  return std::nullopt;
}

std::vector<ModelMacs> count_model_ops(const std::vector<ModelConfig>& models) {
  std::map<std::pair<std::string, Dims>, ModelMacs> counted;
  std::vector<ModelMacs> counts;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto source = onnx_source(models, i);
    if (!source) {
      counts.push_back({std::nullopt, "no ONNX file of " + models[i].name + " in the sweep"});
      continue;
    }
    const ModelConfig& onnx = models[*source];
    const auto key = std::make_pair(onnx.file, onnx.input_shape);
    auto found = counted.find(key);
    if (found == counted.end()) found = counted.emplace(key, count_onnx_macs(onnx.file, onnx.input_shape)).first;
    counts.push_back(found->second);
  }
  return counts;
}

void annotate_macs(std::vector<HostPlan>& hosts, const std::vector<ModelConfig>& models,
                   const std::vector<ModelMacs>& counts) {
  std::map<std::pair<std::string, std::string>, std::optional<std::int64_t>> by_model;
  for (std::size_t i = 0; i < models.size() && i < counts.size(); ++i) {
    by_model[{models[i].name, models[i].format}] = counts[i].macs;
  }
  for (auto& host : hosts) {
    for (auto& test : host.tests) {
      const auto found = by_model.find({test.model.name, test.model.format});
      test.model.macs = found == by_model.end() ? std::nullopt : found->second;
    }
  }
}

}  // namespace dli
