//===- ConvertQDQToInteger.cpp - QDQ convolutions to integer arithmetic ---===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"
#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_CONVERTQDQTOINTEGERPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// The integer operands of a QDQ convolution, or why there are none.
struct IntegerConv {
  Value input;          // i8 storage, zero point shifted for uint8
  int64_t inputZp = 0;
  double inputScale = 0;
  Value weights;        // i8 constant in the op's layout
  SmallVector<double> weightScales; // per output channel (or one)
  std::string refusal;
};

/// Checks the operands and, when `rewriter` is given, builds their integer
/// forms. Without a rewriter nothing is created (used to explain refusals).
template <typename ConvOp>
IntegerConv matchOperands(ConvOp conv, PatternRewriter *rewriterPtr) {
  IntegerConv r;
  auto xDq = conv.getInput().template getDefiningOp<DequantizeOp>();
  auto xType = xDq ? dyn_cast<quant::UniformQuantizedType>(
                         xDq.getInput().getType().getElementType())
                   : nullptr;
  if (!xType || xType.getStorageTypeIntegralWidth() != 8) {
    r.refusal = "input is not a dequantized 8-bit per-tensor tensor";
    return r;
  }
  auto wDq = conv.getWeight().template getDefiningOp<DequantizeOp>();
  auto wConst = wDq ? wDq.getInput().template getDefiningOp<ConstantOp>()
                    : nullptr;
  if (!wConst) {
    r.refusal = "weights are not a dequantized qopt.constant";
    return r;
  }
  Type wElement = wConst.getOutput().getType().getElementType();
  auto wQuant = dyn_cast<quant::QuantizedType>(wElement);
  if (!wQuant || wQuant.getStorageTypeIntegralWidth() != 8 ||
      !wQuant.isSigned()) {
    r.refusal = "weights are not signed 8-bit";
    return r;
  }
  if (auto t = dyn_cast<quant::UniformQuantizedType>(wQuant)) {
    if (t.getZeroPoint() != 0) {
      r.refusal = "weights are not symmetric (zero point != 0)";
      return r;
    }
    r.weightScales.push_back(t.getScale());
  } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(wQuant);
             t && t.getQuantizedDimension() == 0 &&
             std::is_same_v<ConvOp, tosa::Conv2DOp>) {
    if (llvm::any_of(t.getZeroPoints(), [](int64_t z) { return z != 0; })) {
      r.refusal = "weights are not symmetric (zero point != 0)";
      return r;
    }
    r.weightScales.assign(t.getScales().begin(), t.getScales().end());
  } else {
    r.refusal = "weights must be per tensor or per output channel";
    return r;
  }
  DenseFPElementsAttr bias;
  if (!matchPattern(conv.getBias(), m_Constant(&bias))) {
    r.refusal = "bias is not a float constant";
    return r;
  }

  if (!rewriterPtr)
    return r;
  PatternRewriter &rewriter = *rewriterPtr;
  Location loc = conv.getLoc();
  auto i8 = rewriter.getI8Type();
  auto xTensor = xDq.getInput().getType();
  Value stored = quant::StorageCastOp::create(rewriter, loc,
                                              xTensor.clone(i8), xDq.getInput());
  r.inputZp = xType.getZeroPoint();
  if (!xType.isSigned()) {
    SmallVector<int64_t> ones(xTensor.getRank(), 1);
    auto flipType = RankedTensorType::get(ones, i8);
    Value flip = tosa::ConstOp::create(
        rewriter, loc, flipType,
        DenseElementsAttr::get(flipType, ArrayRef<int8_t>{int8_t(-128)}));
    stored = tosa::BitwiseXorOp::create(rewriter, loc, xTensor.clone(i8),
                                        stored, flip);
    r.inputZp -= 128;
  }
  r.input = stored;
  r.inputScale = xType.getScale();
  auto wValues = cast<DenseIntElementsAttr>(wConst.getValue());
  r.weights = tosa::ConstOp::create(rewriter, loc, wValues.getType(), wValues);
  return r;
}

/// Why the quantize of `conv` cannot become integer arithmetic ("" if it
/// can).
template <typename ConvOp>
std::string refusalFor(ConvOp conv, QuantizeOp quantize) {
  if (!conv->hasOneUse())
    return "its result has other uses";
  if (!isa<quant::UniformQuantizedType>(
          quantize.getOutput().getType().getElementType()))
    return "its output is not quantized per tensor";
  return matchOperands(conv, nullptr).refusal;
}

template <typename ConvOp>
struct ConvertConv : OpRewritePattern<QuantizeOp> {
  ConvertConv(MLIRContext *ctx, RoundingMode rounding)
      : OpRewritePattern(ctx), rounding(rounding) {}
  RoundingMode rounding;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto conv = quantize.getInput().getDefiningOp<ConvOp>();
    if (!conv)
      return rewriter.notifyMatchFailure(quantize, "not after a convolution");
    auto outType = quantize.getOutput().getType();
    if (!refusalFor(conv, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(conv);
    IntegerConv ops = matchOperands(conv, &rewriter);
    Location loc = conv.getLoc();
    auto resultType = cast<RankedTensorType>(conv.getType());
    int64_t channels = resultType.getShape().back();
    // int32 bias at scale s_x * s_w[c], rounded half to even.
    DenseFPElementsAttr bias;
    matchPattern(conv.getBias(), m_Constant(&bias));
    SmallVector<double> accScales;
    SmallVector<int32_t> biasValues;
    int64_t c = 0;
    for (APFloat b : bias.getValues<APFloat>()) {
      double scale = ops.inputScale *
                     ops.weightScales[ops.weightScales.size() == 1 ? 0 : c];
      accScales.push_back(scale);
      double q = roundToIntegral(b.convertToDouble() / scale,
                                 RoundingMode::half_to_even);
      biasValues.push_back(static_cast<int32_t>(
          std::clamp<double>(q, INT32_MIN, INT32_MAX)));
      ++c;
    }
    auto i32 = rewriter.getI32Type();
    auto biasType = RankedTensorType::get({channels}, i32);
    Value intBias = tosa::ConstOp::create(
        rewriter, loc, biasType,
        DenseElementsAttr::get(biasType, ArrayRef(biasValues)));
    auto zpType = RankedTensorType::get({1}, rewriter.getI8Type());
    auto zp = [&](int64_t v) {
      return tosa::ConstOp::create(
          rewriter, loc, zpType,
          DenseElementsAttr::get(zpType, ArrayRef<int8_t>{int8_t(v)}));
    };
    Value acc = ConvOp::create(
        rewriter, loc, resultType.clone(i32), ops.input, ops.weights, intBias,
        zp(ops.inputZp), zp(0), conv.getPadAttr(), conv.getStrideAttr(),
        conv.getDilationAttr(), TypeAttr::get(i32));
    Type accQuant;
    if (accScales.size() == 1 || llvm::all_equal(accScales))
      accQuant = quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, i32, rewriter.getF32Type(),
          accScales.front(), 0, INT32_MIN, INT32_MAX);
    else
      accQuant = quant::UniformQuantizedPerAxisType::get(
          quant::QuantizationFlags::Signed, i32, rewriter.getF32Type(),
          accScales, SmallVector<int64_t>(accScales.size(), 0),
          resultType.getRank() - 1, INT32_MIN, INT32_MAX);
    Value accQ = quant::StorageCastOp::create(
        rewriter, loc, resultType.clone(accQuant), acc);
    rewriter.replaceOpWithNewOp<RequantizeOp>(
        quantize, outType, accQ,
        RoundingModeAttr::get(rewriter.getContext(), rounding));
    rewriter.eraseOp(conv);
    return success();
  }
};

struct ConvertQDQToIntegerPass
    : qopt::impl::ConvertQDQToIntegerPassBase<ConvertQDQToIntegerPass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateConvertQDQToIntegerPatterns(patterns, rounding);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Explain every convolution left in float.
    getOperation().walk([](QuantizeOp quantize) {
      Operation *def = quantize.getInput().getDefiningOp();
      std::string why;
      if (auto conv = dyn_cast_if_present<tosa::Conv2DOp>(def))
        why = refusalFor(conv, quantize);
      else if (auto dw = dyn_cast_if_present<tosa::DepthwiseConv2DOp>(def))
        why = refusalFor(dw, quantize);
      else
        return;
      def->emitRemark() << "kept in float: " << why;
    });
  }
};
} // namespace

void qopt::populateConvertQDQToIntegerPatterns(RewritePatternSet &patterns,
                                               RoundingMode requantRounding) {
  patterns.add<ConvertConv<tosa::Conv2DOp>, ConvertConv<tosa::DepthwiseConv2DOp>>(
      patterns.getContext(), requantRounding);
}
