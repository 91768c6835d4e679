//===- ConstantFoldingTest.cpp - folding quantize/dequantize/requantize ---===//

#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace qopt;

namespace {

class ConstantFoldingTest : public ::testing::Test {
protected:
  ConstantFoldingTest() { ctx.loadDialect<QOptDialect, quant::QuantDialect>(); }

  RankedTensorType quantTensor(StringRef type) {
    return cast<RankedTensorType>(parseType(type, &ctx));
  }
  DenseFPElementsAttr floats(ArrayRef<float> values) {
    auto type = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                      Float32Type::get(&ctx));
    return DenseFPElementsAttr::get(type, values);
  }
  std::vector<int64_t> ints(DenseIntElementsAttr attr, Type element) {
    std::vector<int64_t> out;
    for (const APInt &v : attr.getValues<APInt>())
      out.push_back(readStoredInteger(element, v));
    return out;
  }
  MLIRContext ctx;
};

// Scale 0.5, zero point 1: x / 0.5 = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5}.
TEST_F(ConstantFoldingTest, QuantizeTiesPerRounding) {
  auto type = quantTensor("tensor<6x!quant.uniform<i8:f32, 0.5:1>>");
  auto input = floats({0.25f, 0.75f, 1.25f, -0.25f, -0.75f, -1.25f});
  auto element = type.getElementType();
  auto fold = [&](RoundingMode mode) {
    return ints(*foldQuantizeConstant(input, type, mode), element);
  };
  EXPECT_EQ(fold(RoundingMode::half_to_even),
            (std::vector<int64_t>{1, 3, 3, 1, -1, -1}));
  EXPECT_EQ(fold(RoundingMode::half_away_from_zero),
            (std::vector<int64_t>{2, 3, 4, 0, -1, -2}));
  EXPECT_EQ(fold(RoundingMode::half_up),
            (std::vector<int64_t>{2, 3, 4, 1, 0, -1}));
}

TEST_F(ConstantFoldingTest, QuantizeUnsignedSaturates) {
  auto type = quantTensor("tensor<4x!quant.uniform<u8:f32, 1.0:128>>");
  auto input = floats({1000.0f, -1000.0f, 127.0f, -128.0f});
  auto folded = *foldQuantizeConstant(input, type, RoundingMode::half_to_even);
  EXPECT_EQ(ints(folded, type.getElementType()),
            (std::vector<int64_t>{255, 0, 255, 0}));
  EXPECT_EQ(folded.getElementType(), IntegerType::get(&ctx, 8));
}

TEST_F(ConstantFoldingTest, QuantizeRejectsNaN) {
  auto type = quantTensor("tensor<2x!quant.uniform<i8:f32, 1.0>>");
  auto input = floats({1.0f, std::numeric_limits<float>::quiet_NaN()});
  EXPECT_TRUE(
      failed(foldQuantizeConstant(input, type, RoundingMode::half_to_even)));
}

TEST_F(ConstantFoldingTest, PerChannelRoundTrip) {
  auto type = quantTensor(
      "tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25}>>");
  auto input = DenseFPElementsAttr::get(
      RankedTensorType::get({2, 2}, Float32Type::get(&ctx)),
      ArrayRef<float>{1.0f, 1.0f, -100.0f, -0.125f});
  auto stored = *foldQuantizeConstant(input, type, RoundingMode::half_to_even);
  EXPECT_EQ(ints(stored, type.getElementType()),
            (std::vector<int64_t>{2, 4, -127, 0}));
  auto back = *foldDequantizeConstant(
      stored, type, RankedTensorType::get({2, 2}, Float32Type::get(&ctx)));
  std::vector<float> values(back.getValues<float>().begin(),
                            back.getValues<float>().end());
  EXPECT_EQ(values, (std::vector<float>{1.0f, 1.0f, -63.5f, 0.0f}));
}

TEST_F(ConstantFoldingTest, RequantizeAccumulator) {
  auto in = quantTensor("tensor<3x!quant.uniform<i32:f32, 0.25>>");
  auto out = quantTensor("tensor<3x!quant.uniform<i8:f32, 1.0:-3>>");
  auto values = DenseIntElementsAttr::get(
      RankedTensorType::get({3}, IntegerType::get(&ctx, 32)),
      ArrayRef<int32_t>{6, -2, INT32_MAX});
  auto folded =
      *foldRequantizeConstant(values, in, out, RoundingMode::half_to_even);
  // 1.5 -> 2, -0.5 -> 0 (ties to even), huge -> saturate at 127.
  EXPECT_EQ(ints(folded, out.getElementType()),
            (std::vector<int64_t>{-1, -3, 127}));
}

} // namespace
