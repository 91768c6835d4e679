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
    std::string channel =
        shifts.size() == 1 ? "" : "channel " + str(c) + ": ";
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
  IntBuilder(OpBuilder &b, Location loc, Type type) : b(b), loc(loc), type(type) {}

  Value cst(int64_t v) const {
    auto element = cast<IntegerType>(getElementTypeOrSelf(type));
    auto attr = b.getIntegerAttr(element, v);
    if (auto vec = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vec, attr));
    return arith::ConstantOp::create(b, loc, attr);
  }
  Value add(Value x, Value y) const { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) const { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) const { return arith::MulIOp::create(b, loc, x, y); }
  Value shl(Value x, Value y) const { return arith::ShLIOp::create(b, loc, x, y); }
  Value shrs(Value x, Value y) const { return arith::ShRSIOp::create(b, loc, x, y); }
  Value shru(Value x, Value y) const { return arith::ShRUIOp::create(b, loc, x, y); }
  Value bitAnd(Value x, Value y) const { return arith::AndIOp::create(b, loc, x, y); }
  Value bitOr(Value x, Value y) const { return arith::OrIOp::create(b, loc, x, y); }
  Value maxs(Value x, Value y) const { return arith::MaxSIOp::create(b, loc, x, y); }
  Value mins(Value x, Value y) const { return arith::MinSIOp::create(b, loc, x, y); }
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

/// int64 reference: exact products and roundings in 64 bits.
static Value buildInt64(OpBuilder &b, Location loc, RescaleOp op, Value x,
                        Value multiplier, Value shift) {
  Type i64 = withElementType(x.getType(), b.getI64Type());
  IntBuilder ib(b, loc, i64);
  Value x64 = op.getInputUnsigned() ? Value(arith::ExtUIOp::create(b, loc, i64, x))
                                    : Value(arith::ExtSIOp::create(b, loc, i64, x));
  x64 = ib.sub(x64, ib.cst(op.getInputZpAttr().getInt()));
  Value m64 = arith::ExtSIOp::create(b, loc, i64, multiplier);
  Value s64 = arith::ExtSIOp::create(b, loc, i64, shift);
  Value product = ib.mul(x64, m64); // |x| <= 2^32, M < 2^31: fits.
  // (x*M + 2^(s-1)) >> s: single_round, and double_round for s <= 31.
  Value single =
      ib.shrs(ib.add(product, ib.shl(ib.cst(1), ib.sub(s64, ib.cst(1)))), s64);
  Value result = single;
  if (op.getRounding() == RoundingMode::double_round) {
    // s > 31: SRDHM (round half up at bit 31), then RDBPOT by s - 31.
    Value high = ib.shrs(ib.add(product, ib.cst(int64_t(1) << 30)), ib.cst(31));
    Value k = ib.maxs(ib.sub(s64, ib.cst(31)), ib.cst(0));
    Value twice = ib.roundingDivideByPOT(high, k);
    result = ib.select(ib.cmp(arith::CmpIPredicate::sgt, s64, ib.cst(31)),
                       twice, single);
  }
  return result;
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
  Value fromBoth = ib.bitOr(
      ib.shru(lo, sLow),
      ib.shl(hi, ib.maxs(ib.sub(ib.cst(32), shift), ib.cst(1))));
  return ib.select(ib.cmp(arith::CmpIPredicate::sge, shift, ib.cst(32)),
                   fromHigh, fromBoth);
}

Value qopt::buildRescaleElement(OpBuilder &b, Location loc, RescaleOp op,
                                Value x, Value multiplier, Value shift,
                                bool int32Only) {
  Value scaled = int32Only ? buildInt32(b, loc, op, x, multiplier, shift)
                           : buildInt64(b, loc, op, x, multiplier, shift);
  // Saturate before adding the zero point, then narrow.
  IntBuilder ib(b, loc, scaled.getType());
  unsigned outWidth = op.getOutput().getType().getElementTypeBitWidth();
  StorageRange out = getIntegerRange(outWidth, op.getOutputUnsigned());
  int64_t zp = op.getOutputZpAttr().getInt();
  Value clamped = ib.mins(ib.maxs(scaled, ib.cst(out.min - zp)),
                          ib.cst(out.max - zp));
  Value shifted = ib.add(clamped, ib.cst(zp));
  Type outType = withElementType(x.getType(), b.getIntegerType(outWidth));
  if (getElementTypeOrSelf(scaled.getType()).getIntOrFloatBitWidth() == outWidth)
    return shifted;
  return arith::TruncIOp::create(b, loc, outType, shifted);
}

//===----------------------------------------------------------------------===//
// Pattern and pass
//===----------------------------------------------------------------------===//

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
    Location loc = op.getLoc();
    RankedTensorType inType = op.getInput().getType();
    RankedTensorType outType = op.getOutput().getType();
    int64_t rank = inType.getRank();
    bool perChannel = op.getMultiplier().size() > 1;

    SmallVector<Value> inputs{op.getInput()};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    if (perChannel) {
      auto channelType = RankedTensorType::get(
          {static_cast<int64_t>(op.getMultiplier().size())},
          rewriter.getI32Type());
      for (ArrayRef<int32_t> values : {op.getMultiplier(), op.getShift()})
        inputs.push_back(arith::ConstantOp::create(
            rewriter, loc, DenseIntElementsAttr::get(channelType, values)));
      AffineMap channelMap = AffineMap::get(
          rank, 0, rewriter.getAffineDimExpr(*op.getAxis()), getContext());
      maps.append({channelMap, channelMap});
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));

    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, op.getInput());
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                         outType.getElementType());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    bool int32Only = plan.int32Only;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outType}, inputs, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location nested, ValueRange args) {
          Value multiplier, shift;
          if (perChannel) {
            multiplier = args[1];
            shift = args[2];
          } else {
            multiplier = arith::ConstantOp::create(
                b, nested, b.getI32IntegerAttr(op.getMultiplier()[0]));
            shift = arith::ConstantOp::create(
                b, nested, b.getI32IntegerAttr(op.getShift()[0]));
          }
          Value result = buildRescaleElement(b, nested, op, args[0],
                                             multiplier, shift, int32Only);
          linalg::YieldOp::create(b, nested, result);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }

  std::function<RescaleLoweringPlan(RescaleOp)> chooseForm;
};

/// Scales and zero points of a uniform (per tensor or per axis) side.
static void getUniformParams(Type element, SmallVectorImpl<double> &scales,
                             SmallVectorImpl<int64_t> &zeroPoints,
                             std::optional<int32_t> &axis) {
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    zeroPoints.assign(perAxis.getZeroPoints().begin(),
                      perAxis.getZeroPoints().end());
    axis = perAxis.getQuantizedDimension();
    return;
  }
  auto uniform = cast<quant::UniformQuantizedType>(element);
  scales.push_back(uniform.getScale());
  zeroPoints.push_back(uniform.getZeroPoint());
}

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
    getUniformParams(inQuant, inScales, inZps, inAxis);
    getUniformParams(outQuant, outScales, outZps, outAxis);
    size_t channels = std::max(inScales.size(), outScales.size());
    std::optional<int32_t> axis = inAxis ? inAxis : outAxis;
    SmallVector<float> factors;
    SmallVector<int64_t> channelInZp, channelOutZp;
    for (size_t c = 0; c < channels; ++c) {
      size_t i = inScales.size() == 1 ? 0 : c, o = outScales.size() == 1 ? 0 : c;
      factors.push_back(static_cast<float>(inScales[i]) /
                        static_cast<float>(outScales[o]));
      channelInZp.push_back(inZps[i]);
      channelOutZp.push_back(outZps[o]);
    }

    auto inStorage = inType.clone(inQuant.getStorageType());
    auto outStorage = outType.clone(outQuant.getStorageType());
    Value input =
        quant::StorageCastOp::create(rewriter, loc, inStorage, op.getInput());
    int64_t rank = inType.getRank();
    SmallVector<Value> inputs{input};
    SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank)};
    bool perChannel = channels > 1;
    if (perChannel) {
      auto c = static_cast<int64_t>(channels);
      auto f32Type = RankedTensorType::get({c}, rewriter.getF32Type());
      auto i64Type = RankedTensorType::get({c}, rewriter.getI64Type());
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseFPElementsAttr::get(f32Type, ArrayRef(factors))));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseIntElementsAttr::get(i64Type, ArrayRef(channelInZp))));
      inputs.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseIntElementsAttr::get(i64Type, ArrayRef(channelOutZp))));
      AffineMap channelMap = AffineMap::get(
          rank, 0, rewriter.getAffineDimExpr(*axis), getContext());
      maps.append({channelMap, channelMap, channelMap});
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, input);
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                         outStorage.getElementType());
    StorageRange range = getStorageRange(outQuant);
    bool inUnsigned = !inQuant.isSigned();
    unsigned outWidth = outStorage.getElementTypeBitWidth();
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{outStorage}, inputs, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location nested, ValueRange args) {
          Type i64 = b.getI64Type(), f32 = b.getF32Type();
          IntBuilder ib(b, nested, i64);
          Value factor, inZp, outZp;
          if (perChannel) {
            factor = args[1];
            inZp = args[2];
            outZp = args[3];
          } else {
            factor = arith::ConstantOp::create(b, nested,
                                               b.getF32FloatAttr(factors[0]));
            inZp = ib.cst(channelInZp[0]);
            outZp = ib.cst(channelOutZp[0]);
          }
          Value q = inUnsigned
                        ? Value(arith::ExtUIOp::create(b, nested, i64, args[0]))
                        : Value(arith::ExtSIOp::create(b, nested, i64, args[0]));
          Value x = arith::SIToFPOp::create(b, nested, f32, ib.sub(q, inZp));
          Value scaled = arith::MulFOp::create(b, nested, x, factor);
          Value rounded = math::RoundEvenOp::create(b, nested, scaled);
          // Saturate in float (the rounded value is integral) before the
          // conversion, so out-of-range values cannot hit fptosi's poison.
          auto toF32 = [&](Value v) {
            return arith::SIToFPOp::create(b, nested, f32, v);
          };
          Value lo = toF32(ib.sub(ib.cst(range.min), outZp));
          Value hi = toF32(ib.sub(ib.cst(range.max), outZp));
          Value clamped = arith::MinimumFOp::create(
              b, nested, arith::MaximumFOp::create(b, nested, rounded, lo), hi);
          Value result =
              ib.add(arith::FPToSIOp::create(b, nested, i64, clamped), outZp);
          Value narrowed = arith::TruncIOp::create(
              b, nested, b.getIntegerType(outWidth), result);
          linalg::YieldOp::create(b, nested, narrowed);
        });
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, outType,
                                                      generic.getResult(0));
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
      ConstantIntRanges range = op.getInputUnsigned()
                                    ? ConstantIntRanges::fromUnsigned(
                                          APInt::getMinValue(width),
                                          APInt::getMaxValue(width))
                                    : ConstantIntRanges::fromSigned(
                                          APInt::getSignedMinValue(width),
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

    // fp32_rne requantizes lower here; the other float-scale modes are
    // defined in double precision and are meant to become dyadic rescales.
    RewritePatternSet requantPatterns(&getContext());
    requantPatterns.add<RequantizeFp32ToLinalg>(&getContext());
    SmallVector<Operation *> requantizes;
    root->walk([&](RequantizeOp op) { requantizes.push_back(op); });
    if (failed(applyOpPatternsGreedily(requantizes,
                                       std::move(requantPatterns), config)))
      return signalPassFailure();
    bool leftover = false;
    root->walk([&](RequantizeOp op) {
      op.emitOpError() << "with rounding "
                       << stringifyRoundingMode(op.getRounding())
                       << " has no integer lowering: run "
                          "qopt-requant-to-dyadic first (or use fp32_rne)";
      leftover = true;
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
  patterns.add<RequantizeFp32ToLinalg>(patterns.getContext());
}
