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

/// The integer operands of a QDQ convolution or matmul, or why there are
/// none.
struct IntegerConv {
  Value input; // i8 storage, zero point shifted for uint8
  int64_t inputZp = 0;
  double inputScale = 0;
  Value weights;                    // i8 constant in the op's layout
  SmallVector<double> weightScales; // per output channel (or one)
  std::string refusal;
};

/// Checks the operands of an integer layer: `input` must be a dequantized
/// 8-bit per-tensor tensor, `weight` a dequantized symmetric int8
/// qopt.constant quantized per tensor or along `channelAxis` (-1: per
/// tensor only), `bias` (when given) a float constant. When `rewriterPtr`
/// is given, builds the integer operands; otherwise only checks.
IntegerConv matchOperands(Value input, Value weight, Value bias,
                          int64_t channelAxis, Location loc,
                          PatternRewriter *rewriterPtr) {
  IntegerConv r;
  auto xDq = input.getDefiningOp<DequantizeOp>();
  auto xType = xDq ? dyn_cast<quant::UniformQuantizedType>(
                         xDq.getInput().getType().getElementType())
                   : nullptr;
  if (!xType || xType.getStorageTypeIntegralWidth() != 8) {
    r.refusal = "input is not a dequantized 8-bit per-tensor tensor";
    return r;
  }
  auto wDq = weight.getDefiningOp<DequantizeOp>();
  auto wConst = wDq ? wDq.getInput().getDefiningOp<ConstantOp>() : nullptr;
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
             t && t.getQuantizedDimension() == channelAxis) {
    if (llvm::any_of(t.getZeroPoints(), [](int64_t z) { return z != 0; })) {
      r.refusal = "weights are not symmetric (zero point != 0)";
      return r;
    }
    r.weightScales.assign(t.getScales().begin(), t.getScales().end());
  } else {
    r.refusal = "weights must be per tensor or per output channel";
    return r;
  }
  DenseFPElementsAttr biasValues;
  if (bias && !matchPattern(bias, m_Constant(&biasValues))) {
    r.refusal = "bias is not a float constant";
    return r;
  }

  if (!rewriterPtr)
    return r;
  PatternRewriter &rewriter = *rewriterPtr;
  auto i8 = rewriter.getI8Type();
  auto xTensor = xDq.getInput().getType();
  Value stored = quant::StorageCastOp::create(rewriter, loc, xTensor.clone(i8),
                                              xDq.getInput());
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
/// The integer operands of `op`; per-channel weight scales are accepted
/// along the output-channel axis (conv2d OHWI: 0; matmul [1, K, N]: 2;
/// depthwise: per tensor only).
IntegerConv matchLayer(Operation *op, PatternRewriter *rewriter) {
  if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
    return matchOperands(conv.getInput(), conv.getWeight(), conv.getBias(), 0,
                         op->getLoc(), rewriter);
  if (auto dw = dyn_cast<tosa::DepthwiseConv2DOp>(op))
    return matchOperands(dw.getInput(), dw.getWeight(), dw.getBias(), -1,
                         op->getLoc(), rewriter);
  auto mm = cast<tosa::MatMulOp>(op);
  return matchOperands(mm.getA(), mm.getB(), Value(), 2, op->getLoc(),
                       rewriter);
}

std::string refusalFor(Operation *layer, QuantizeOp quantize) {
  if (!layer->hasOneUse())
    return "its result has other uses";
  if (!isa<quant::UniformQuantizedType>(
          quantize.getOutput().getType().getElementType()))
    return "its output is not quantized per tensor";
  return matchLayer(layer, nullptr).refusal;
}

/// A rank-1 int8 zero-point operand, as TOSA convolutions and matmul take.
Value createZeroPoint(OpBuilder &builder, Location loc, int64_t value) {
  auto type = RankedTensorType::get({1}, builder.getI8Type());
  return tosa::ConstOp::create(
      builder, loc, type,
      DenseElementsAttr::get(type, ArrayRef<int8_t>{int8_t(value)}));
}

/// Replaces `quantize` by a requantize of the int32 accumulator `acc`, whose
/// real value is acc * accScales[c] along the last axis (one scale: per
/// tensor).
void replaceWithRequantize(PatternRewriter &rewriter, QuantizeOp quantize,
                           Value acc, ArrayRef<double> accScales,
                           RoundingMode rounding) {
  auto accType = cast<RankedTensorType>(acc.getType());
  Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
  Type accQuant;
  if (llvm::all_equal(accScales))
    accQuant = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, i32, f32, accScales.front(), 0,
        INT32_MIN, INT32_MAX);
  else
    accQuant = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, i32, f32, accScales,
        SmallVector<int64_t>(accScales.size(), 0), accType.getRank() - 1,
        INT32_MIN, INT32_MAX);
  Value accQ = quant::StorageCastOp::create(rewriter, acc.getLoc(),
                                            accType.clone(accQuant), acc);
  rewriter.replaceOpWithNewOp<RequantizeOp>(
      quantize, quantize.getOutput().getType(), accQ,
      RoundingModeAttr::get(rewriter.getContext(), rounding));
}

template <typename ConvOp> struct ConvertConv : OpRewritePattern<QuantizeOp> {
  ConvertConv(MLIRContext *ctx, RoundingMode rounding)
      : OpRewritePattern(ctx), rounding(rounding) {}
  RoundingMode rounding;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto conv = quantize.getInput().getDefiningOp<ConvOp>();
    if (!conv)
      return rewriter.notifyMatchFailure(quantize, "not after a convolution");
    if (!refusalFor(conv, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(conv);
    IntegerConv ops = matchLayer(conv, &rewriter);
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
      biasValues.push_back(
          static_cast<int32_t>(std::clamp<double>(q, INT32_MIN, INT32_MAX)));
      ++c;
    }
    auto i32 = rewriter.getI32Type();
    auto biasType = RankedTensorType::get({channels}, i32);
    Value intBias = tosa::ConstOp::create(
        rewriter, loc, biasType,
        DenseElementsAttr::get(biasType, ArrayRef(biasValues)));
    auto zp = [&](int64_t v) { return createZeroPoint(rewriter, loc, v); };
    Value acc = ConvOp::create(rewriter, loc, resultType.clone(i32), ops.input,
                               ops.weights, intBias, zp(ops.inputZp), zp(0),
                               conv.getPadAttr(), conv.getStrideAttr(),
                               conv.getDilationAttr(), TypeAttr::get(i32));
    replaceWithRequantize(rewriter, quantize, acc, accScales, rounding);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// quantize(matmul(dequantize(a), dequantize(B))) -> integer matmul.
struct ConvertMatMul : OpRewritePattern<QuantizeOp> {
  ConvertMatMul(MLIRContext *ctx, RoundingMode rounding)
      : OpRewritePattern(ctx), rounding(rounding) {}
  RoundingMode rounding;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto mm = quantize.getInput().getDefiningOp<tosa::MatMulOp>();
    if (!mm || !refusalFor(mm, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(mm);
    IntegerConv ops = matchLayer(mm, &rewriter);
    Location loc = mm.getLoc();
    auto resultType = cast<RankedTensorType>(mm.getType());
    auto i32 = rewriter.getI32Type();
    auto zp = [&](int64_t v) { return createZeroPoint(rewriter, loc, v); };
    Value acc =
        tosa::MatMulOp::create(rewriter, loc, resultType.clone(i32), ops.input,
                               ops.weights, zp(ops.inputZp), zp(0));
    SmallVector<double> accScales;
    for (double w : ops.weightScales)
      accScales.push_back(ops.inputScale * w);
    replaceWithRequantize(rewriter, quantize, acc, accScales, rounding);
    rewriter.eraseOp(mm);
    return success();
  }
};

/// Why quantize(max_pool2d(dequantize(x))) cannot run on the stored
/// integers, or "" when it can. Max commutes with the increasing map
/// q -> s * (q - zp), so with the same quantized type in and out the integer
/// pool is exact.
std::string maxPoolRefusal(tosa::MaxPool2dOp pool, QuantizeOp quantize) {
  if (!pool->hasOneUse())
    return "its result has other uses";
  auto dequantize = pool.getInput().getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return "its input is not dequantized";
  Type inElement = dequantize.getInput().getType().getElementType();
  if (inElement != quantize.getOutput().getType().getElementType())
    return "its input and output are quantized differently";
  auto quant = dyn_cast<quant::UniformQuantizedType>(inElement);
  if (!quant || !quant.isSigned() || quant.getStorageTypeIntegralWidth() != 8)
    return "it is not quantized signed 8-bit per tensor";
  return "";
}

/// quantize(max_pool2d(dequantize(x_q))) -> max_pool2d on x_q's int8 values.
struct ConvertMaxPool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto pool = quantize.getInput().getDefiningOp<tosa::MaxPool2dOp>();
    if (!pool || !maxPoolRefusal(pool, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not an exact int8 pool");
    Value quantized = pool.getInput().getDefiningOp<DequantizeOp>().getInput();
    auto inType = cast<RankedTensorType>(quantized.getType());
    auto storage =
        cast<quant::QuantizedType>(inType.getElementType()).getStorageType();
    RankedTensorType outType = quantize.getOutput().getType();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(pool);
    Value stored = quant::StorageCastOp::create(
        rewriter, pool.getLoc(), inType.clone(storage), quantized);
    Operation *intPool = rewriter.clone(*pool);
    intPool->setOperand(0, stored);
    intPool->getResult(0).setType(outType.clone(storage));
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(quantize, outType,
                                                      intPool->getResult(0));
    rewriter.eraseOp(pool);
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
    // Warn about every computation still done in float on dequantized
    // values or for a quantized result, with the reason; data movement
    // (reshape, transpose) is exact in any type and is not reported.
    getOperation().walk([](Operation *op) {
      if (isa<QuantizeOp, DequantizeOp, tosa::ReshapeOp, tosa::TransposeOp,
              func::ReturnOp>(op) ||
          op->hasTrait<OpTrait::ConstantLike>())
        return;
      auto quantize = op->hasOneUse()
                          ? dyn_cast<QuantizeOp>(*op->getUsers().begin())
                          : QuantizeOp();
      if (!quantize && llvm::none_of(op->getOperands(), [](Value v) {
            return v.getDefiningOp<DequantizeOp>();
          }))
        return;
      std::string why;
      if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
        why =
            quantize ? refusalFor(op, quantize) : "its result is not quantized";
      else if (auto pool = dyn_cast<tosa::MaxPool2dOp>(op))
        why = quantize ? maxPoolRefusal(pool, quantize)
                       : "its result is not quantized";
      else
        why = "qopt has no integer form for '" +
              op->getName().getStringRef().str() + "' yet";
      op->emitWarning() << "kept in float: " << why;
    });
  }
};
} // namespace

void qopt::populateConvertQDQToIntegerPatterns(RewritePatternSet &patterns,
                                               RoundingMode requantRounding) {
  patterns.add<ConvertConv<tosa::Conv2DOp>,
               ConvertConv<tosa::DepthwiseConv2DOp>, ConvertMatMul>(
      patterns.getContext(), requantRounding);
  patterns.add<ConvertMaxPool>(patterns.getContext());
}
