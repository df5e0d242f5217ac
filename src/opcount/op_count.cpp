// Multiply-accumulate counts from node shapes: the definitions of docs/methodology.md, "Operation count".
#include "dli/opcount/op_count.hpp"

namespace dli {

namespace {

bool known(const std::optional<Dims>& shape) {
  if (!shape) return false;
  for (const std::int64_t dim : *shape) {
    if (dim < 0) return false;
  }
  return true;
}

// Product of shape[from:]; 1 for an empty range (a scalar has one element).
std::int64_t product(const Dims& shape, std::size_t from = 0) {
  std::int64_t total = 1;
  for (std::size_t i = from; i < shape.size(); ++i) total *= shape[i];
  return total;
}

const std::optional<Dims>* input(const OpNode& node, std::size_t index) {
  return index < node.inputs.size() ? &node.inputs[index] : nullptr;
}

const std::optional<Dims>* output(const OpNode& node, std::size_t index) {
  return index < node.outputs.size() ? &node.outputs[index] : nullptr;
}

bool all_known(std::initializer_list<const std::optional<Dims>*> shapes) {
  for (const auto* shape : shapes) {
    if (shape == nullptr || !known(*shape)) return false;
  }
  return true;
}

}  // namespace

bool counts_macs(const std::string& op_type) {
  return op_type == "Conv" || op_type == "ConvTranspose" || op_type == "Gemm" || op_type == "MatMul";
}

std::optional<std::int64_t> node_macs(const OpNode& node) {
  if (!counts_macs(node.op_type)) return 0;
  const auto* x = input(node, 0);
  const auto* w = input(node, 1);
  const auto* y = output(node, 0);
  if (node.op_type == "Conv") {
    // Each output element sums C/group x kernel products: exactly the weight's elements past its first dimension.
    if (!all_known({y, w}) || (*w)->empty()) return std::nullopt;
    return product(**y) * product(**w, 1);
  }
  if (node.op_type == "ConvTranspose") {
    // The transpose scatters each input element through M/group x kernel weights (W is C x M/group x k...).
    if (!all_known({x, w}) || (*w)->empty()) return std::nullopt;
    return product(**x) * product(**w, 1);
  }
  // Gemm and MatMul: each output element is a dot product of length K, A's reduced dimension.
  if (!all_known({x, y}) || (*x)->empty()) return std::nullopt;
  const Dims& a = **x;
  std::int64_t k = a.back();
  if (node.op_type == "Gemm") {
    if (a.size() != 2) return std::nullopt;
    k = node.trans_a ? a[0] : a[1];
  }
  return product(**y) * k;
}

OpCount count_macs(const std::vector<OpNode>& nodes) {
  OpCount count;
  for (const OpNode& node : nodes) {
    if (!counts_macs(node.op_type)) continue;
    ++count.counted_nodes;
    if (const auto macs = node_macs(node)) {
      count.macs += *macs;
    } else {
      count.unknown.push_back(node.name + " (" + node.op_type + ")");
    }
  }
  return count;
}

}  // namespace dli
