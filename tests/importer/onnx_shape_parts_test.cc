// The importer's internal pieces on their own: checked arithmetic (checked_math.h) and the
// constant evaluator of shape arithmetic (onnx_constant_eval.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

// The ONNX target's definitions, which do not reach this test program.
#ifndef ONNX_ML
#define ONNX_ML 1
#endif
#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include <onnx/onnx_pb.h>

#include "analyzer/error.h"
#include "importer/checked_math.h"
#include "importer/onnx_constant_eval.h"

namespace cadenza {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(CheckedMathTest, OverflowIsNoValueOrANamedError) {
  EXPECT_EQ(checked::TryMul(3, 4), std::optional<int64_t>(12));
  EXPECT_EQ(checked::TryMul(kMax / 2 + 1, 2), std::nullopt);
  EXPECT_EQ(checked::TryAdd(kMax, 1), std::nullopt);
  EXPECT_EQ(checked::TrySub(std::numeric_limits<int64_t>::min(), 1), std::nullopt);
  EXPECT_EQ(checked::MacAdd(kMax - 1, 1), kMax);
  try {
    checked::MacMul(kMax, 2);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "the MAC count overflows 64 bits");
  }
  try {
    checked::ExtentSub(std::numeric_limits<int64_t>::min(), 1);
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "a spatial extent overflows 64 bits");
  }
}

ConstantValue Ints(std::vector<int64_t> dims, std::vector<int64_t> ints) {
  ConstantValue v;
  v.dims = std::move(dims);
  v.ints = std::move(ints);
  return v;
}

TEST(ConstantEvalTest, ConcatOfTwoShapes) {
  onnx::NodeProto node;
  node.set_op_type("Concat");
  node.add_input("a");
  node.add_input("b");
  node.add_output("c");
  onnx::AttributeProto* axis = node.add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(0);
  const ConstantValue a = Ints({2}, {1, 3});
  const ConstantValue b = Ints({1}, {-1});
  const ConstantEvaluator evaluate = FindConstantEvaluator("Concat");
  ASSERT_NE(evaluate, nullptr);
  const std::optional<ConstantValue> c = evaluate(FoldContext{node, {&a, &b}, {}, 13});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->dims, std::vector<int64_t>({3}));
  EXPECT_EQ(c->ints, std::vector<int64_t>({1, 3, -1}));
  // An unknown input: nothing to fold.
  EXPECT_EQ(evaluate(FoldContext{node, {&a, nullptr}, {}, 13}), std::nullopt);
}

TEST(ConstantEvalTest, OnlyShapeArithmeticHasAnEvaluator) {
  EXPECT_NE(FindConstantEvaluator("Shape"), nullptr);
  EXPECT_NE(FindConstantEvaluator("Gather"), nullptr);
  EXPECT_EQ(FindConstantEvaluator("Conv"), nullptr);
  EXPECT_EQ(FindConstantEvaluator("MatMul"), nullptr);
}

TEST(ConstantEvalTest, TensorsRoundTripAndLargeOnesAreData) {
  const onnx::TensorProto t = ConstantToTensor(Ints({2, 2}, {1, 2, 3, 4}), "t");
  EXPECT_EQ(t.name(), "t");
  EXPECT_EQ(t.data_type(), onnx::TensorProto::INT64);
  const std::optional<ConstantValue> back = ConstantFromTensor(t);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->dims, std::vector<int64_t>({2, 2}));
  EXPECT_EQ(back->ints, std::vector<int64_t>({1, 2, 3, 4}));

  EXPECT_EQ(ConstantElementCount({32, 32}), kMaxFoldedElements);
  EXPECT_EQ(ConstantElementCount({33, 32}), kMaxFoldedElements + 1);
  EXPECT_EQ(ConstantElementCount({-1}), kMaxFoldedElements + 1);
  onnx::TensorProto big;
  big.set_data_type(onnx::TensorProto::INT64);
  big.add_dims(kMaxFoldedElements + 1);
  for (int64_t i = 0; i <= kMaxFoldedElements; ++i) big.add_int64_data(i);
  EXPECT_EQ(ConstantFromTensor(big), std::nullopt);
}

}  // namespace
}  // namespace cadenza
