//===- QuantizedTypesTest.cpp - policy -> type, element parameters --------===//

#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace qopt;

namespace {

class QuantizedTypesTest : public ::testing::Test {
protected:
  QuantizedTypesTest() {
    ctx.loadDialect<QOptDialect, quant::QuantDialect>();
  }
  PolicyAttr policy(StringRef body) {
    auto attr = parseAttribute(("#qopt.policy<" + body + ">").str(), &ctx);
    return cast<PolicyAttr>(attr);
  }
  std::string str(Type t) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << t;
    return s;
  }
  MLIRContext ctx;
};

TEST_F(QuantizedTypesTest, PerTensorAsymmetric) {
  Type t = buildQuantizedElementType(policy("ui8, asymmetric, per_tensor"),
                                     Float32Type::get(&ctx), {4},
                                     ArrayRef<FloatRange>{{0.0f, 255.0f}});
  EXPECT_EQ(str(t), "!quant.uniform<u8:f32, 1.000000e+00>");
}

TEST_F(QuantizedTypesTest, PerChannelNarrow) {
  Type t = buildQuantizedElementType(
      policy("si8, symmetric, narrow_range, per_channel(axis = 0)"),
      Float32Type::get(&ctx), {2, 3},
      ArrayRef<FloatRange>{{-1.27f, 0.0f}, {0.0f, 2.54f}});
  auto perAxis = cast<quant::UniformQuantizedPerAxisType>(t);
  EXPECT_EQ(perAxis.getStorageTypeMin(), -127);
  EXPECT_EQ(perAxis.getQuantizedDimension(), 0);
  EXPECT_FLOAT_EQ(perAxis.getScales()[0], 0.01f);
  EXPECT_FLOAT_EQ(perAxis.getScales()[1], 0.02f);
}

TEST_F(QuantizedTypesTest, PerGroupIsSubChannel) {
  PolicyAttr p = policy("si4, symmetric, per_group(axis = 1, size = 2)");
  EXPECT_EQ(getParamShape(p, {2, 4}), (SmallVector<int64_t>{2, 2}));
  // Rows: channel 0 = [1, -2 | 3, 0.5], channel 1 = [0, 0 | -7.5, 7].
  auto type = RankedTensorType::get({2, 4}, Float32Type::get(&ctx));
  auto values = DenseFPElementsAttr::get(
      type, ArrayRef<float>{1, -2, 3, 0.5f, 0, 0, -7.5f, 7});
  std::string error;
  auto ranges = computeConstantRanges(values, p, error);
  ASSERT_TRUE(succeeded(ranges));
  ASSERT_EQ(ranges->size(), 4u);
  EXPECT_EQ((*ranges)[0].min, -2.0f);
  EXPECT_EQ((*ranges)[1].max, 3.0f);
  EXPECT_EQ((*ranges)[2].max, 0.0f);
  EXPECT_EQ((*ranges)[3].min, -7.5f);
  Type t = buildQuantizedElementType(p, Float32Type::get(&ctx), {2, 4}, *ranges);
  auto sub = cast<quant::UniformQuantizedSubChannelType>(t);
  auto tensorType = RankedTensorType::get({2, 4}, t);
  EXPECT_TRUE(succeeded(verifyQuantizedTensorType(
      [&] { return emitError(UnknownLoc::get(&ctx)); }, tensorType)));
  EXPECT_EQ(sub.getBlockSizes(), (ArrayRef<int64_t>{1, 2}));
  ElementQuantParams params(tensorType);
  // Element (1, 3) is in group (1, 1): range [-7.5, 7] -> 7.5 / 7.5 = 1.
  EXPECT_FLOAT_EQ(params.at(7).scale, 1.0f);
  EXPECT_FLOAT_EQ(params.at(1).scale, 2.0f / 7.5f);
  // All-zero group falls back to the minimum scale.
  EXPECT_FLOAT_EQ(params.at(4).scale, kMinScale);
}

TEST_F(QuantizedTypesTest, PerAxisElementParamsAlongInnerAxis) {
  auto element = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(&ctx, 8),
      Float32Type::get(&ctx), {0.5, 0.25, 2.0}, {1, 2, 3}, /*axis=*/1, -128,
      127);
  ElementQuantParams params(RankedTensorType::get({2, 3}, element));
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(params.at(i).zeroPoint, i % 3 + 1);
  }
}

TEST_F(QuantizedTypesTest, BinaryUsesMeanAbsolute) {
  PolicyAttr p = policy("binary, per_channel(axis = 0)");
  auto type = RankedTensorType::get({2, 2}, Float32Type::get(&ctx));
  auto values =
      DenseFPElementsAttr::get(type, ArrayRef<float>{1, -3, 0.5f, 0.5f});
  std::string error;
  auto ranges = computeConstantRanges(values, p, error);
  ASSERT_TRUE(succeeded(ranges));
  Type t = buildQuantizedElementType(p, Float32Type::get(&ctx), {2, 2}, *ranges);
  EXPECT_EQ(str(t), "!qopt.binary<f32:0, {2.000000e+00, 5.000000e-01}>");
}

TEST_F(QuantizedTypesTest, NonFiniteConstantIsRejected) {
  auto type = RankedTensorType::get({3}, Float32Type::get(&ctx));
  auto values = DenseFPElementsAttr::get(
      type, ArrayRef<float>{1, std::numeric_limits<float>::quiet_NaN(), 2});
  std::string error;
  EXPECT_TRUE(failed(computeConstantRanges(
      values, policy("si8, symmetric, per_tensor"), error)));
  EXPECT_NE(error.find("element 1"), std::string::npos) << error;
}

} // namespace
