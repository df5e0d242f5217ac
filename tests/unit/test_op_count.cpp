// Multiply-accumulate counts of single nodes and tiny graphs, each figure worked out by hand in the comment.
#include "dli/opcount/op_count.hpp"

#include <gtest/gtest.h>

namespace dli {
namespace {

OpNode node(const std::string& op, std::vector<std::optional<Dims>> inputs, std::vector<std::optional<Dims>> outputs) {
  OpNode n;
  n.name = op + "_0";
  n.op_type = op;
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  return n;
}

TEST(OpCount, ConvIsOutputElementsTimesInputChannelsTimesKernel) {
  // 1x3x8x8 -> 1x4x6x6 with 3x3 kernels: 144 outputs x (3 x 3 x 3) = 3888.
  EXPECT_EQ(node_macs(node("Conv", {Dims{1, 3, 8, 8}, Dims{4, 3, 3, 3}, Dims{4}}, {Dims{1, 4, 6, 6}})), 3888);
}

TEST(OpCount, GroupedAndDepthwiseConvCountOnlyTheirGroupsChannels) {
  // Depthwise: 1x8x4x4 -> 1x8x4x4, W 8x1x3x3: 128 outputs x 9 = 1152 (not 128 x 72).
  EXPECT_EQ(node_macs(node("Conv", {Dims{1, 8, 4, 4}, Dims{8, 1, 3, 3}}, {Dims{1, 8, 4, 4}})), 1152);
  // Two groups of 4 channels, 1x1 kernels to 6 channels: 1x6x2x2 = 24 outputs x 4 = 96.
  EXPECT_EQ(node_macs(node("Conv", {Dims{1, 8, 2, 2}, Dims{6, 4, 1, 1}}, {Dims{1, 6, 2, 2}})), 96);
}

TEST(OpCount, ConvTransposeScattersEachInputElement) {
  // 1x2x3x3 input, W 2x5x2x2 (C x M/group x k): 18 inputs x 20 = 360.
  EXPECT_EQ(node_macs(node("ConvTranspose", {Dims{1, 2, 3, 3}, Dims{2, 5, 2, 2}}, {Dims{1, 5, 4, 4}})), 360);
}

TEST(OpCount, GemmIsMTimesNTimesKWithTransposedA) {
  // A 2x3, B 3x5 -> 2x5: 10 x 3 = 30.
  EXPECT_EQ(node_macs(node("Gemm", {Dims{2, 3}, Dims{3, 5}, Dims{5}}, {Dims{2, 5}})), 30);
  // transA: A is 7x2 (K x M), output 2x5: 10 x 7 = 70.
  OpNode transposed = node("Gemm", {Dims{7, 2}, Dims{7, 5}}, {Dims{2, 5}});
  transposed.trans_a = true;
  EXPECT_EQ(node_macs(transposed), 70);
}

TEST(OpCount, MatMulBroadcastsBatchDimensions) {
  // 4x2x3 @ 3x6 -> 4x2x6: 48 x 3 = 144.
  EXPECT_EQ(node_macs(node("MatMul", {Dims{4, 2, 3}, Dims{3, 6}}, {Dims{4, 2, 6}})), 144);
  // Vector times matrix: 3 @ 3x6 -> 6: 6 x 3 = 18.
  EXPECT_EQ(node_macs(node("MatMul", {Dims{3}, Dims{3, 6}}, {Dims{6}})), 18);
}

TEST(OpCount, OtherOperatorsCountNothing) {
  EXPECT_EQ(node_macs(node("Relu", {Dims{1, 3, 8, 8}}, {Dims{1, 3, 8, 8}})), 0);
  EXPECT_EQ(node_macs(node("Add", {Dims{1, 3}, Dims{1, 3}}, {Dims{1, 3}})), 0);
  EXPECT_FALSE(counts_macs("BatchNormalization"));
  EXPECT_TRUE(counts_macs("MatMul"));
}

TEST(OpCount, UnknownShapesAreNeverGuessed) {
  EXPECT_EQ(node_macs(node("Conv", {Dims{1, 3, 8, 8}, Dims{4, 3, 3, 3}}, {std::nullopt})), std::nullopt);
  EXPECT_EQ(node_macs(node("Conv", {Dims{1, 3, 8, 8}, Dims{4, 3, 3, 3}}, {Dims{-1, 4, 6, 6}})), std::nullopt);
  EXPECT_EQ(node_macs(node("Gemm", {Dims{2, 3}}, {})), std::nullopt);
}

TEST(OpCount, GraphSumsItsCountedNodesAndNamesTheUnknownOnes) {
  // Conv 3888 + Relu 0 + Gemm 30 = 3918.
  const std::vector<OpNode> graph = {
      node("Conv", {Dims{1, 3, 8, 8}, Dims{4, 3, 3, 3}}, {Dims{1, 4, 6, 6}}),
      node("Relu", {Dims{1, 4, 6, 6}}, {Dims{1, 4, 6, 6}}),
      node("Gemm", {Dims{2, 3}, Dims{3, 5}}, {Dims{2, 5}}),
  };
  const OpCount count = count_macs(graph);
  EXPECT_EQ(count.macs, 3918);
  EXPECT_EQ(count.counted_nodes, 2);
  EXPECT_TRUE(count.complete());

  const OpCount partial = count_macs({graph[0], node("MatMul", {std::nullopt, Dims{3, 6}}, {Dims{2, 6}})});
  EXPECT_EQ(partial.macs, 3888);
  EXPECT_FALSE(partial.complete());
  EXPECT_EQ(partial.unknown, (std::vector<std::string>{"MatMul_0 (MatMul)"}));
}

}  // namespace
}  // namespace dli
