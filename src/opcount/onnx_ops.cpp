// Reading an ONNX file into OpNodes: protobuf parse, the input fixed to batch 1, ONNX's shape inference.
#include "dli/opcount/onnx_ops.hpp"

#include <fstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

namespace dli {

namespace {

std::optional<Dims> shape_of(const onnx::TypeProto& type) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return std::nullopt;
  Dims dims;
  for (const auto& dim : type.tensor_type().shape().dim()) dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  return dims;
}

}  // namespace

std::vector<OpNode> read_onnx_nodes(const std::string& path, const Dims& input_shape) {
  onnx::ModelProto model;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot open");
    if (!model.ParseFromIstream(&in)) throw std::runtime_error(path + ": not an ONNX model (protobuf parse failed)");
  }
  onnx::GraphProto* graph = model.mutable_graph();
  std::unordered_set<std::string> weights;
  for (const auto& initializer : graph->initializer()) weights.insert(initializer.name());
  onnx::ValueInfoProto* data = nullptr;
  for (auto& input : *graph->mutable_input()) {
    if (weights.count(input.name()) == 0) {
      data = &input;
      break;
    }
  }
  if (data == nullptr) throw std::runtime_error(path + ": the graph has no input to feed");
  // Batch 1 and the sweep's input shape: the file may leave them symbolic (dynamic axes) or differ.
  auto* shape = data->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->clear_dim();
  shape->add_dim()->set_dim_value(1);
  for (const std::int64_t dim : input_shape) shape->add_dim()->set_dim_value(dim);
  // Shapes stored by the exporter were computed for its own input; infer them all again from ours.
  graph->clear_value_info();
  for (auto& output : *graph->mutable_output()) output.mutable_type()->mutable_tensor_type()->clear_shape();
  onnx::ShapeInferenceOptions options{false, 0, true};  // no type checks, node errors tolerated, data propagation
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& error) {
    throw std::runtime_error(path + ": shape inference failed: " + error.what());
  }

  std::unordered_map<std::string, std::optional<Dims>> shapes;
  for (const auto& initializer : graph->initializer()) {
    shapes[initializer.name()] = Dims(initializer.dims().begin(), initializer.dims().end());
  }
  for (const auto* infos : {&graph->input(), &graph->value_info(), &graph->output()}) {
    for (const auto& info : *infos) {
      if (weights.count(info.name()) == 0) shapes[info.name()] = shape_of(info.type());
    }
  }
  const auto lookup = [&](const std::string& name) -> std::optional<Dims> {
    const auto found = shapes.find(name);
    return found == shapes.end() ? std::nullopt : found->second;
  };
  std::vector<OpNode> nodes;
  nodes.reserve(static_cast<std::size_t>(graph->node_size()));
  for (const auto& proto : graph->node()) {
    OpNode node;
    node.name = proto.name().empty() ? (proto.output_size() > 0 ? proto.output(0) : "") : proto.name();
    node.op_type = proto.op_type();
    for (const auto& name : proto.input()) node.inputs.push_back(lookup(name));
    for (const auto& name : proto.output()) node.outputs.push_back(lookup(name));
    for (const auto& attribute : proto.attribute()) {
      if (attribute.name() == "transA") node.trans_a = attribute.i() != 0;
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

ModelMacs count_onnx_macs(const std::string& path, const Dims& input_shape) {
  try {
    const OpCount count = count_macs(read_onnx_nodes(path, input_shape));
    if (!count.complete()) {
      // A few names say where inference stopped; a model with thousands of nodes must not flood the plan.
      constexpr std::size_t kNamed = 5;
      std::string names;
      for (std::size_t i = 0; i < count.unknown.size() && i < kNamed; ++i) names += (i ? ", " : "") + count.unknown[i];
      if (count.unknown.size() > kNamed) names += " and " + std::to_string(count.unknown.size() - kNamed) + " more";
      return {std::nullopt, "shapes not inferred for " + names};
    }
    return {count.macs, ""};
  } catch (const std::exception& error) {
    return {std::nullopt, error.what()};
  }
}

}  // namespace dli
