//===- ConvertQDQToInteger.cpp - QDQ convolutions to integer arithmetic ---===//

#include "qopt/Dialect/QOpt/Transforms/IntegerLayers.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"
#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"
#include "qopt/Dialect/QOpt/Utils/QuantMath.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <functional>

namespace qopt {
#define GEN_PASS_DEF_CONVERTQDQTOINTEGERPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// Whether every value of a float constant is finite (NaN has no integer
/// image, so such a bias keeps its layer float).
bool allFinite(DenseFPElementsAttr values) {
  return llvm::all_of(values.getValues<APFloat>(),
                      [](const APFloat &v) { return v.isFinite(); });
}

/// Per-group weights as int8 weights at one scale per output channel.
struct UngroupedWeights {
  SmallVector<double> channelScales;
  DenseIntElementsAttr values; // i8: m * q
};

/// Per-group weights `stored` of `type` whose scales are u[c] * m, with u[c]
/// one unit per output channel c (along `channelAxis`) and m an integer in
/// [1, maxGroupMultiplier] (what qopt-insert-qdq gives layer weights), as
/// the int8 weights m * q at scale u[c]: the same real values, so the layer
/// is an ordinary per-channel int8 one. Fails for other scales.
FailureOr<UngroupedWeights> ungroupWeights(RankedTensorType type,
                                           DenseIntElementsAttr stored,
                                           int64_t channelAxis) {
  auto element = cast<quant::QuantizedType>(type.getElementType());
  StorageRange storage{element.getStorageTypeMin(),
                       element.getStorageTypeMax()};
  int64_t maxMultiplier = maxGroupMultiplier(storage);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t inner = 1;
  for (int64_t d : shape.drop_front(channelAxis + 1))
    inner *= d;
  auto channelOf = [&](int64_t i) { return (i / inner) % shape[channelAxis]; };
  ElementQuantParams params(type);
  UngroupedWeights result;
  result.channelScales.assign(shape[channelAxis], 0.0);
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    double &unit = result.channelScales[channelOf(i)];
    unit = std::max(unit, params.at(i).scale);
  }
  for (double &unit : result.channelScales)
    unit /= static_cast<double>(maxMultiplier);
  SmallVector<APInt> values;
  for (auto [i, q] : llvm::enumerate(stored.getValues<APInt>())) {
    double ratio = params.at(i).scale / result.channelScales[channelOf(i)];
    double m = std::round(ratio);
    // Scales are stored as float32: within its rounding of an integer.
    if (m < 1 || m > maxMultiplier || std::fabs(ratio - m) > 1e-5 * m)
      return failure();
    int64_t scaled = q.getSExtValue() * static_cast<int64_t>(m);
    values.emplace_back(8, scaled, /*isSigned=*/true);
  }
  auto i8Type = type.clone(IntegerType::get(type.getContext(), 8));
  result.values = DenseIntElementsAttr::get(i8Type, values);
  return result;
}

/// The integer operands of a QDQ convolution or matmul, or why there are
/// none.
struct IntegerConv {
  Value input; // i8 or i16 storage, zero point shifted for uint8
  int64_t inputZp = 0;
  double inputScale = 0;
  /// 8, or 16 for int16 activations: TOSA's int16 x int8 convolutions and
  /// int16 x int16 matmul accumulate in int48.
  unsigned inputBits = 8;
  Value weights; // i8 or i4 constant in the op's layout (i16 for an int16
                 // matmul)
  DenseIntElementsAttr weightValues; // the stored weights
  SmallVector<double> weightScales;  // per output channel (or one)
  std::string refusal;

  /// The real value of one accumulator step, s_x * s_w[c] (one: all).
  SmallVector<double> accumulatorScales() const {
    SmallVector<double> scales;
    for (double w : weightScales)
      scales.push_back(inputScale * w);
    return scales;
  }
};

/// Checks the operands of an integer layer: `input` must be a dequantized
/// 8-bit per-tensor tensor, or signed 16-bit with zero point 0 (TOSA's
/// int16 layers have none), `weight` a dequantized symmetric signed 2- to
/// 8-bit qopt.constant quantized per tensor or along `channelAxis` (-1: per
/// tensor only), `bias` (when given) a float constant. When `rewriterPtr`
/// is given, builds the integer operands; otherwise only checks. Weights of
/// 2 to 4 bits become an i4 TOSA constant (TOSA's int4 weights, which the
/// GEMM kernels store two per byte, or four when the values fit 2 bits),
/// wider ones i8; with int16 activations they are i8 (i16 for a matmul,
/// whose operands TOSA wants alike).
IntegerConv matchOperands(Value input, Value weight, Value bias,
                          int64_t channelAxis, Location loc,
                          PatternRewriter *rewriterPtr, bool isMatMul) {
  IntegerConv r;
  auto xDq = input.getDefiningOp<DequantizeOp>();
  auto xType = xDq ? dyn_cast<quant::UniformQuantizedType>(
                         xDq.getInput().getType().getElementType())
                   : nullptr;
  r.inputBits = xType ? xType.getStorageTypeIntegralWidth() : 0;
  if (!xType || (r.inputBits != 8 && r.inputBits != 16)) {
    r.refusal = "input is not a dequantized 8- or 16-bit per-tensor tensor";
    return r;
  }
  if (r.inputBits == 16 && (!xType.isSigned() || xType.getZeroPoint() != 0)) {
    r.refusal = "int16 activations need a signed type with zero point 0 "
                "(symmetric), as TOSA's int16 layers do";
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
  if (!wQuant || wQuant.getStorageTypeIntegralWidth() > 8 ||
      !wQuant.isSigned()) {
    r.refusal = "weights are not signed integers of 2 to 8 bits";
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
  } else if (auto t = dyn_cast<quant::UniformQuantizedSubChannelType>(wQuant)) {
    if (!t.getZeroPoints().isSplat() ||
        !t.getZeroPoints().getSplatValue<APInt>().isZero()) {
      r.refusal = "weights are not symmetric (zero point != 0)";
      return r;
    }
    auto storedWeights = cast<DenseIntElementsAttr>(wConst.getValue());
    RankedTensorType storedType = wConst.getOutput().getType();
    FailureOr<UngroupedWeights> ungrouped =
        ungroupWeights(storedType, storedWeights, channelAxis);
    if (failed(ungrouped)) {
      r.refusal = "per-group scales are not integer multiples (1 to 2^(8 - "
                  "bits)) of one scale per output channel, as "
                  "qopt-insert-qdq writes them for layer weights";
      return r;
    }
    r.weightScales = std::move(ungrouped->channelScales);
    r.weightValues = ungrouped->values;
  } else {
    r.refusal = "weights must be per tensor, per output channel or per group";
    return r;
  }
  DenseFPElementsAttr biasValues;
  if (bias && (!matchPattern(bias, m_Constant(&biasValues)) ||
               !allFinite(biasValues))) {
    r.refusal = "bias is not a finite float constant";
    return r;
  }
  r.inputScale = xType.getScale();
  bool grouped = static_cast<bool>(r.weightValues);
  if (!grouped)
    r.weightValues = cast<DenseIntElementsAttr>(wConst.getValue());

  if (!rewriterPtr)
    return r;
  PatternRewriter &rewriter = *rewriterPtr;
  auto i8 = rewriter.getI8Type();
  auto xTensor = xDq.getInput().getType();
  Value stored = quant::StorageCastOp::create(
      rewriter, loc, xTensor.clone(rewriter.getIntegerType(r.inputBits)),
      xDq.getInput());
  r.inputZp = xType.getZeroPoint();
  if (!xType.isSigned()) {
    SmallVector<int64_t> ones(xTensor.getRank(), 1);
    Value flip = createIntegerConstant(rewriter, loc, ones, 8, {-128});
    stored = tosa::BitwiseXorOp::create(rewriter, loc, xTensor.clone(i8),
                                        stored, flip);
    r.inputZp -= 128;
  }
  r.input = stored;
  auto wValues = r.weightValues;
  // Per-group weights m * q take 8 bits (the GEMM kernels store them as
  // int4 and per-group multipliers again).
  bool narrow = wQuant.getStorageTypeIntegralWidth() <= 4 && !grouped;
  unsigned tosaWidth =
      r.inputBits == 16 ? (isMatMul ? 16 : 8) : (narrow ? 4 : 8);
  if (wValues.getElementType().getIntOrFloatBitWidth() != tosaWidth)
    wValues = cast<DenseIntElementsAttr>(
        wValues.mapValues(rewriter.getIntegerType(tosaWidth),
                          [&](const APInt &v) { return v.sext(tosaWidth); }));
  r.weights = tosa::ConstOp::create(rewriter, loc, wValues.getType(), wValues);
  return r;
}

/// The integer operands of `op`; per-channel weight scales are accepted
/// along the output-channel axis (conv2d OHWI: 0; depthwise [KH, KW, C, M]:
/// 2; matmul [1, K, N]: 2).
IntegerConv matchLayer(Operation *op, PatternRewriter *rewriter) {
  if (auto conv = dyn_cast<tosa::Conv2DOp>(op))
    return matchOperands(conv.getInput(), conv.getWeight(), conv.getBias(), 0,
                         op->getLoc(), rewriter, /*isMatMul=*/false);
  if (auto dw = dyn_cast<tosa::DepthwiseConv2DOp>(op)) {
    // Weights [KH, KW, C, M]: output channel c * M + m has scale s[c].
    IntegerConv r = matchOperands(dw.getInput(), dw.getWeight(), dw.getBias(),
                                  2, op->getLoc(), rewriter,
                                  /*isMatMul=*/false);
    int64_t multiplier = dw.getWeight().getType().getShape()[3];
    if (r.weightScales.size() > 1 && multiplier > 1) {
      SmallVector<double> perOutput;
      for (double s : r.weightScales)
        perOutput.append(multiplier, s);
      r.weightScales = std::move(perOutput);
    }
    return r;
  }
  auto mm = cast<tosa::MatMulOp>(op);
  return matchOperands(mm.getA(), mm.getB(), Value(), 2, op->getLoc(), rewriter,
                       /*isMatMul=*/true);
}

/// A rank-1 zero-point operand of `elementType` (i8, or i4 for int4
/// weights), as TOSA convolutions and matmul take.
Value createZeroPoint(OpBuilder &builder, Location loc, int64_t value,
                      Type elementType) {
  return createIntegerConstant(builder, loc, {1},
                               elementType.getIntOrFloatBitWidth(), {value});
}

/// The zero point of integer weights: 0, of their element type.
Value createWeightZeroPoint(OpBuilder &builder, Location loc, Value weights) {
  return createZeroPoint(builder, loc, 0,
                         getElementTypeOrSelf(weights.getType()));
}

/// A float bias as the `width`-bit integer (32, or TOSA's 48 for int16
/// convolutions) an integer layer adds to its accumulator:
/// round(b[n] / scales[n]) ties to even, saturated (one scale: all).
DenseIntElementsAttr quantizeBias(DenseFPElementsAttr bias,
                                  ArrayRef<double> scales,
                                  unsigned width = 32) {
  StorageRange range = getIntegerRange(width, /*isUnsigned=*/false);
  constexpr RoundingMode kTiesToEven = RoundingMode::half_to_even;
  SmallVector<APInt> values;
  for (auto [n, real] : llvm::enumerate(bias.getValues<APFloat>())) {
    QuantParams step{scales[scales.size() == 1 ? 0 : n], 0};
    double value = real.convertToDouble();
    int64_t quantized = quantizeValue(value, step, range, kTiesToEven);
    values.emplace_back(width, quantized, /*isSigned=*/true);
  }
  auto type = bias.getType().clone(IntegerType::get(bias.getContext(), width));
  return DenseIntElementsAttr::get(type, values);
}

/// A matmul, optionally followed by a reshape and the add of a constant bias
/// (a fully-connected layer), ending at a quantize.
struct MatMulChain {
  tosa::MatMulOp matmul;
  tosa::ReshapeOp reshape;  // between matmul and bias add, or null
  tosa::AddOp add;          // the bias add, or null
  DenseFPElementsAttr bias; // its constant operand
};

/// quantize(add(reshape?(matmul), bias)) or quantize(matmul); the bias must
/// hold one value per matmul column.
std::optional<MatMulChain> matchMatMulChain(QuantizeOp quantize) {
  MatMulChain chain;
  Value value = quantize.getInput();
  if ((chain.add = value.getDefiningOp<tosa::AddOp>())) {
    if (!chain.add->hasOneUse())
      return std::nullopt;
    if (matchPattern(chain.add.getInput2(), m_Constant(&chain.bias)))
      value = chain.add.getInput1();
    else if (matchPattern(chain.add.getInput1(), m_Constant(&chain.bias)))
      value = chain.add.getInput2();
    else
      return std::nullopt;
    if ((chain.reshape = value.getDefiningOp<tosa::ReshapeOp>())) {
      if (!chain.reshape->hasOneUse())
        return std::nullopt;
      value = chain.reshape.getInput1();
    }
  }
  chain.matmul = value.getDefiningOp<tosa::MatMulOp>();
  if (!chain.matmul)
    return std::nullopt;
  int64_t columns = chain.matmul.getType().getShape().back();
  if (chain.bias && (chain.bias.getNumElements() != columns ||
                     chain.bias.getType().getShape().back() != columns ||
                     !allFinite(chain.bias)))
    return std::nullopt;
  return chain;
}

/// How an int16 layer's int48 accumulator reaches its int8/int16 output.
struct Int16Requantize {
  /// Empty when every channel's bound fits int32: the accumulator is
  /// narrowed exactly (tosa.cast) and requantized as an int32 one.
  /// Otherwise TOSA's RESCALE of the int48 accumulator, which TOSA allows
  /// only with 16-bit multipliers: one per channel (or one for all).
  SmallVector<DyadicScale> wideScales;
  std::string refusal;
};

/// Plans the requantize of int16 layer `layer` (operands `ops`, float
/// `bias` or null) to `output`, quantized per tensor.
Int16Requantize planInt16Requantize(Operation *layer, const IntegerConv &ops,
                                    DenseFPElementsAttr bias,
                                    quant::UniformQuantizedType output) {
  SmallVector<double> accScales = ops.accumulatorScales();
  // The bias at TOSA's 48 bits, so that no saturation hides a large one.
  SmallVector<int64_t> bounds = accumulatorBounds(
      layer, ops.weightValues, kInt16InputMagnitude,
      bias ? quantizeBias(bias, accScales, 48) : DenseIntElementsAttr());
  int64_t worst = *llvm::max_element(bounds);
  Int16Requantize plan;
  if (worst <= INT32_MAX)
    return plan;
  std::string reach = "with int16 activations its accumulator can reach " +
                      std::to_string(worst) + ", beyond int32; ";
  if (isa<tosa::MatMulOp>(layer) && bias) {
    plan.refusal = reach + "TOSA has no int48 add for the bias of a matmul";
    return plan;
  }
  if (!output.isSigned()) {
    plan.refusal = reach + "the int48 requantize needs a signed output";
    return plan;
  }
  for (auto [c, bound] : llvm::enumerate(bounds)) {
    double scale = accScales[accScales.size() == 1 ? 0 : c];
    DyadicConversion conversion = toDyadicScale16(scale / output.getScale());
    if (conversion.status == DyadicStatus::tooLarge) {
      plan.refusal = reach + "the requantize multiplier " +
                     std::to_string(scale / output.getScale()) +
                     " is beyond TOSA's 16-bit form (< 2^13)";
      return plan;
    }
    // TOSA requires the rescaled value, before the output zero point and
    // saturation, to fit int32 (upstream's lowering truncates it).
    int64_t rescaled =
        std::max(std::abs(applyDyadicScale(bound, conversion.scale,
                                           RoundingMode::single_round)),
                 std::abs(applyDyadicScale(-bound, conversion.scale,
                                           RoundingMode::single_round)));
    if (rescaled + std::abs(output.getZeroPoint()) > INT32_MAX) {
      plan.refusal = reach + "rescaled to the output it can still reach " +
                     std::to_string(rescaled) +
                     ", beyond TOSA's int32 intermediate";
      return plan;
    }
    if (accScales.size() > 1 || c == 0)
      plan.wideScales.push_back(conversion.scale);
  }
  return plan;
}

/// The quantize ending the fully-connected chain (reshape, bias add) that
/// starts at `matmul`, or null.
QuantizeOp fullyConnectedQuantize(tosa::MatMulOp matmul) {
  Operation *op = matmul;
  while (op->hasOneUse() &&
         isa<tosa::MatMulOp, tosa::ReshapeOp, tosa::AddOp>(op))
    op = *op->getUsers().begin();
  auto quantize = dyn_cast<QuantizeOp>(op);
  std::optional<MatMulChain> chain =
      quantize ? matchMatMulChain(quantize) : std::nullopt;
  return chain && chain->matmul == matmul ? quantize : QuantizeOp();
}

/// The float bias of `layer` ending at `quantize` (conv: its operand;
/// matmul: the add of a fully-connected chain), or null.
DenseFPElementsAttr layerBias(Operation *layer, QuantizeOp quantize) {
  DenseFPElementsAttr bias;
  if (isa<tosa::MatMulOp>(layer)) {
    if (std::optional<MatMulChain> chain = matchMatMulChain(quantize))
      bias = chain->bias;
  } else {
    matchPattern(layer->getOperand(2), m_Constant(&bias));
  }
  return bias;
}

/// The per-tensor quantized type `quantize` produces (checked by
/// refusalFor before any use).
quant::UniformQuantizedType outputType(QuantizeOp quantize) {
  return cast<quant::UniformQuantizedType>(
      quantize.getOutput().getType().getElementType());
}

/// Why the quantize of `layer` cannot become integer arithmetic ("" if
/// it can).
std::string refusalFor(Operation *layer, QuantizeOp quantize) {
  if (!layer->hasOneUse())
    return "its result has other uses";
  if (!isa<quant::UniformQuantizedType>(
          quantize.getOutput().getType().getElementType()))
    return "its output is not quantized per tensor";
  IntegerConv ops = matchLayer(layer, nullptr);
  if (!ops.refusal.empty() || ops.inputBits != 16)
    return ops.refusal;
  return planInt16Requantize(layer, ops, layerBias(layer, quantize),
                             outputType(quantize))
      .refusal;
}

/// Replaces `quantize` by TOSA's RESCALE of the int48 accumulator `acc`
/// (16-bit multipliers, single rounding: (acc * M + 2^(s-1)) >> s, then
/// the output zero point and saturation to the output's storage range).
void replaceWithWideRescale(PatternRewriter &rewriter, QuantizeOp quantize,
                            Value acc, ArrayRef<DyadicScale> scales) {
  Location loc = quantize.getLoc();
  auto accType = cast<RankedTensorType>(acc.getType());
  RankedTensorType outType = quantize.getOutput().getType();
  auto outQuant = outputType(quantize);
  Type storage = outQuant.getStorageType();
  auto channels = static_cast<int64_t>(scales.size());
  SmallVector<int64_t> multipliers, shifts;
  for (DyadicScale scale : scales) {
    multipliers.push_back(scale.multiplier);
    shifts.push_back(scale.shift);
  }
  Value rescaled = tosa::RescaleOp::create(
      rewriter, loc, accType.clone(storage), acc,
      createIntegerConstant(rewriter, loc, {channels}, 16, multipliers),
      createIntegerConstant(rewriter, loc, {channels}, 8, shifts),
      createZeroPoint(rewriter, loc, 0, accType.getElementType()),
      createZeroPoint(rewriter, loc, outQuant.getZeroPoint(), storage),
      /*scale32=*/false, tosa::RoundingMode::SINGLE_ROUND,
      /*per_channel=*/channels > 1, /*input_unsigned=*/false,
      /*output_unsigned=*/false);
  // A narrow range (e.g. [-127, 127]) is tighter than RESCALE's saturation.
  StorageRange full = getIntegerRange(outQuant.getStorageTypeIntegralWidth(),
                                      /*isUnsigned=*/false);
  if (outQuant.getStorageTypeMin() != full.min ||
      outQuant.getStorageTypeMax() != full.max)
    rescaled = tosa::ClampOp::create(
        rewriter, loc, rescaled.getType(), rescaled,
        rewriter.getIntegerAttr(storage, outQuant.getStorageTypeMin()),
        rewriter.getIntegerAttr(storage, outQuant.getStorageTypeMax()));
  rewriter.replaceOpWithNewOp<quant::StorageCastOp>(quantize, outType,
                                                    rescaled);
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

/// A rewrite rooted at the quantize after a float op; the requantizes it
/// creates round with `rounding`.
struct QuantizeRootPattern : OpRewritePattern<QuantizeOp> {
  QuantizeRootPattern(MLIRContext *ctx, RoundingMode rounding)
      : OpRewritePattern(ctx), rounding(rounding) {}
  RoundingMode rounding;
};

template <typename ConvOp> struct ConvertConv : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

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
    // int32 bias at scale s_x * s_w[c].
    DenseFPElementsAttr bias;
    matchPattern(conv.getBias(), m_Constant(&bias));
    SmallVector<double> accScales = ops.accumulatorScales();
    auto i32 = rewriter.getI32Type();
    // int16 activations: TOSA's int48 accumulator and bias, narrowed to
    // int32 exactly where the bounds allow, else requantized from int48.
    Type accElement = ops.inputBits == 16 ? rewriter.getIntegerType(48) : i32;
    DenseElementsAttr intBiasValues =
        quantizeBias(bias, accScales, accElement.getIntOrFloatBitWidth());
    Value intBias = tosa::ConstOp::create(
        rewriter, loc, cast<RankedTensorType>(intBiasValues.getType()),
        intBiasValues);
    Value acc =
        ConvOp::create(rewriter, loc, resultType.clone(accElement), ops.input,
                       ops.weights, intBias,
                       createZeroPoint(rewriter, loc, ops.inputZp,
                                       rewriter.getIntegerType(ops.inputBits)),
                       createWeightZeroPoint(rewriter, loc, ops.weights),
                       conv.getPadAttr(), conv.getStrideAttr(),
                       conv.getDilationAttr(), TypeAttr::get(accElement));
    if (accElement != i32) {
      Int16Requantize plan =
          planInt16Requantize(conv, ops, bias, outputType(quantize));
      if (!plan.wideScales.empty()) {
        replaceWithWideRescale(rewriter, quantize, acc, plan.wideScales);
        rewriter.eraseOp(conv);
        return success();
      }
      acc = tosa::CastOp::create(rewriter, loc, resultType.clone(i32), acc);
    }
    replaceWithRequantize(rewriter, quantize, acc, accScales, rounding);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// quantize(add(reshape?(matmul(dequantize(a), dequantize(B))), bias)) ->
/// integer matmul, the bias added in the int32 accumulator at s_a * s_B[n]
/// (ties to even), requantize.
struct ConvertMatMul : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    std::optional<MatMulChain> chain = matchMatMulChain(quantize);
    if (!chain || !refusalFor(chain->matmul, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    tosa::MatMulOp mm = chain->matmul;
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(mm);
    IntegerConv ops = matchLayer(mm, &rewriter);
    Location loc = mm.getLoc();
    auto resultType = cast<RankedTensorType>(mm.getType());
    auto i32 = rewriter.getI32Type();
    // int16 activations: TOSA's int16 x int16 matmul into int48, narrowed
    // to int32 exactly where the bounds allow, else requantized from int48
    // (refusalFor ruled out a bias then).
    Type accElement = ops.inputBits == 16 ? rewriter.getIntegerType(48) : i32;
    Value acc = tosa::MatMulOp::create(
        rewriter, loc, resultType.clone(accElement), ops.input, ops.weights,
        createZeroPoint(rewriter, loc, ops.inputZp,
                        rewriter.getIntegerType(ops.inputBits)),
        createWeightZeroPoint(rewriter, loc, ops.weights));
    if (accElement != i32) {
      Int16Requantize plan =
          planInt16Requantize(mm, ops, chain->bias, outputType(quantize));
      if (!plan.wideScales.empty()) {
        replaceWithWideRescale(rewriter, quantize, acc, plan.wideScales);
        rewriter.eraseOp(mm);
        return success();
      }
      acc = tosa::CastOp::create(rewriter, loc, resultType.clone(i32), acc);
    }
    SmallVector<double> accScales = ops.accumulatorScales();
    if (chain->reshape) {
      rewriter.setInsertionPoint(chain->reshape);
      acc = tosa::ReshapeOp::create(rewriter, chain->reshape.getLoc(),
                                    chain->reshape.getType().clone(i32), acc,
                                    chain->reshape.getShape());
    }
    if (chain->bias) {
      rewriter.setInsertionPoint(chain->add);
      DenseElementsAttr intBiasValues = quantizeBias(chain->bias, accScales);
      Value intBias = tosa::ConstOp::create(
          rewriter, chain->add.getLoc(),
          cast<RankedTensorType>(intBiasValues.getType()), intBiasValues);
      acc = tosa::AddOp::create(rewriter, chain->add.getLoc(),
                                chain->add.getType().clone(i32), acc, intBias);
    }
    replaceWithRequantize(rewriter, quantize, acc, accScales, rounding);
    if (chain->add)
      rewriter.eraseOp(chain->add);
    if (chain->reshape)
      rewriter.eraseOp(chain->reshape);
    rewriter.eraseOp(mm);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Ops on 8-bit values: data movement, pooling, clamp, add, mul, concat
//===----------------------------------------------------------------------===//

/// The per-tensor 8-bit (with `allow16`, or 16-bit) quantized tensor
/// `value` is the dequantization of, or null.
Value dequantizedSource(Value value, bool allow16 = false) {
  auto dq = value.getDefiningOp<DequantizeOp>();
  if (!dq)
    return Value();
  auto type = dyn_cast<quant::UniformQuantizedType>(
      dq.getInput().getType().getElementType());
  unsigned width = type ? type.getStorageTypeIntegralWidth() : 0;
  return width == 8 || (allow16 && width == 16) ? dq.getInput() : Value();
}

quant::UniformQuantizedType perTensorType(Value quantized) {
  return dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(quantized.getType()).getElementType());
}

/// Why the quantize after `op` cannot be produced by an integer op with the
/// input of `op` in `operandIndex` ("" when it can): the input must be a
/// per-tensor 8-bit dequantization, the output per tensor 8-bit (with
/// `allow16`, either may be 16-bit), and both signed when `needsSigned`
/// (integer comparisons on the stored values).
std::string checkUnary(Operation *op, QuantizeOp quantize, bool needsSigned,
                       bool allow16 = false) {
  if (!op->hasOneUse())
    return "its result has other uses";
  StringRef widths = allow16 ? "8- or 16-bit" : "8-bit";
  Value source = dequantizedSource(op->getOperand(0), allow16);
  if (!source)
    return ("its input is not a dequantized " + widths + " per-tensor tensor")
        .str();
  auto out = dyn_cast<quant::UniformQuantizedType>(
      quantize.getOutput().getType().getElementType());
  unsigned outWidth = out ? out.getStorageTypeIntegralWidth() : 0;
  if (outWidth != 8 && !(allow16 && outWidth == 16))
    return ("its output is not quantized " + widths + " per tensor").str();
  if (needsSigned && (!perTensorType(source).isSigned() || !out.isSigned()))
    return "it is quantized unsigned (only signed 8-bit is supported)";
  return "";
}

/// The stored integers of a quantized tensor.
Value storageOf(OpBuilder &builder, Location loc, Value quantized) {
  auto type = cast<RankedTensorType>(quantized.getType());
  auto element = cast<quant::QuantizedType>(type.getElementType());
  return quant::StorageCastOp::create(
      builder, loc, type.clone(element.getStorageType()), quantized);
}

/// `quantized` requantized to `element`, or itself when it has that type.
/// A requantize between 8-bit types is an extra rounding step the float
/// model does not have; `user` gets a remark saying why it is there.
Value requantizeTo(PatternRewriter &rewriter, Location loc, Value quantized,
                   Type element, RoundingMode rounding, Operation *user,
                   StringRef why) {
  auto type = cast<RankedTensorType>(quantized.getType());
  if (type.getElementType() == element)
    return quantized;
  if (user)
    user->emitRemark() << "requantize inserted: " << why << " ("
                       << type.getElementType() << " -> " << element << ")";
  return RequantizeOp::create(
      rewriter, loc, type.clone(element), quantized,
      RoundingModeAttr::get(rewriter.getContext(), rounding));
}

/// A per-tensor int32 accumulator type at `scale`, zero point 0.
Type accumulatorType(Builder &builder, double scale) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, builder.getI32Type(),
      builder.getF32Type(), scale, 0, INT32_MIN, INT32_MAX);
}

/// quantize_B(op(dequantize_A(x))) for data movement and max pooling: the
/// op runs on the stored integers of x requantized to B. Max commutes with
/// any increasing map, so requantizing first is exact; with A == B (what
/// qopt-propagate-ranges arranges) there is nothing to requantize. 8- and
/// 16-bit values alike.
template <typename OpTy> struct ConvertDataMovement : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto op = quantize.getInput().getDefiningOp<OpTy>();
    if (!op || !checkUnary(op, quantize, isa<tosa::MaxPool2dOp>(op),
                           /*allow16=*/true)
                    .empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    RankedTensorType outType = quantize.getOutput().getType();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    Value source = requantizeTo(
        rewriter, op.getLoc(), dequantizedSource(op->getOperand(0), true),
        outType.getElementType(), rounding, op,
        "its input and output were calibrated to different ranges");
    Value stored = storageOf(rewriter, op.getLoc(), source);
    Operation *intOp = rewriter.clone(*op);
    intOp->setOperand(0, stored);
    intOp->getResult(0).setType(outType.clone(
        cast<RankedTensorType>(stored.getType()).getElementType()));
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(quantize, outType,
                                                      intOp->getResult(0));
    rewriter.eraseOp(op);
    return success();
  }
};

/// quantize_B(clamp(dequantize_A(x), lo, hi)) -> clamp of the stored values
/// to [q(lo), q(hi)], then requantize to B. Exact: for an integer q,
/// max(q, round(lo / s) + zp) equals round(max(s (q - zp), lo) / s) + zp for
/// any monotone rounding. The clamp disappears when those bounds cover the
/// whole storage range, as after qopt-propagate-ranges fused it into the
/// producer's range.
struct ConvertClamp : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto clamp = quantize.getInput().getDefiningOp<tosa::ClampOp>();
    if (!clamp || !clampRefusal(clamp, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    Value source = dequantizedSource(clamp.getInput(), /*allow16=*/true);
    auto type = perTensorType(source);
    QuantParams params{type.getScale(), type.getZeroPoint()};
    StorageRange range = getStorageRange(type);
    int64_t lo =
        quantizeValue(cast<FloatAttr>(clamp.getMinValAttr()).getValueAsDouble(),
                      params, range, quantize.getRounding());
    int64_t hi =
        quantizeValue(cast<FloatAttr>(clamp.getMaxValAttr()).getValueAsDouble(),
                      params, range, quantize.getRounding());
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(clamp);
    Location loc = clamp.getLoc();
    Value clamped = source;
    if (lo > range.min || hi < range.max) {
      Value stored = storageOf(rewriter, loc, source);
      Type storage = type.getStorageType();
      Value intClamp =
          tosa::ClampOp::create(rewriter, loc, stored.getType(), stored,
                                rewriter.getIntegerAttr(storage, lo),
                                rewriter.getIntegerAttr(storage, hi));
      clamped = quant::StorageCastOp::create(rewriter, loc, source.getType(),
                                             intClamp);
    }
    Value result = requantizeTo(
        rewriter, loc, clamped, quantize.getOutput().getType().getElementType(),
        rounding, clamp, "the clamp's input and output types differ");
    rewriter.replaceOp(quantize, result);
    rewriter.eraseOp(clamp);
    return success();
  }

  static std::string clampRefusal(tosa::ClampOp clamp, QuantizeOp quantize) {
    if (!isa<FloatAttr>(clamp.getMinValAttr()) ||
        !isa<FloatAttr>(clamp.getMaxValAttr()))
      return "its bounds are not floats";
    return checkUnary(clamp, quantize, /*needsSigned=*/true,
                      /*allow16=*/true);
  }
};

/// quantize_B(avg_pool2d(dequantize_A(x))) -> TOSA's int8 average pool
/// (int32 sum, division by the window size rounded as tosa-to-linalg does)
/// at A's scale with B's zero point, then a requantize if the scales
/// differ.
struct ConvertAvgPool : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto pool = quantize.getInput().getDefiningOp<tosa::AvgPool2dOp>();
    if (!pool || !refusal(pool, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    Value source = dequantizedSource(pool.getInput(), /*allow16=*/true);
    auto inType = perTensorType(source);
    RankedTensorType outType = quantize.getOutput().getType();
    auto outQuant = cast<quant::UniformQuantizedType>(outType.getElementType());
    // The pool keeps A's scale; with B's zero point when the scales agree.
    auto poolQuant =
        inType.getScale() == outQuant.getScale()
            ? outQuant
            : quant::UniformQuantizedType::get(
                  inType.getFlags(), inType.getStorageType(),
                  inType.getExpressedType(), inType.getScale(),
                  inType.getZeroPoint(), inType.getStorageTypeMin(),
                  inType.getStorageTypeMax());
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(pool);
    Location loc = pool.getLoc();
    Type storage = inType.getStorageType(), i32 = rewriter.getI32Type();
    Value stored = storageOf(rewriter, loc, source);
    Value intPool = tosa::AvgPool2dOp::create(
        rewriter, loc, outType.clone(storage), stored,
        createZeroPoint(rewriter, loc, inType.getZeroPoint(), storage),
        createZeroPoint(rewriter, loc, poolQuant.getZeroPoint(), storage),
        pool.getKernelAttr(), pool.getStrideAttr(), pool.getPadAttr(),
        TypeAttr::get(i32));
    Value pooled = quant::StorageCastOp::create(
        rewriter, loc, outType.clone(poolQuant), intPool);
    rewriter.replaceOp(
        quantize, requantizeTo(rewriter, loc, pooled, outQuant, rounding, pool,
                               "the pool's input and output scales "
                               "differ"));
    rewriter.eraseOp(pool);
    return success();
  }

  /// Signed 8-bit, or 16-bit with zero point 0 (TOSA's int16 pools have
  /// none), with the output's width equal to the input's (the pool keeps the
  /// input's storage).
  static std::string refusal(tosa::AvgPool2dOp pool, QuantizeOp quantize) {
    std::string why = checkUnary(pool, quantize, /*needsSigned=*/true,
                                 /*allow16=*/true);
    if (!why.empty())
      return why;
    auto in = perTensorType(dequantizedSource(pool.getInput(), true));
    auto out = cast<quant::UniformQuantizedType>(
        quantize.getOutput().getType().getElementType());
    if (in.getStorageTypeIntegralWidth() != out.getStorageTypeIntegralWidth())
      return "its input and output widths differ";
    if (in.getStorageTypeIntegralWidth() == 16 &&
        (in.getZeroPoint() != 0 || out.getZeroPoint() != 0))
      return "int16 pools need zero points of 0";
    return "";
  }
};

/// The float function a unary elementwise op computes, for the ops an 8-bit
/// lookup table can replace.
std::function<double(double)> tableFunction(Operation *op) {
  if (isa<tosa::SigmoidOp>(op))
    return [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  if (isa<tosa::TanhOp>(op))
    return [](double x) { return std::tanh(x); };
  if (isa<tosa::ExpOp>(op))
    return [](double x) { return std::exp(x); };
  if (isa<tosa::ErfOp>(op))
    return [](double x) { return std::erf(x); };
  return nullptr;
}

/// quantize_B(f(dequantize_A(x))) for a unary elementwise f (sigmoid, tanh,
/// exp, erf) -> tosa.table: an int8 input has 256 values, so the table
/// holds quantize_B(f(dequantize_A(q))) for each, computed here in double
/// (the float model computes f in float32, so the two can differ where
/// f(x) falls within float32 rounding of a rounding tie).
struct ConvertToTable : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    Operation *op = quantize.getInput().getDefiningOp();
    std::function<double(double)> f = op ? tableFunction(op) : nullptr;
    if (!f || !checkUnary(op, quantize, /*needsSigned=*/true).empty())
      return rewriter.notifyMatchFailure(quantize, "not a table op");
    Value source = dequantizedSource(op->getOperand(0));
    auto in = perTensorType(source);
    RankedTensorType outType = quantize.getOutput().getType();
    auto out = cast<quant::UniformQuantizedType>(outType.getElementType());
    StorageRange outRange = getStorageRange(out);
    SmallVector<int8_t> table;
    for (int64_t q = -128; q <= 127; ++q) {
      double x = static_cast<float>(in.getScale()) *
                 static_cast<float>(q - in.getZeroPoint());
      double y = f(x);
      table.push_back(static_cast<int8_t>(
          std::isnan(y) ? out.getZeroPoint()
                        : quantizeValue(y, {out.getScale(), out.getZeroPoint()},
                                        outRange, quantize.getRounding())));
    }
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(op);
    Location loc = op->getLoc();
    auto i8 = rewriter.getI8Type();
    auto tableType = RankedTensorType::get({256}, i8);
    Value tableConst = tosa::ConstOp::create(
        rewriter, loc, tableType,
        DenseElementsAttr::get(tableType, ArrayRef(table)));
    Value lookup =
        tosa::TableOp::create(rewriter, loc, outType.clone(i8),
                              storageOf(rewriter, loc, source), tableConst);
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(quantize, outType,
                                                      lookup);
    rewriter.eraseOp(op);
    return success();
  }
};

/// Why a binary elementwise op of two dequantized tensors cannot be
/// integer ("" when it can).
std::string checkBinary(Operation *op, QuantizeOp quantize) {
  if (!op->hasOneUse())
    return "its result has other uses";
  if (!dequantizedSource(op->getOperand(0), /*allow16=*/true) ||
      !dequantizedSource(op->getOperand(1), /*allow16=*/true))
    return "its inputs are not both dequantized 8- or 16-bit per-tensor "
           "tensors";
  if (!isa<quant::UniformQuantizedType>(
          quantize.getOutput().getType().getElementType()))
    return "its output is not quantized per tensor";
  return "";
}

/// Headroom of the common add scale, as TFLite's add: inputs are rescaled
/// to 2 * max(s_a, s_b) / 2^20, so the rounding there is 2^-20 of an input
/// step, far below the output's; with an int16 input 2^-15 (TFLite's int16
/// add), so that 2^15 * 2^15 * 2 still fits int32.
int addLeftShift(Value a, Value b) {
  return perTensorType(a).getStorageTypeIntegralWidth() == 16 ||
                 perTensorType(b).getStorageTypeIntegralWidth() == 16
             ? 15
             : 20;
}

/// quantize_C(add(dequantize_A(a), dequantize_B(b))) -> both inputs
/// requantized to an int32 accumulator at a common scale, an int32 add, and
/// a requantize to C (TOSA's and TFLite's integer add).
struct ConvertAdd : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto add = quantize.getInput().getDefiningOp<tosa::AddOp>();
    if (!add || !checkBinary(add, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    Value a = dequantizedSource(add.getInput1(), /*allow16=*/true);
    Value b = dequantizedSource(add.getInput2(), /*allow16=*/true);
    double scale =
        2 * std::max(perTensorType(a).getScale(), perTensorType(b).getScale()) /
        double(1 << addLeftShift(a, b));
    Type acc = accumulatorType(rewriter, scale);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(add);
    Location loc = add.getLoc();
    auto widen = [&](Value v) {
      return storageOf(
          rewriter, loc,
          requantizeTo(rewriter, loc, v, acc, rounding, nullptr, ""));
    };
    RankedTensorType outType = quantize.getOutput().getType();
    Value sum =
        tosa::AddOp::create(rewriter, loc, outType.clone(rewriter.getI32Type()),
                            widen(a), widen(b));
    replaceWithRequantize(rewriter, quantize, sum, {scale}, rounding);
    rewriter.eraseOp(add);
    return success();
  }
};

/// quantize_C(mul(dequantize_A(a), dequantize_B(b))) -> (a - zp_a) *
/// (b - zp_b) in int32 (exact: |product| <= 2^16 for 8-bit inputs, 2^30 for
/// symmetric int16; checked), an accumulator at s_a * s_b, and a requantize
/// to C.
struct ConvertMul : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto mul = quantize.getInput().getDefiningOp<tosa::MulOp>();
    if (!mul || !mulRefusal(mul, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    Value a = dequantizedSource(mul.getInput1(), /*allow16=*/true);
    Value b = dequantizedSource(mul.getInput2(), /*allow16=*/true);
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(mul);
    Location loc = mul.getLoc();
    // Requantizing by exactly 1 to zero point 0 subtracts the zero point.
    auto centered = [&](Value v) {
      double s = perTensorType(v).getScale();
      return storageOf(rewriter, loc,
                       requantizeTo(rewriter, loc, v,
                                    accumulatorType(rewriter, s), rounding,
                                    nullptr, ""));
    };
    RankedTensorType outType = quantize.getOutput().getType();
    Value noShift = createIntegerConstant(rewriter, loc, {1}, 8, {0});
    Value product =
        tosa::MulOp::create(rewriter, loc, outType.clone(rewriter.getI32Type()),
                            centered(a), centered(b), noShift);
    replaceWithRequantize(
        rewriter, quantize, product,
        {perTensorType(a).getScale() * perTensorType(b).getScale()}, rounding);
    rewriter.eraseOp(mul);
    return success();
  }

  static std::string mulRefusal(tosa::MulOp mul, QuantizeOp quantize) {
    APInt shift;
    if (!matchPattern(mul.getShift(), m_ConstantInt(&shift)) || !shift.isZero())
      return "its shift is not a constant 0";
    if (std::string refusal = checkBinary(mul, quantize); !refusal.empty())
      return refusal;
    auto largestCentered = [](Value v) {
      quant::UniformQuantizedType t =
          perTensorType(dequantizedSource(v, /*allow16=*/true));
      return std::max(std::abs(t.getStorageTypeMin() - t.getZeroPoint()),
                      std::abs(t.getStorageTypeMax() - t.getZeroPoint()));
    };
    if (largestCentered(mul.getInput1()) * largestCentered(mul.getInput2()) >
        INT32_MAX)
      return "the product of its inputs (minus their zero points) can leave "
             "int32";
    return "";
  }
};

/// quantize_C(concat(dequantize_Ai(x_i))) -> concat of the stored values,
/// each input requantized to C unless it already has C's type (what
/// qopt-propagate-ranges arranges when it can).
struct ConvertConcat : QuantizeRootPattern {
  using QuantizeRootPattern::QuantizeRootPattern;

  LogicalResult matchAndRewrite(QuantizeOp quantize,
                                PatternRewriter &rewriter) const override {
    auto concat = quantize.getInput().getDefiningOp<tosa::ConcatOp>();
    if (!concat || !concatRefusal(concat, quantize).empty())
      return rewriter.notifyMatchFailure(quantize, "not convertible");
    RankedTensorType outType = quantize.getOutput().getType();
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(concat);
    Location loc = concat.getLoc();
    SmallVector<Value> stored;
    for (Value input : concat.getInput1())
      stored.push_back(storageOf(
          rewriter, loc,
          requantizeTo(rewriter, loc,
                       dequantizedSource(input, /*allow16=*/true),
                       outType.getElementType(), rounding, concat,
                       "a concat input has its own range (its producer has "
                       "other uses)")));
    auto storage =
        cast<quant::QuantizedType>(outType.getElementType()).getStorageType();
    Value intConcat = tosa::ConcatOp::create(
        rewriter, loc, outType.clone(storage), stored, concat.getAxisAttr());
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(quantize, outType,
                                                      intConcat);
    rewriter.eraseOp(concat);
    return success();
  }

  static std::string concatRefusal(tosa::ConcatOp concat, QuantizeOp quantize) {
    if (!concat->hasOneUse())
      return "its result has other uses";
    if (!llvm::all_of(concat.getInput1(), [](Value v) {
          return bool(dequantizedSource(v, /*allow16=*/true));
        }))
      return "its inputs are not all dequantized 8- or 16-bit per-tensor "
             "tensors";
    auto out = dyn_cast<quant::UniformQuantizedType>(
        quantize.getOutput().getType().getElementType());
    if (!out || (out.getStorageTypeIntegralWidth() != 8 &&
                 out.getStorageTypeIntegralWidth() != 16))
      return "its output is not quantized 8- or 16-bit per tensor";
    return "";
  }
};

/// Why the quantize after `op` cannot be produced in integer arithmetic
/// ("" when it can); one place for the patterns' checks and the warnings.
std::string integerRefusal(Operation *op, QuantizeOp quantize) {
  if (tableFunction(op))
    return quantize ? checkUnary(op, quantize, /*needsSigned=*/true)
                    : "its result is not quantized";
  if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp,
           tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ReshapeOp,
           tosa::TransposeOp, tosa::SliceOp, tosa::ClampOp, tosa::AddOp,
           tosa::MulOp, tosa::ConcatOp>(op))
    return "qopt has no integer form for '" +
           op->getName().getStringRef().str() + "' yet";
  if (!quantize)
    return "its result is not quantized";
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
    return refusalFor(op, quantize);
  if (isa<tosa::MaxPool2dOp>(op))
    return checkUnary(op, quantize, /*needsSigned=*/true, /*allow16=*/true);
  if (auto pool = dyn_cast<tosa::AvgPool2dOp>(op))
    return ConvertAvgPool::refusal(pool, quantize);
  if (isa<tosa::ReshapeOp, tosa::TransposeOp, tosa::SliceOp>(op))
    return checkUnary(op, quantize, /*needsSigned=*/false, /*allow16=*/true);
  if (auto clamp = dyn_cast<tosa::ClampOp>(op))
    return ConvertClamp::clampRefusal(clamp, quantize);
  if (isa<tosa::AddOp>(op))
    return checkBinary(op, quantize);
  if (auto mul = dyn_cast<tosa::MulOp>(op))
    return ConvertMul::mulRefusal(mul, quantize);
  return ConvertConcat::concatRefusal(cast<tosa::ConcatOp>(op), quantize);
}

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
      // A fully-connected chain (matmul, reshape, bias add) is one layer:
      // reported once, at its matmul.
      if (auto mm = dyn_cast<tosa::MatMulOp>(op); mm && !quantize)
        quantize = fullyConnectedQuantize(mm);
      if (auto add = dyn_cast<tosa::AddOp>(op); add && quantize)
        if (std::optional<MatMulChain> chain = matchMatMulChain(quantize);
            chain && chain->add == add)
          return;
      if (!quantize && llvm::none_of(op->getOperands(), [](Value v) {
            return v.getDefiningOp<DequantizeOp>();
          }))
        return;
      op->emitWarning() << "kept in float: " << integerRefusal(op, quantize);
    });
  }
};
} // namespace

void qopt::populateConvertQDQToIntegerPatterns(RewritePatternSet &patterns,
                                               RoundingMode requantRounding) {
  patterns
      .add<ConvertConv<tosa::Conv2DOp>, ConvertConv<tosa::DepthwiseConv2DOp>,
           ConvertMatMul, ConvertDataMovement<tosa::MaxPool2dOp>,
           ConvertDataMovement<tosa::ReshapeOp>,
           ConvertDataMovement<tosa::TransposeOp>,
           ConvertDataMovement<tosa::SliceOp>, ConvertClamp, ConvertAvgPool,
           ConvertAdd, ConvertMul, ConvertConcat>(patterns.getContext(),
                                                  requantRounding);
  patterns.add<ConvertToTable>(patterns.getContext());
}
