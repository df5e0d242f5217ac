#pragma once
// Operation counts of a sweep's models, computed at plan time where the model files are (docs/methodology.md,
// "Operation count"), and carried to every test in its spec (`model.macs`, docs/protocol.md 4.1).
#include <cstddef>
#include <optional>
#include <vector>

#include "dli/config/config.hpp"
#include "dli/integrator/matrix.hpp"
#include "dli/opcount/onnx_ops.hpp"

namespace dli {

// The model whose ONNX graph is counted for models[index]: itself when it is ONNX, else the ONNX entry of the
// same name and input shape (the same network in another format); std::nullopt when the sweep has none.
std::optional<std::size_t> onnx_source(const std::vector<ModelConfig>& models, std::size_t index);

// One count per model of the sweep, in its order; each ONNX file and input shape is read once. Reads files.
std::vector<ModelMacs> count_model_ops(const std::vector<ModelConfig>& models);

// Sets `model.macs` of every planned test from its model's count (a model is its name and format).
void annotate_macs(std::vector<HostPlan>& hosts, const std::vector<ModelConfig>& models,
                   const std::vector<ModelMacs>& counts);

}  // namespace dli
