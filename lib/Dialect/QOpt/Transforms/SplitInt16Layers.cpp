//===- SplitInt16Layers.cpp - int16 layers as two int8 layers -------------===//
//
// x = 256 hi + lo with hi = x >> 8 in [-128, 127] and lo = x & 255 in
// [0, 255], so op(x, W) = 256 op(hi, W) + op(lo, W) for the linear ops, and
// lo is an int8 tensor with zero point -128 once 128 is subtracted. The int8
// kernels then run int16 activations in two passes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QOpt/Transforms/IntegerLayers.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_SPLITINT16LAYERSPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// The constant integer operand `v` as i`width` (nullopt when it is not a
/// constant or a value does not fit).
std::optional<DenseIntElementsAttr> narrowed(Value v, unsigned width) {
  DenseIntElementsAttr values;
  if (!matchPattern(v, m_Constant(&values)))
    return std::nullopt;
  for (const APInt &x : values.getValues<APInt>())
    if (!x.isSignedIntN(width))
      return std::nullopt;
  return cast<DenseIntElementsAttr>(
      values.mapValues(IntegerType::get(v.getContext(), width),
                       [&](const APInt &x) { return x.trunc(width); }));
}

/// The int16 layer feeding `narrowing` (i48 -> i32) and its operands.
struct Int16Layer {
  Operation *op;
  Value input;
  DenseIntElementsAttr weights; // narrowed to i8 or i4
  DenseIntElementsAttr bias;    // i32 (conv and depthwise), or null
};

FailureOr<Int16Layer> matchInt16Layer(tosa::CastOp narrowing,
                                      PatternRewriter &rewriter) {
  auto accType = narrowing.getInput().getType();
  if (!accType.getElementType().isInteger(48) ||
      !narrowing.getType().getElementType().isInteger(32))
    return rewriter.notifyMatchFailure(narrowing,
                                       "not an i48 -> i32 narrowing");
  Operation *op = narrowing.getInput().getDefiningOp();
  if (!op || !op->hasOneUse() ||
      !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
    return rewriter.notifyMatchFailure(narrowing, "not after an int16 layer");
  Int16Layer layer{op, op->getOperand(0), {}, {}};
  auto inType = cast<RankedTensorType>(layer.input.getType());
  if (!inType.getElementType().isInteger(16))
    return rewriter.notifyMatchFailure(narrowing, "input is not int16");
  // Zero points: input 0 (TOSA's int16 layers), weights 0.
  for (unsigned i : isa<tosa::MatMulOp>(op) ? std::array<unsigned, 2>{2, 3}
                                            : std::array<unsigned, 2>{3, 4}) {
    APInt zp;
    if (!matchPattern(op->getOperand(i), m_ConstantInt(&zp)) || !zp.isZero())
      return rewriter.notifyMatchFailure(narrowing, "non-zero zero point");
  }
  std::optional<DenseIntElementsAttr> weights = narrowed(op->getOperand(1), 4);
  if (!weights)
    weights = narrowed(op->getOperand(1), 8);
  if (!weights)
    return rewriter.notifyMatchFailure(narrowing, "weights do not fit int8");
  layer.weights = *weights;
  if (!isa<tosa::MatMulOp>(op)) {
    std::optional<DenseIntElementsAttr> bias = narrowed(op->getOperand(2), 32);
    if (!bias)
      return rewriter.notifyMatchFailure(narrowing, "bias does not fit int32");
    layer.bias = *bias;
  }
  // Within int32 the int48 accumulator equals its narrowing, and so does
  // the int32 sum of the halves.
  if (llvm::any_of(accumulatorBounds(op, layer.weights, kInt16InputMagnitude,
                                     layer.bias),
                   [](int64_t bound) { return bound > INT32_MAX; }))
    return rewriter.notifyMatchFailure(narrowing, "int32 not provable");
  return layer;
}

struct SplitInt16Layer : OpRewritePattern<tosa::CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::CastOp narrowing,
                                PatternRewriter &rewriter) const override {
    FailureOr<Int16Layer> layer = matchInt16Layer(narrowing, rewriter);
    if (failed(layer))
      return failure();
    Operation *op = layer->op;
    Location loc = op->getLoc();
    auto inType = cast<RankedTensorType>(layer->input.getType());
    SmallVector<int64_t> ones(inType.getRank(), 1);
    Type i8 = rewriter.getI8Type();
    RankedTensorType bytes = inType.clone(i8);
    // hi = x >> 8 in [-128, 127]; lo - 128 = (x & 255) - 128 in [-128, 127].
    Value hi = tosa::CastOp::create(
        rewriter, loc, bytes,
        tosa::ArithmeticRightShiftOp::create(
            rewriter, loc, inType, layer->input,
            createIntegerConstant(rewriter, loc, ones, 16, {8}),
            /*round=*/false));
    Value lowByte = tosa::BitwiseAndOp::create(
        rewriter, loc, inType, layer->input,
        createIntegerConstant(rewriter, loc, ones, 16, {255}));
    Value lo = tosa::CastOp::create(
        rewriter, loc, bytes,
        tosa::SubOp::create(
            rewriter, loc, inType, lowByte,
            createIntegerConstant(rewriter, loc, ones, 16, {128})));

    Value weights = tosa::ConstOp::create(
        rewriter, loc, layer->weights.getType(), layer->weights);
    unsigned weightWidth =
        layer->weights.getElementType().getIntOrFloatBitWidth();
    Value weightZp =
        createIntegerConstant(rewriter, loc, {1}, weightWidth, {0});
    auto accType = narrowing.getType();
    Type i32 = rewriter.getI32Type();
    // One int8 layer on `x` (zero point `zp`) with `bias` (null: none).
    auto half = [&](Value x, int64_t zp, DenseIntElementsAttr bias) -> Value {
      Value xZp = createIntegerConstant(rewriter, loc, {1}, 8, {zp});
      if (isa<tosa::MatMulOp>(op))
        return tosa::MatMulOp::create(rewriter, loc, accType, x, weights, xZp,
                                      weightZp);
      int64_t channels = accType.getShape().back();
      Value b = bias
                    ? Value(tosa::ConstOp::create(rewriter, loc, bias.getType(),
                                                  bias))
                    : createIntegerConstant(rewriter, loc, {channels}, 32, {0});
      if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
        return tosa::Conv2DOp::create(
            rewriter, loc, accType, x, weights, b, xZp, weightZp,
            conv.getPadAttr(), conv.getStrideAttr(), conv.getDilationAttr(),
            TypeAttr::get(i32));
      auto dw = cast<tosa::DepthwiseConv2DOp>(op);
      return tosa::DepthwiseConv2DOp::create(
          rewriter, loc, accType, x, weights, b, xZp, weightZp, dw.getPadAttr(),
          dw.getStrideAttr(), dw.getDilationAttr(), TypeAttr::get(i32));
    };
    Value high = half(hi, 0, DenseIntElementsAttr());
    // The bias joins the unscaled half.
    Value low = half(lo, -128, layer->bias);
    SmallVector<int64_t> accOnes(accType.getRank(), 1);
    Value scaled = tosa::MulOp::create(
        rewriter, loc, accType, high,
        createIntegerConstant(rewriter, loc, accOnes, 32, {256}),
        createIntegerConstant(rewriter, loc, {1}, 8, {0}));
    rewriter.replaceOpWithNewOp<tosa::AddOp>(narrowing, accType, scaled, low);
    rewriter.eraseOp(op);
    return success();
  }
};

struct SplitInt16LayersPass
    : qopt::impl::SplitInt16LayersPassBase<SplitInt16LayersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateSplitInt16LayersPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void qopt::populateSplitInt16LayersPatterns(RewritePatternSet &patterns) {
  patterns.add<SplitInt16Layer>(patterns.getContext());
}
