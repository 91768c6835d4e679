//===- QOptToArith.cpp - qopt.rescale -> linalg.generic + arith -----------===//

#include "qopt/Conversion/QOptToArith/QOptToArith.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"
#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include "mlir/Analysis/DataFlow/ConstantPropagationAnalysis.h"
#include "mlir/Analysis/DataFlow/DeadCodeAnalysis.h"
#include "mlir/Analysis/DataFlow/IntegerRangeAnalysis.h"
#include "mlir/Analysis/DataFlowFramework.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTQOPTTOARITHPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

//===----------------------------------------------------------------------===//
// Planning
//===----------------------------------------------------------------------===//

static constexpr int64_t kInt32Min = INT32_MIN;
static constexpr int64_t kInt32Max = INT32_MAX;

RescaleLoweringPlan qopt::planRescaleLowering(RescaleOp op,
                                              const ConstantIntRanges &range) {
  auto str = [](auto v) { return std::to_string(v); };
  int64_t inputZp = op.getInputZpAttr().getInt();
  int64_t outputZp = op.getOutputZpAttr().getInt();
  bool isUnsigned = op.getInputUnsigned();
  int64_t lo = isUnsigned ? static_cast<int64_t>(range.umin().getZExtValue())
                          : range.smin().getSExtValue();
  int64_t hi = isUnsigned ? static_cast<int64_t>(range.umax().getZExtValue())
                          : range.smax().getSExtValue();
  // Values after subtracting the input zero point.
  int64_t xLo = lo - inputZp, xHi = hi - inputZp;
  std::string rangeText = "[" + str(xLo) + ", " + str(xHi) + "]";
  if (xLo < kInt32Min || xHi > kInt32Max)
    return {false, "input minus its zero point spans " + rangeText +
                       ", beyond 32 bits"};
  unsigned outWidth = op.getOutput().getType().getElementTypeBitWidth();
  StorageRange out = getIntegerRange(outWidth, op.getOutputUnsigned());
  if (out.min - outputZp < kInt32Min || out.max - outputZp > kInt32Max)
    return {false, "saturation bounds minus the output zero point leave 32 "
                   "bits"};

  bool doubleRound = op.getRounding() == RoundingMode::double_round;
  ArrayRef<int32_t> multipliers = op.getMultiplier();
  ArrayRef<int32_t> shifts = op.getShift();
  for (size_t c = 0; c < shifts.size(); ++c) {
    int32_t s = shifts[c];
    std::string channel = shifts.size() == 1 ? "" : "channel " + str(c) + ": ";
    if (doubleRound) {
      // The left shift x * 2^(31 - s) must stay in int32.
      if (s < 31 && (xLo < -(int64_t(1) << s) || xHi > (int64_t(1) << s) - 1))
        return {false, channel + "double_round with shift " + str(s) +
                           " left-shifts inputs in " + rangeText +
                           " beyond 32 bits"};
      continue;
    }
    if (s >= 32)
      continue;
    // single_round with s < 32: the result itself must fit in int32.
    DyadicScale scale{multipliers[c], s};
    int64_t rLo = applyDyadicScale(xLo, scale, RoundingMode::single_round);
    int64_t rHi = applyDyadicScale(xHi, scale, RoundingMode::single_round);
    if (rLo < kInt32Min || rHi > kInt32Max)
      return {false, channel + "single_round with shift " + str(s) +
                         " produces values beyond 32 bits for inputs in " +
                         rangeText};
  }
  return {true, "input minus its zero point lies in " + rangeText +
                    ", where every intermediate fits in 32 bits"};
}

//===----------------------------------------------------------------------===//
// Element arithmetic
//===----------------------------------------------------------------------===//

namespace {
/// Emits integer arithmetic on scalars or vectors of one element type.
class IntBuilder {
public:
  IntBuilder(OpBuilder &b, Location loc, Type type)
      : b(b), loc(loc), type(type) {}

  Value cst(int64_t v) const {
    auto element = cast<IntegerType>(getElementTypeOrSelf(type));
    auto attr = b.getIntegerAttr(element, v);
    if (auto vec = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(b, loc,
                                       DenseElementsAttr::get(vec, attr));
    return arith::ConstantOp::create(b, loc, attr);
  }
  Value add(Value x, Value y) const {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value sub(Value x, Value y) const {
    return arith::SubIOp::create(b, loc, x, y);
  }
  Value mul(Value x, Value y) const {
    return arith::MulIOp::create(b, loc, x, y);
  }
  Value shl(Value x, Value y) const {
    return arith::ShLIOp::create(b, loc, x, y);
  }
  Value shrs(Value x, Value y) const {
    return arith::ShRSIOp::create(b, loc, x, y);
  }
  Value shru(Value x, Value y) const {
    return arith::ShRUIOp::create(b, loc, x, y);
  }
  Value bitAnd(Value x, Value y) const {
    return arith::AndIOp::create(b, loc, x, y);
  }
  Value bitOr(Value x, Value y) const {
    return arith::OrIOp::create(b, loc, x, y);
  }
  Value maxs(Value x, Value y) const {
    return arith::MaxSIOp::create(b, loc, x, y);
  }
  Value mins(Value x, Value y) const {
    return arith::MinSIOp::create(b, loc, x, y);
  }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) const {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) const {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// i1 condition -> 0 / 1 of this builder's type.
  Value bit(Value c) const { return arith::ExtUIOp::create(b, loc, type, c); }
  /// Rounding divide by 2^k, ties away from zero (gemmlowp RDBPOT); k >= 0.
  Value roundingDivideByPOT(Value x, Value k) const {
    Value mask = sub(shl(cst(1), k), cst(1));
    Value remainder = bitAnd(x, mask);
    Value negative = cmp(arith::CmpIPredicate::slt, x, cst(0));
    Value threshold = add(shrs(mask, cst(1)), bit(negative));
    Value up = cmp(arith::CmpIPredicate::sgt, remainder, threshold);
    return add(shrs(x, k), bit(up));
  }

  OpBuilder &b;
  Location loc;
  Type type;
};

Type withElementType(Type like, Type element) {
  if (auto vec = dyn_cast<VectorType>(like))
    return vec.clone(element);
  return element;
}
} // namespace

Value qopt::buildDyadicProductInt64(OpBuilder &b, Location loc,
                                    RoundingMode rounding, Value x,
                                    bool xUnsigned, int64_t xZeroPoint,
                                    Value multiplier, Value shift) {
  Type i64 = withElementType(x.getType(), b.getI64Type());
  IntBuilder ib(b, loc, i64);
  Value x64 = xUnsigned ? Value(arith::ExtUIOp::create(b, loc, i64, x))
                        : Value(arith::ExtSIOp::create(b, loc, i64, x));
  x64 = ib.sub(x64, ib.cst(xZeroPoint));
  Value m64 = arith::ExtSIOp::create(b, loc, i64, multiplier);
  Value s64 = arith::ExtSIOp::create(b, loc, i64, shift);
  Value product = ib.mul(x64, m64); // |x| <= 2^32, M < 2^31: fits.
  // (x*M + 2^(s-1)) >> s: single_round, and double_round for s <= 31.
  Value single =
      ib.shrs(ib.add(product, ib.shl(ib.cst(1), ib.sub(s64, ib.cst(1)))), s64);
  Value result = single;
  if (rounding == RoundingMode::double_round) {
    // s > 31: SRDHM (round half up at bit 31), then RDBPOT by s - 31.
    Value high = ib.shrs(ib.add(product, ib.cst(int64_t(1) << 30)), ib.cst(31));
    Value k = ib.maxs(ib.sub(s64, ib.cst(31)), ib.cst(0));
    Value twice = ib.roundingDivideByPOT(high, k);
    result = ib.select(ib.cmp(arith::CmpIPredicate::sgt, s64, ib.cst(31)),
                       twice, single);
  }
  return result;
}

/// int64 reference: exact products and roundings in 64 bits.
static Value buildInt64(OpBuilder &b, Location loc, RescaleOp op, Value x,
                        Value multiplier, Value shift) {
  return buildDyadicProductInt64(
      b, loc, op.getRounding(), x, op.getInputUnsigned(),
      op.getInputZpAttr().getInt(), multiplier, shift);
}

/// int32-only: 32x32->64 multiply as (low, high) halves.
static Value buildInt32(OpBuilder &b, Location loc, RescaleOp op, Value x,
                        Value multiplier, Value shift) {
  Type i32 = withElementType(x.getType(), b.getI32Type());
  IntBuilder ib(b, loc, i32);
  Value x32 = x;
  if (getElementTypeOrSelf(x.getType()).getIntOrFloatBitWidth() < 32)
    x32 = op.getInputUnsigned() ? Value(arith::ExtUIOp::create(b, loc, i32, x))
                                : Value(arith::ExtSIOp::create(b, loc, i32, x));
  if (int64_t zp = op.getInputZpAttr().getInt())
    x32 = ib.sub(x32, ib.cst(zp));

  auto addWithCarry = [&](Value lo, Value hi, Value addLo, Value addHi) {
    Value sumLo = ib.add(lo, addLo);
    Value carry = ib.bit(ib.cmp(arith::CmpIPredicate::ult, sumLo, lo));
    return std::make_pair(sumLo, ib.add(ib.add(hi, addHi), carry));
  };

  if (op.getRounding() == RoundingMode::double_round) {
    // e = 31 - s: left shift by max(e, 0), SRDHM, RDBPOT by max(-e, 0).
    Value e = ib.sub(ib.cst(31), shift);
    Value left = ib.maxs(e, ib.cst(0));
    Value right = ib.maxs(ib.sub(ib.cst(0), e), ib.cst(0));
    Value a = ib.shl(x32, left);
    auto mul = arith::MulSIExtendedOp::create(b, loc, a, multiplier);
    auto [lo, hi] = addWithCarry(mul.getLow(), mul.getHigh(),
                                 ib.cst(int64_t(1) << 30), ib.cst(0));
    // Bits 31..62 of the 64-bit sum: (hi << 1) | (lo >>u 31).
    Value high = ib.bitOr(ib.shl(hi, ib.cst(1)), ib.shru(lo, ib.cst(31)));
    return ib.roundingDivideByPOT(high, right);
  }

  // single_round: (x*M + 2^(s-1)) >> s on the two halves.
  auto mul = arith::MulSIExtendedOp::create(b, loc, x32, multiplier);
  Value sMinus1 = ib.sub(shift, ib.cst(1));
  Value roundInLow = ib.cmp(arith::CmpIPredicate::slt, sMinus1, ib.cst(32));
  Value lowBit = ib.shl(ib.cst(1), ib.mins(sMinus1, ib.cst(31)));
  Value highBit =
      ib.shl(ib.cst(1), ib.maxs(ib.sub(sMinus1, ib.cst(32)), ib.cst(0)));
  Value roundLo = ib.select(roundInLow, lowBit, ib.cst(0));
  Value roundHi = ib.select(roundInLow, ib.cst(0), highBit);
  auto [lo, hi] = addWithCarry(mul.getLow(), mul.getHigh(), roundLo, roundHi);
  // s >= 32: the result is hi >> (s - 32). s < 32: it straddles both halves
  // (the plan guarantees it fits in 32 bits). Shift amounts are clamped so
  // that both candidates are well defined.
  Value fromHigh = ib.shrs(hi, ib.maxs(ib.sub(shift, ib.cst(32)), ib.cst(0)));
  Value sLow = ib.mins(shift, ib.cst(31));
  Value fromBoth =
      ib.bitOr(ib.shru(lo, sLow),
               ib.shl(hi, ib.maxs(ib.sub(ib.cst(32), shift), ib.cst(1))));
  return ib.select(ib.cmp(arith::CmpIPredicate::sge, shift, ib.cst(32)),
                   fromHigh, fromBoth);
}

Value qopt::buildRescaleElement(OpBuilder &b, Location loc, RescaleOp op,
                                Value x, Value multiplier, Value shift,
                                bool int32Only) {
  Value scaled = int32Only ? buildInt32(b, loc, op, x, multiplier, shift)
                           : buildInt64(b, loc, op, x, multiplier, shift);
  return buildRescaleOutput(b, loc, op, scaled);
}

Value qopt::buildRescaleOutput(OpBuilder &b, Location loc, RescaleOp op,
                               Value scaled) {
  // Saturate before adding the zero point, then narrow.
  IntBuilder ib(b, loc, scaled.getType());
  unsigned outWidth = op.getOutput().getType().getElementTypeBitWidth();
  StorageRange out = getIntegerRange(outWidth, op.getOutputUnsigned());
  int64_t zp = op.getOutputZpAttr().getInt();
  Value clamped =
      ib.mins(ib.maxs(scaled, ib.cst(out.min - zp)), ib.cst(out.max - zp));
  Value shifted = ib.add(clamped, ib.cst(zp));
  Type outType = withElementType(scaled.getType(), b.getIntegerType(outWidth));
  if (getElementTypeOrSelf(scaled.getType()).getIntOrFloatBitWidth() ==
      outWidth)
    return shifted;
  return arith::TruncIOp::create(b, loc, outType, shifted);
}

//===----------------------------------------------------------------------===//
// Pattern and pass
//===----------------------------------------------------------------------===//

/// Builds an element-wise linalg.generic over `input` producing
/// `resultElement`. `params` are per-channel constants (1-D, one entry per
/// channel along `axis`, or a single entry for the whole tensor); `body`
/// receives the input element and one value per parameter.
static Value buildChannelwise(
    PatternRewriter &rewriter, Location loc, Value input, Type resultElement,
    std::optional<int64_t> axis, ArrayRef<DenseElementsAttr> params,
    function_ref<Value(OpBuilder &, Location, Value, ArrayRef<Value>)> body) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  bool perChannel = !params.empty() && params.front().getNumElements() > 1;
  SmallVector<Value> inputs{input};
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
  if (perChannel) {
    AffineMap channelMap = AffineMap::get(
        rank, 0, rewriter.getAffineDimExpr(*axis), rewriter.getContext());
    for (DenseElementsAttr p : params) {
      inputs.push_back(arith::ConstantOp::create(rewriter, loc, p));
      maps.push_back(channelMap);
    }
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, input);
  Value init = tensor::EmptyOp::create(rewriter, loc, sizes, resultElement);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{inType.clone(resultElement)}, inputs,
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &b, Location nested, ValueRange args) {
        SmallVector<Value> values;
        for (auto [i, p] : llvm::enumerate(params))
          values.push_back(
              perChannel
                  ? args[1 + i]
                  : Value(arith::ConstantOp::create(
                        b, nested,
                        cast<TypedAttr>(*p.getValues<Attribute>().begin()))));
        linalg::YieldOp::create(b, nested, body(b, nested, args[0], values));
      });
  return generic.getResult(0);
}

static DenseElementsAttr i32Vector(Builder &b, ArrayRef<int32_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI32Type()),
      values);
}
static DenseElementsAttr i64Vector(Builder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())},
                            b.getI64Type()),
      values);
}
static DenseElementsAttr floatVector(FloatType type, ArrayRef<double> values) {
  SmallVector<APFloat> converted;
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    converted.push_back(f);
  }
  return DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(values.size())}, type),
      converted);
}

/// Scales and zero points of a uniform (per tensor or per axis) element
/// type; fails for sub-channel and binary types.
static LogicalResult getUniformParams(Type element,
                                      SmallVectorImpl<double> &scales,
                                      SmallVectorImpl<int64_t> &zeroPoints,
                                      std::optional<int32_t> &axis) {
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    zeroPoints.assign(perAxis.getZeroPoints().begin(),
                      perAxis.getZeroPoints().end());
    axis = perAxis.getQuantizedDimension();
    return success();
  }
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(element)) {
    scales.push_back(uniform.getScale());
    zeroPoints.push_back(uniform.getZeroPoint());
    return success();
  }
  return failure();
}

namespace {
struct RescaleToLinalg : OpRewritePattern<RescaleOp> {
  RescaleToLinalg(MLIRContext *ctx,
                  std::function<RescaleLoweringPlan(RescaleOp)> chooseForm)
      : OpRewritePattern(ctx), chooseForm(std::move(chooseForm)) {}

  LogicalResult matchAndRewrite(RescaleOp op,
                                PatternRewriter &rewriter) const override {
    RescaleLoweringPlan plan = chooseForm(op);
    op.emitRemark() << (plan.int32Only ? "int32-only" : "int64")
                    << " rescale: " << plan.reason;
    bool int32Only = plan.int32Only;
    Value result = buildChannelwise(
        rewriter, op.getLoc(), op.getInput(),
        op.getOutput().getType().getElementType(), op.getAxis(),
        {i32Vector(rewriter, op.getMultiplier()),
         i32Vector(rewriter, op.getShift())},
        [&](OpBuilder &b, Location loc, Value x, ArrayRef<Value> p) {
          return buildRescaleElement(b, loc, op, x, p[0], p[1], int32Only);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

  std::function<RescaleLoweringPlan(RescaleOp)> chooseForm;
};

/// fp32_rne requantize: float32(q - zp_in) * (float(s_in) / float(s_out)),
/// round half to even, saturate, add zp_out -- XNNPACK's and PyTorch's
/// float-scale requantization.
struct RequantizeFp32ToLinalg : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getRounding() != RoundingMode::fp32_rne)
      return rewriter.notifyMatchFailure(op, "not fp32_rne");
    Location loc = op.getLoc();
    RankedTensorType inType = op.getInput().getType();
    RankedTensorType outType = op.getOutput().getType();
    auto inQuant = cast<quant::QuantizedType>(inType.getElementType());
    auto outQuant = cast<quant::QuantizedType>(outType.getElementType());
    SmallVector<double> inScales, outScales;
    SmallVector<int64_t> inZps, outZps;
    std::optional<int32_t> inAxis, outAxis;
    if (failed(getUniformParams(inQuant, inScales, inZps, inAxis)) ||
        failed(getUniformParams(outQuant, outScales, outZps, outAxis)))
      return rewriter.notifyMatchFailure(op, "not a uniform type");
    size_t channels = std::max(inScales.size(), outScales.size());
    std::optional<int32_t> axis = inAxis ? inAxis : outAxis;
    SmallVector<double> factors;
    SmallVector<int64_t> channelInZp, channelOutZp;
    for (size_t c = 0; c < channels; ++c) {
      size_t i = inScales.size() == 1 ? 0 : c,
             o = outScales.size() == 1 ? 0 : c;
      // The factor is a float32 quotient of float32 scales.
      factors.push_back(static_cast<float>(inScales[i]) /
                        static_cast<float>(outScales[o]));
      channelInZp.push_back(inZps[i]);
      channelOutZp.push_back(outZps[o]);
    }
    Value input = quant::StorageCastOp::create(
        rewriter, loc, inType.clone(inQuant.getStorageType()), op.getInput());
    StorageRange range = getStorageRange(outQuant);
    bool inUnsigned = !inQuant.isSigned();
    Type outStorage = outQuant.getStorageType();
    // int32 integer arithmetic gives the same values as int64 when q - zp
    // cannot overflow (inputs below 32 bits, or no input zero point) and
    // the output is narrower than 32 bits (so the clamped float converts
    // without overflow); it also lets LLVM vectorize the loop.
    unsigned inWidth = inQuant.getStorageTypeIntegralWidth();
    unsigned outWidth = outQuant.getStorageTypeIntegralWidth();
    bool narrow =
        (inWidth < 32 ||
         llvm::all_of(channelInZp, [](int64_t z) { return z == 0; })) &&
        outWidth < 32 && !(inUnsigned && inWidth >= 32);
    // A 32-bit output (e.g. an add's int32 accumulator) from a narrow input
    // also fits int32 when no value can reach the saturation: with output
    // zero point 0 and |q - zp_in| * factor below 2^31 - 128 (the largest
    // float32 under 2^31, with a relative margin for float32 rounding), the
    // clamp never acts and the conversion cannot overflow.
    if (!narrow && inWidth < 32 && outWidth == 32 &&
        llvm::all_of(channelOutZp, [](int64_t z) { return z == 0; })) {
      StorageRange inRange = getStorageRange(inQuant);
      double bound = 0;
      for (size_t c = 0; c < channels; ++c) {
        double spread =
            std::max(std::abs(double(inRange.min - channelInZp[c])),
                     std::abs(double(inRange.max - channelInZp[c])));
        bound = std::max(bound, spread * std::abs(double(factors[c])));
      }
      narrow = bound * (1 + 0x1p-20) + 1 < 2147483520.0;
    }
    Type arithType = narrow ? rewriter.getI32Type() : rewriter.getI64Type();
    auto zeroPoints = [&](ArrayRef<int64_t> zps) {
      if (!narrow)
        return i64Vector(rewriter, zps);
      SmallVector<int32_t> narrowed(zps.begin(), zps.end());
      return i32Vector(rewriter, narrowed);
    };
    Value result = buildChannelwise(
        rewriter, loc, input, outStorage, axis,
        {floatVector(rewriter.getF32Type(), factors), zeroPoints(channelInZp),
         zeroPoints(channelOutZp)},
        [&](OpBuilder &b, Location nested, Value q, ArrayRef<Value> p) {
          Type i64 = arithType, f32 = b.getF32Type();
          IntBuilder ib(b, nested, i64);
          Value wide = q.getType() == i64 ? q
                       : inUnsigned
                           ? Value(arith::ExtUIOp::create(b, nested, i64, q))
                           : Value(arith::ExtSIOp::create(b, nested, i64, q));
          Value x = arith::SIToFPOp::create(b, nested, f32, ib.sub(wide, p[1]));
          Value scaled = arith::MulFOp::create(b, nested, x, p[0]);
          Value rounded = math::RoundEvenOp::create(b, nested, scaled);
          // Saturate in float (the rounded value is integral) before the
          // conversion, so out-of-range values cannot hit fptosi's poison.
          auto toF32 = [&](Value v) {
            return arith::SIToFPOp::create(b, nested, f32, v);
          };
          Value lo = toF32(ib.sub(ib.cst(range.min), p[2]));
          Value hi = toF32(ib.sub(ib.cst(range.max), p[2]));
          Value clamped = arith::MinimumFOp::create(
              b, nested, arith::MaximumFOp::create(b, nested, rounded, lo), hi);
          Value sum =
              ib.add(arith::FPToSIOp::create(b, nested, i64, clamped), p[2]);
          if (sum.getType() == outStorage)
            return sum;
          return arith::TruncIOp::create(b, nested, outStorage, sum)
              .getResult();
        });
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, outType, result);
    return success();
  }
};

/// Rounds a float (scalar) `y` to an integral value per a float-scale mode,
/// exactly as QuantMath's roundToIntegral: ties are detected on the
/// magnitude, where `|y| - floor(|y|)` is exact.
static Value roundPerMode(OpBuilder &b, Location loc, Value y,
                          RoundingMode mode) {
  Type type = y.getType();
  auto cst = [&](double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
  };
  if (mode == RoundingMode::fp32_rne || mode == RoundingMode::half_to_even)
    return math::RoundEvenOp::create(b, loc, y);
  if (mode == RoundingMode::half_away_from_zero)
    return math::RoundOp::create(b, loc, y);
  // half_up: ties toward +infinity.
  Value magnitude = math::AbsFOp::create(b, loc, y);
  Value lower = math::FloorOp::create(b, loc, magnitude);
  Value fraction = arith::SubFOp::create(b, loc, magnitude, lower);
  Value positive =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, y, cst(0.0));
  Value tieUp = arith::AndIOp::create(
      b, loc, positive,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, fraction,
                            cst(0.5)));
  Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                      fraction, cst(0.5));
  Value up = arith::OrIOp::create(b, loc, above, tieUp);
  Value rounded = arith::SelectOp::create(
      b, loc, up, arith::AddFOp::create(b, loc, lower, cst(1.0)), lower);
  return math::CopySignOp::create(b, loc, rounded, y);
}

/// qopt.quantize: clamp(round(x / scale) + zp) with the op's rounding;
/// fp32_rne divides in float32, the other modes in double. NaN saturates to
/// the lower bound at run time (constant folding rejects it).
struct QuantizeToLinalg : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType outType = op.getOutput().getType();
    auto quant = dyn_cast<quant::QuantizedType>(outType.getElementType());
    SmallVector<double> scales;
    SmallVector<int64_t> zps;
    std::optional<int32_t> axis;
    if (!quant || failed(getUniformParams(quant, scales, zps, axis)))
      return rewriter.notifyMatchFailure(op, "not a uniform type");
    RoundingMode mode = op.getRounding();
    bool fp32 = mode == RoundingMode::fp32_rne;
    FloatType compute = fp32 ? FloatType(rewriter.getF32Type())
                             : FloatType(rewriter.getF64Type());
    StorageRange range = getStorageRange(quant);
    Type storage = quant.getStorageType();
    Value result = buildChannelwise(
        rewriter, op.getLoc(), op.getInput(), storage, axis,
        {floatVector(compute, scales), i64Vector(rewriter, zps)},
        [&](OpBuilder &b, Location loc, Value x, ArrayRef<Value> p) {
          Type i64 = b.getI64Type();
          IntBuilder ib(b, loc, i64);
          Value wide =
              x.getType() == compute ? x
              : x.getType().getIntOrFloatBitWidth() < compute.getWidth()
                  ? Value(arith::ExtFOp::create(b, loc, compute, x))
                  : Value(arith::TruncFOp::create(b, loc, compute, x));
          Value y = arith::DivFOp::create(b, loc, wide, p[0]);
          Value rounded = roundPerMode(b, loc, y, mode);
          auto toFloat = [&](Value v) {
            return arith::SIToFPOp::create(b, loc, compute, v);
          };
          Value lo = toFloat(ib.sub(ib.cst(range.min), p[1]));
          Value hi = toFloat(ib.sub(ib.cst(range.max), p[1]));
          Value clamped = arith::MinNumFOp::create(
              b, loc, arith::MaxNumFOp::create(b, loc, rounded, lo), hi);
          Value q = ib.add(arith::FPToSIOp::create(b, loc, i64, clamped), p[1]);
          return arith::TruncIOp::create(b, loc, storage, q).getResult();
        });
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, outType, result);
    return success();
  }
};

/// qopt.dequantize: scale * (q - zp) in double, rounded once to the float
/// type.
struct DequantizeToLinalg : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType inType = op.getInput().getType();
    auto quant = dyn_cast<quant::QuantizedType>(inType.getElementType());
    SmallVector<double> scales;
    SmallVector<int64_t> zps;
    std::optional<int32_t> axis;
    if (!quant || failed(getUniformParams(quant, scales, zps, axis)))
      return rewriter.notifyMatchFailure(op, "not a uniform type");
    Location loc = op.getLoc();
    Value input = quant::StorageCastOp::create(
        rewriter, loc, inType.clone(quant.getStorageType()), op.getInput());
    auto floatType = cast<FloatType>(op.getOutput().getType().getElementType());
    bool isUnsigned = !quant.isSigned();
    Value result = buildChannelwise(
        rewriter, loc, input, floatType, axis,
        {floatVector(rewriter.getF64Type(), scales), i64Vector(rewriter, zps)},
        [&](OpBuilder &b, Location nested, Value q, ArrayRef<Value> p) {
          Type i64 = b.getI64Type();
          IntBuilder ib(b, nested, i64);
          Value wide = isUnsigned
                           ? Value(arith::ExtUIOp::create(b, nested, i64, q))
                           : Value(arith::ExtSIOp::create(b, nested, i64, q));
          Value real = arith::SIToFPOp::create(b, nested, b.getF64Type(),
                                               ib.sub(wide, p[1]));
          Value product = arith::MulFOp::create(b, nested, real, p[0]);
          if (floatType.getWidth() == 64)
            return product;
          return arith::TruncFOp::create(b, nested, floatType, product)
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// qopt.constant -> arith.constant of the stored integers, viewed through
/// quant.scast.
struct ConstantToArith : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    if (!isa<quant::QuantizedType>(op.getOutput().getType().getElementType()))
      return rewriter.notifyMatchFailure(op, "binary storage");
    Value stored = arith::ConstantOp::create(rewriter, op.getLoc(),
                                             cast<TypedAttr>(op.getValue()));
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(
        op, op.getOutput().getType(), stored);
    return success();
  }
};

struct ConvertQOptToArithPass
    : qopt::impl::ConvertQOptToArithPassBase<ConvertQOptToArithPass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    DataFlowSolver solver;
    solver.load<dataflow::DeadCodeAnalysis>();
    solver.load<dataflow::SparseConstantPropagation>();
    solver.load<dataflow::IntegerRangeAnalysis>();
    if (failed(solver.initializeAndRun(root)))
      return signalPassFailure();

    auto chooseForm = [&](RescaleOp op) -> RescaleLoweringPlan {
      if (forceInt64)
        return {false, "forced by force-int64"};
      unsigned width = op.getInput().getType().getElementTypeBitWidth();
      // The input type's own range, narrowed by the analysis when it knows
      // more (e.g. an i32 accumulator that was extended from i8).
      ConstantIntRanges range =
          op.getInputUnsigned()
              ? ConstantIntRanges::fromUnsigned(APInt::getMinValue(width),
                                                APInt::getMaxValue(width))
              : ConstantIntRanges::fromSigned(APInt::getSignedMinValue(width),
                                              APInt::getSignedMaxValue(width));
      auto *lattice =
          solver.lookupState<dataflow::IntegerValueRangeLattice>(op.getInput());
      if (lattice && !lattice->getValue().isUninitialized())
        range = range.intersection(lattice->getValue().getValue());
      return planRescaleLowering(op, range);
    };

    RewritePatternSet patterns(&getContext());
    patterns.add<RescaleToLinalg>(&getContext(), chooseForm);
    // Plans are computed against the analysis of the input IR: walk once.
    SmallVector<RescaleOp> ops;
    root->walk([&](RescaleOp op) { ops.push_back(op); });
    FrozenRewritePatternSet frozen(std::move(patterns));
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    SmallVector<Operation *> roots(ops.begin(), ops.end());
    if (failed(applyOpPatternsGreedily(roots, frozen, config)))
      return signalPassFailure();

    // Quantize / dequantize / constants and fp32_rne requantizes; the other
    // float-scale requantizes are defined in double precision and are meant
    // to become dyadic rescales first.
    RewritePatternSet otherPatterns(&getContext());
    otherPatterns.add<RequantizeFp32ToLinalg, QuantizeToLinalg,
                      DequantizeToLinalg, ConstantToArith>(&getContext());
    SmallVector<Operation *> others;
    root->walk([&](Operation *op) {
      if (isa<RequantizeOp, QuantizeOp, DequantizeOp, ConstantOp>(op))
        others.push_back(op);
    });
    if (failed(
            applyOpPatternsGreedily(others, std::move(otherPatterns), config)))
      return signalPassFailure();
    bool leftover = false;
    root->walk([&](Operation *op) {
      if (auto requant = dyn_cast<RequantizeOp>(op)) {
        requant.emitOpError()
            << "with rounding " << stringifyRoundingMode(requant.getRounding())
            << " has no integer lowering: run qopt-requant-to-dyadic first "
               "(or use fp32_rne)";
        leftover = true;
      } else if (isa<QuantizeOp, DequantizeOp, ConstantOp>(op)) {
        op->emitOpError() << "has no arith lowering for this element type "
                             "(sub-channel and binary types are not lowered "
                             "yet)";
        leftover = true;
      }
    });
    if (leftover)
      signalPassFailure();
  }
};
} // namespace

void qopt::populateQOptToArithPatterns(
    RewritePatternSet &patterns,
    std::function<RescaleLoweringPlan(RescaleOp)> chooseForm) {
  patterns.add<RescaleToLinalg>(patterns.getContext(), std::move(chooseForm));
  patterns.add<RequantizeFp32ToLinalg, QuantizeToLinalg, DequantizeToLinalg,
               ConstantToArith>(patterns.getContext());
}
