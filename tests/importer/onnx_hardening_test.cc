// ONNX models that once crashed the importer (found by fuzzing; the files are in tests/data/bad/
// with the script that makes them).

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "analyzer/error.h"
#include "importer/onnx_importer.h"

namespace cadenza {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::string BadFile(const std::string& name) {
  return std::string(CADENZA_SOURCE_DIR) + "/tests/data/bad/" + name;
}

TEST(OnnxHardeningTest, ConvTransposeWithAScalarWeightIsAnErrorNotACrash) {
  // ONNX 1.12's ConvTranspose shape inference read a kernel extent per spatial axis of the input
  // from the weight's shape and segfaulted when the weight had fewer axes.
  const std::string path = BadFile("convtranspose_scalar_weight.onnx");
  EXPECT_THAT([&] { ImportOnnx(path); },
              ThrowsMessage<InputError>(HasSubstr(path + ": node 'up' (ConvTranspose)")));
}

TEST(OnnxHardeningTest, ConvWithAWeightOfLowerRankIsAnErrorNotACrash) {
  EXPECT_THAT(
      [] {
        ImportOnnxText(R"ONNX(
          <ir_version: 8, opset_import: ["" : 13]>
          g (float[1, 3, 8, 8] x, float[4, 3] w) => (float[1, 4, 8, 8] y) {
            y = Conv <strides = [2, 2], auto_pad = "SAME_UPPER"> (x, w)
          })ONNX",
                       "rank.onnx");
      },
      ThrowsMessage<InputError>(HasSubstr("rank.onnx: node 'Conv_0' (Conv)")));
}

TEST(OnnxHardeningTest, ZeroStrideIsAnErrorNotADivisionByZero) {
  // ONNX 1.12's Conv and pooling shape inference divided by each stride.
  const std::string conv = BadFile("conv_zero_stride.onnx");
  EXPECT_THAT([&] { ImportOnnx(conv); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(conv + ": node 'conv' (Conv)"),
                                              HasSubstr("strides [1, 0] must be >= 1"))));
  const std::string pool = BadFile("maxpool_zero_stride.onnx");
  EXPECT_THAT([&] { ImportOnnx(pool); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(pool + ": node 'conv' (Conv)"),
                                              HasSubstr("'pool' (MaxPool)"))));
}

TEST(OnnxHardeningTest, HugeConvTransposeKernelIsAnErrorNotAnAllocationOfBillionsOfLayers) {
  const std::string path = BadFile("convtranspose_huge_kernel.onnx");
  EXPECT_THAT([&] { ImportOnnx(path); },
              ThrowsMessage<InputError>(AllOf(HasSubstr(path + ": node 'wide' (ConvTranspose)"),
                                              HasSubstr("at most 4096 are supported"))));
}

TEST(OnnxHardeningTest, HugeDilationIsAnOverflowErrorNotAWrappedExtent) {
  EXPECT_THAT(
      [] {
        ImportOnnxText(R"ONNX(
          <ir_version: 8, opset_import: ["" : 13]>
          g (float[1, 1, 8, 8] x, float[1, 1, 3, 3] w) => (float[1, 1, 8, 8] y) {
            y = ConvTranspose <dilations = [4611686018427387904, 1]> (x, w)
          })ONNX",
                       "dilation.onnx");
      },
      ThrowsMessage<InputError>(
          AllOf(HasSubstr("dilation.onnx: node 'ConvTranspose_0' (ConvTranspose)"),
                HasSubstr("overflows 64 bits"))));
}

}  // namespace
}  // namespace cadenza
