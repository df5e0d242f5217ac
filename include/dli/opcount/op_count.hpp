#pragma once
// Operation count of a network from the shapes of its nodes (docs/methodology.md, "Operation count").
// Pure: the graph comes in as plain node descriptions, so counting is testable without any model file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dli {

// A dimension that shape inference could not fix (symbolic or absent) is written as -1.
using Dims = std::vector<std::int64_t>;

// What counting needs of one node: its operator, the shapes of its inputs and outputs (in the node's order;
// a shape that is not known is std::nullopt), and the attributes that change the arithmetic.
struct OpNode {
  std::string name;     // for messages
  std::string op_type;  // ONNX operator: Conv, ConvTranspose, Gemm, MatMul, ...
  std::vector<std::optional<Dims>> inputs;
  std::vector<std::optional<Dims>> outputs;
  bool trans_a = false;  // Gemm's transA
};

// True for the operators whose multiply-accumulates are counted; every other operator counts 0.
bool counts_macs(const std::string& op_type);

// Multiply-accumulates of one node: Conv prod(Y) x prod(W[1:]) (W[1] is C/group, so groups and depthwise are
// covered), ConvTranspose prod(X) x prod(W[1:]), Gemm and MatMul prod(Y) x K. 0 for operators that are not
// counted; std::nullopt when a shape it needs is unknown (never guessed).
std::optional<std::int64_t> node_macs(const OpNode& node);

struct OpCount {
  std::int64_t macs = 0;      // sum over the counted nodes whose shapes are known
  int counted_nodes = 0;      // nodes of a counted operator
  std::vector<std::string> unknown;  // "name (op_type)" of counted nodes whose shapes were not known
  bool complete() const { return unknown.empty(); }
};

OpCount count_macs(const std::vector<OpNode>& nodes);

}  // namespace dli
