// Operation counts read from ONNX files: a tiny graph written here (figures by hand), and the generated
// mobilenet_v2 and resnet50 against their published multiply-accumulate counts.
#include "dli/opcount/onnx_ops.hpp"

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

namespace dli {
namespace {

namespace fs = std::filesystem;

// The exact counts of the generated models (scripts/make_models.py, torchvision's architectures at 3x224x224).
constexpr std::int64_t kMobilenetV2Macs = 300774272;
constexpr std::int64_t kResnet50Macs = 4089184256;

void add_weight(onnx::GraphProto& graph, const std::string& name, const Dims& dims) {
  onnx::TensorProto* tensor = graph.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  std::int64_t count = 1;
  for (const std::int64_t dim : dims) {
    tensor->add_dims(dim);
    count *= dim;
  }
  for (std::int64_t i = 0; i < count; ++i) tensor->add_float_data(0.5f);
}

onnx::NodeProto* add_node(onnx::GraphProto& graph, const std::string& op, std::vector<std::string> inputs,
                          const std::string& output) {
  onnx::NodeProto* node = graph.add_node();
  node->set_op_type(op);
  node->set_name(op);
  for (const auto& input : inputs) node->add_input(input);
  node->add_output(output);
  return node;
}

// x[N,3,H,W] -> Conv 4x3x3x3 -> GlobalAveragePool -> Flatten -> Gemm with W 10x4 (transB): batch left symbolic,
// as exporters write it with dynamic axes.
std::string write_tiny_model(const fs::path& folder) {
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("tiny");
  onnx::ValueInfoProto* x = graph.add_input();
  x->set_name("x");
  auto* tensor = x->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  tensor->mutable_shape()->add_dim()->set_dim_param("batch");
  for (const int dim : {3, 8, 8}) tensor->mutable_shape()->add_dim()->set_dim_value(dim);
  add_weight(graph, "conv_w", {4, 3, 3, 3});
  add_weight(graph, "fc_w", {10, 4});
  add_node(graph, "Conv", {"x", "conv_w"}, "conv");
  add_node(graph, "GlobalAveragePool", {"conv"}, "pool");
  add_node(graph, "Flatten", {"pool"}, "flat");
  onnx::AttributeProto* trans_b = add_node(graph, "Gemm", {"flat", "fc_w"}, "y")->add_attribute();
  trans_b->set_name("transB");
  trans_b->set_type(onnx::AttributeProto::INT);
  trans_b->set_i(1);
  graph.add_output()->set_name("y");
  const std::string path = (folder / "tiny.onnx").string();
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

class OnnxOps : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("dli-onnx-ops-" + std::to_string(::getpid()));
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }
  fs::path folder_;
};

TEST_F(OnnxOps, CountsTheTinyGraphAtBatchOne) {
  // Conv 1x4x6x6 outputs x 27 = 3888; Gemm 1x10 outputs x K 4 = 40.
  const ModelMacs count = count_onnx_macs(write_tiny_model(folder_), {3, 8, 8});
  EXPECT_EQ(count.macs, 3888 + 40);
  EXPECT_EQ(count.reason, "");
}

TEST_F(OnnxOps, TheSweepsInputShapeReplacesTheFilesOwn) {
  // At 10x10 the conv has 1x4x8x8 outputs: 256 x 27 = 6912, the Gemm still 40.
  EXPECT_EQ(count_onnx_macs(write_tiny_model(folder_), {3, 10, 10}).macs, 6912 + 40);
}

TEST_F(OnnxOps, NodesCarryTheirInferredShapes) {
  const std::vector<OpNode> nodes = read_onnx_nodes(write_tiny_model(folder_), {3, 8, 8});
  ASSERT_EQ(nodes.size(), 4u);
  EXPECT_EQ(nodes[0].op_type, "Conv");
  EXPECT_EQ(nodes[0].inputs[0], (Dims{1, 3, 8, 8}));
  EXPECT_EQ(nodes[0].inputs[1], (Dims{4, 3, 3, 3}));
  EXPECT_EQ(nodes[0].outputs[0], (Dims{1, 4, 6, 6}));
  EXPECT_EQ(nodes[3].outputs[0], (Dims{1, 10}));
}

TEST_F(OnnxOps, AnUnreadableFileIsUnknownWithItsReason) {
  const std::string path = (folder_ / "missing.onnx").string();
  const ModelMacs missing = count_onnx_macs(path, {3, 8, 8});
  EXPECT_EQ(missing.macs, std::nullopt);
  EXPECT_EQ(missing.reason, path + ": cannot open");

  const std::string junk = (folder_ / "junk.onnx").string();
  std::ofstream(junk) << "not a protobuf message";
  EXPECT_EQ(count_onnx_macs(junk, {3, 8, 8}).macs, std::nullopt);
}

std::string model_path(const std::string& name) { return (fs::path(DLI_MODELS_DIR) / name).string(); }

// Published: MobileNetV2 (width 1.0, 224x224) 300 M multiply-adds (Sandler et al., "MobileNetV2: Inverted Residuals
// and Linear Bottlenecks", CVPR 2018, Table 4); torchvision's model card lists 0.30 GFLOPS (multiply-accumulates).
// Tolerance 2%: the paper rounds to 300 M. The exact figure of this architecture pins it besides.
TEST(OnnxOpsModels, MobilenetV2MatchesThePublishedCount) {
  const ModelMacs count = count_onnx_macs(model_path("mobilenet_v2.onnx"), {3, 224, 224});
  ASSERT_TRUE(count.macs) << count.reason;
  EXPECT_NEAR(static_cast<double>(*count.macs), 300e6, 0.02 * 300e6);
  EXPECT_EQ(*count.macs, kMobilenetV2Macs);
}

// Published: ResNet-50 as torchvision builds it (v1.5: stride 2 in the 3x3 convolutions) 4.09 G multiply-accumulates
// at 224x224 (torchvision's model card, "GFLOPS 4.09"); He et al. (CVPR 2016, Table 1) give 3.8 G for v1, whose
// stride-2 1x1 convolutions do less work. Tolerance 2% around 4.09 G.
TEST(OnnxOpsModels, Resnet50MatchesThePublishedCount) {
  const ModelMacs count = count_onnx_macs(model_path("resnet50.onnx"), {3, 224, 224});
  ASSERT_TRUE(count.macs) << count.reason;
  EXPECT_NEAR(static_cast<double>(*count.macs), 4.09e9, 0.02 * 4.09e9);
  EXPECT_EQ(*count.macs, kResnet50Macs);
}

}  // namespace
}  // namespace dli
