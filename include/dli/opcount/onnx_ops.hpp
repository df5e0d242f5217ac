#pragma once
// The operation count of an ONNX model file (docs/methodology.md, "Operation count"): ONNX's own shape inference
// (libonnx) at batch 1, then count_macs over the main graph's nodes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dli/opcount/op_count.hpp"

namespace dli {

// The main graph's nodes with their inferred shapes, the first graph input (not an initializer) fixed to
// [1, input_shape...]. Subgraphs (If, Loop, Scan) are not entered. Throws std::runtime_error naming the file when
// it cannot be read or parsed, or when the graph has no input to fix.
std::vector<OpNode> read_onnx_nodes(const std::string& path, const Dims& input_shape);

// Multiply-accumulates of one sample, or why the count is unknown.
struct ModelMacs {
  std::optional<std::int64_t> macs;
  std::string reason;  // empty when known
};

// Never throws: an unreadable file or a counted node of unknown shape gives an unknown count with the reason.
ModelMacs count_onnx_macs(const std::string& path, const Dims& input_shape);

}  // namespace dli
