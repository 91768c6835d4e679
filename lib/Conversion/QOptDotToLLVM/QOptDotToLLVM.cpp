//===- QOptDotToLLVM.cpp - qopt dot ops to vpdpbusd, sdot or generic code -===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Conversion/QOptToArith/QOptToArith.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Target/Cpu/CpuTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTQOPTDOTTOLLVMPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

enum class DotIsa {
  avx512Vnni,
  avxVnni,
  avx2,
  neon,
  neonDotprod,
  neonI8mm,
  generic
};

bool isNeon(DotIsa isa) {
  return isa == DotIsa::neon || isa == DotIsa::neonDotprod ||
         isa == DotIsa::neonI8mm;
}

/// A lowering of `OpTy` for the chosen instruction set.
template <typename OpTy> struct IsaPattern : OpRewritePattern<OpTy> {
  IsaPattern(MLIRContext *ctx, DotIsa isa)
      : OpRewritePattern<OpTy>(ctx), isa(isa) {}
  DotIsa isa;
};

/// Elements [offset, offset + size) of a 1-D vector.
Value slice(OpBuilder &b, Location loc, Value v, int64_t offset, int64_t size) {
  return vector::ExtractStridedSliceOp::create(
      b, loc, v, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{size},
      ArrayRef<int64_t>{1});
}

/// acc + the `depth`-byte dot products (4, or 2 for the pair dots), with
/// int32 vector arithmetic only.
Value genericDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs,
                 bool lhsSigned, int64_t depth = 4) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements();
  auto wide = VectorType::get({depth * lanes}, accType.getElementType());
  Value lhsWide = lhsSigned
                      ? arith::ExtSIOp::create(b, loc, wide, lhs).getResult()
                      : arith::ExtUIOp::create(b, loc, wide, lhs).getResult();
  Value products = arith::MulIOp::create(
      b, loc, lhsWide, arith::ExtSIOp::create(b, loc, wide, rhs));
  Value sum = acc;
  for (int64_t j = 0; j < depth; ++j) {
    SmallVector<int64_t> picks;
    for (int64_t i = 0; i < lanes; ++i)
      picks.push_back(depth * i + j);
    sum = arith::AddIOp::create(
        b, loc, sum,
        vector::ShuffleOp::create(b, loc, products, products, picks));
  }
  return sum;
}

/// A call of the LLVM intrinsic `name` returning `type`.
Value intrinsic(OpBuilder &b, Location loc, Type type, StringRef name,
                ValueRange operands) {
  return LLVM::CallIntrinsicOp::create(b, loc, type, b.getStringAttr(name),
                                       operands)
      .getResult(0);
}

/// vpdpbusd on `acc`'s width (4, 8 or 16 lanes).
Value vnniDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  std::string name = "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
  return intrinsic(b, loc, acc.getType(), name, {acc, lhs, rhs});
}

/// AVX2's exact pair sums of 16 bytes: vpmovzxbw (unsigned lhs) or
/// vpmovsxbw (signed lhs), vpmovsxbw (signed rhs), vpmaddwd (each int32
/// lane the sum of two products, |sum| <= 2 * 255 * 128).
Value avx2PairSums(OpBuilder &b, Location loc, Value lhs, Value rhs,
                   bool lhsSigned) {
  auto i16x16 = VectorType::get({16}, b.getI16Type());
  auto i32x8 = VectorType::get({8}, b.getI32Type());
  Value l = lhsSigned ? arith::ExtSIOp::create(b, loc, i16x16, lhs).getResult()
                      : arith::ExtUIOp::create(b, loc, i16x16, lhs).getResult();
  Value r = arith::ExtSIOp::create(b, loc, i16x16, rhs);
  return intrinsic(b, loc, i32x8, "llvm.x86.avx2.pmadd.wd", {l, r});
}

/// AVX2 on 8 lanes without the int16-pair promise, exact for any bytes:
/// the pair sums of each 16-byte half (avx2PairSums), then the two pair
/// sums of each lane added (even + odd shuffles).
Value avx2WideningDot(OpBuilder &b, Location loc, Value acc, Value lhs,
                      Value rhs) {
  SmallVector<Value, 2> pairs;
  for (int64_t first : {0, 16}) {
    Value lhsHalf = slice(b, loc, lhs, first, 16);
    Value rhsHalf = slice(b, loc, rhs, first, 16);
    pairs.push_back(
        avx2PairSums(b, loc, lhsHalf, rhsHalf, /*lhsSigned=*/false));
  }
  SmallVector<int64_t> evens, odds;
  for (int64_t i = 0; i < 8; ++i) {
    evens.push_back(2 * i);
    odds.push_back(2 * i + 1);
  }
  Value even = vector::ShuffleOp::create(b, loc, pairs[0], pairs[1], evens);
  Value odd = vector::ShuffleOp::create(b, loc, pairs[0], pairs[1], odds);
  Value quads = arith::AddIOp::create(b, loc, even, odd);
  return arith::AddIOp::create(b, loc, acc, quads);
}

/// AVX2 pair dots on 8 lanes (16 bytes): avx2PairSums, vpaddd.
Value avx2PairDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs,
                  bool lhsSigned) {
  Value pairSums = avx2PairSums(b, loc, lhs, rhs, lhsSigned);
  return arith::AddIOp::create(b, loc, acc, pairSums);
}

/// AVX2 on 8 lanes: vpmaddubsw (u8 x s8, adjacent pairs summed into int16,
/// saturating: only where the pairs provably fit) then vpmaddwd against
/// ones (pairs of int16 summed into int32).
Value avx2Dot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  auto pairs = VectorType::get({16}, b.getI16Type());
  Value pairSums =
      intrinsic(b, loc, pairs, "llvm.x86.avx2.pmadd.ub.sw", {lhs, rhs});
  Value ones = arith::ConstantOp::create(
      b, loc, pairs, DenseElementsAttr::get(pairs, int16_t(1)));
  Value quads = intrinsic(b, loc, acc.getType(), "llvm.x86.avx2.pmadd.wd",
                          {pairSums, ones});
  return arith::AddIOp::create(b, loc, acc, quads);
}

/// AArch64 sdot (FEAT_DotProd) on 4 lanes: signed by signed, four products
/// per lane.
Value sdot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  return intrinsic(b, loc, acc.getType(), "llvm.aarch64.neon.sdot.v4i32.v16i8",
                   {acc, lhs, rhs});
}

/// Baseline AArch64 NEON on 4 lanes, signed by signed: smull / smull2
/// (int8 x int8 -> 8 x int16 each, exact), then the four-byte sums. When
/// every adjacent pair of products provably fits in int16 (`pairsFit`),
/// addp adds the pairs in int16 and sadalp adds adjacent int16 pairs into
/// the int32 lanes: 4 instructions. Otherwise saddlp widens each product
/// vector's pairs to int32, addp sums those, and an add accumulates: 6.
Value neonWideningDot(OpBuilder &b, Location loc, Value acc, Value lhs,
                      Value rhs, bool pairsFit) {
  auto half = [&](Value v, int64_t first) {
    return slice(b, loc, v, first, 8);
  };
  auto i16x8 = VectorType::get({8}, b.getI16Type());
  Type i32x4 = acc.getType();
  SmallVector<Value, 2> products;
  for (int64_t first : {0, 8})
    products.push_back(intrinsic(b, loc, i16x8, "llvm.aarch64.neon.smull.v8i16",
                                 {half(lhs, first), half(rhs, first)}));
  if (pairsFit) {
    Value pairs = intrinsic(b, loc, i16x8, "llvm.aarch64.neon.addp.v8i16",
                            {products[0], products[1]});
    return arith::AddIOp::create(
        b, loc, acc,
        intrinsic(b, loc, i32x4, "llvm.aarch64.neon.saddlp.v4i32.v8i16",
                  {pairs}));
  }
  SmallVector<Value, 2> pairs;
  for (Value p : products)
    pairs.push_back(
        intrinsic(b, loc, i32x4, "llvm.aarch64.neon.saddlp.v4i32.v8i16", {p}));
  Value quads = intrinsic(b, loc, i32x4, "llvm.aarch64.neon.addp.v4i32",
                          {pairs[0], pairs[1]});
  return arith::AddIOp::create(b, loc, acc, quads);
}

/// `body` on each part of `operands` (operand i in parts of `partSizes[i]`
/// elements: ymm halves or NEON quarters of a 16-lane op); the results,
/// of the first operand's part type, are put back together.
Value onParts(OpBuilder &b, Location loc, ValueRange operands,
              ArrayRef<int64_t> partSizes,
              function_ref<Value(ValueRange parts)> body) {
  auto type = cast<VectorType>(operands.front().getType());
  int64_t parts = type.getNumElements() / partSizes.front();
  if (parts == 1)
    return body(operands);
  Value result = operands.front();
  for (int64_t part = 0; part < parts; ++part) {
    SmallVector<Value> pieces;
    for (auto [v, size] : llvm::zip_equal(operands, partSizes))
      pieces.push_back(slice(b, loc, v, part * size, size));
    result = vector::InsertStridedSliceOp::create(
        b, loc, body(pieces), result,
        ArrayRef<int64_t>{part * partSizes.front()}, ArrayRef<int64_t>{1});
  }
  return result;
}

/// `dot` on each `width`-lane part of a dot (4 bytes per lane).
Value onDotParts(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs,
                 int64_t width, function_ref<Value(Value, Value, Value)> dot) {
  return onParts(b, loc, {acc, lhs, rhs}, {width, 4 * width, 4 * width},
                 [&](ValueRange p) { return dot(p[0], p[1], p[2]); });
}

/// qopt.dot_u8_s8: vpdpbusd, AVX2's vpmaddubsw where proven, or generic.
struct LowerDotU8S8 : IsaPattern<DotU8S8Op> {
  using IsaPattern::IsaPattern;

  LogicalResult matchAndRewrite(DotU8S8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), lhs = op.getLhs(), rhs = op.getRhs();
    int64_t lanes = op.getAcc().getType().getNumElements();
    auto on = [&](int64_t width, auto dot) {
      return onDotParts(rewriter, loc, acc, lhs, rhs, width,
                        [&](Value a, Value l, Value r) {
                          return dot(rewriter, loc, a, l, r);
                        });
    };
    bool vnni = (isa == DotIsa::avx512Vnni &&
                 (lanes == 4 || lanes == 8 || lanes == 16)) ||
                (isa == DotIsa::avxVnni && (lanes == 4 || lanes == 8));
    if (vnni)
      rewriter.replaceOp(op, vnniDot(rewriter, loc, acc, lhs, rhs));
    else if (isa == DotIsa::avxVnni && lanes == 16)
      rewriter.replaceOp(op, on(8, vnniDot));
    else if (isa == DotIsa::avx2 && (lanes == 8 || lanes == 16))
      rewriter.replaceOp(
          op, on(8, op.getPairsFitI16() ? avx2Dot : avx2WideningDot));
    else
      rewriter.replaceOp(op, genericDot(rewriter, loc, acc, lhs, rhs,
                                        /*lhsSigned=*/false));
    return success();
  }
};

/// qopt.pair_dot_u8_s8 and qopt.pair_dot_s8_s8: AVX2's vpmaddwd on
/// widened bytes, or generic.
template <typename PairDotOp, bool lhsSigned>
struct LowerPairDot : IsaPattern<PairDotOp> {
  using IsaPattern<PairDotOp>::IsaPattern;

  LogicalResult matchAndRewrite(PairDotOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), lhs = op.getLhs(), rhs = op.getRhs();
    int64_t lanes = op.getAcc().getType().getNumElements();
    if (this->isa == DotIsa::avx2 && lanes % 8 == 0)
      rewriter.replaceOp(op, onParts(rewriter, loc, {acc, lhs, rhs},
                                     {8, 16, 16}, [&](ValueRange p) {
                                       return avx2PairDot(rewriter, loc, p[0],
                                                          p[1], p[2],
                                                          lhsSigned);
                                     }));
    else
      rewriter.replaceOp(
          op, genericDot(rewriter, loc, acc, lhs, rhs, lhsSigned, /*depth=*/2));
    return success();
  }
};

/// qopt.dot_s8_s8: sdot, baseline NEON's widening sequence, or generic.
struct LowerDotS8S8 : IsaPattern<DotS8S8Op> {
  using IsaPattern::IsaPattern;

  LogicalResult matchAndRewrite(DotS8S8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), lhs = op.getLhs(), rhs = op.getRhs();
    int64_t lanes = op.getAcc().getType().getNumElements();
    if (isNeon(isa) && lanes % 4 == 0) {
      bool pairsFit = op.getPairsFitI16();
      rewriter.replaceOp(
          op, onDotParts(rewriter, loc, acc, lhs, rhs, 4,
                         [&](Value a, Value l, Value r) {
                           return isa == DotIsa::neon
                                      ? neonWideningDot(rewriter, loc, a, l, r,
                                                        pairsFit)
                                      : sdot(rewriter, loc, a, l, r);
                         }));
      return success();
    }
    rewriter.replaceOp(
        op, genericDot(rewriter, loc, acc, lhs, rhs, /*lhsSigned=*/true));
    return success();
  }
};

/// qopt.mmla_s8_s8: smmla, or per output the sum of 8 widened products.
struct LowerMmlaS8S8 : IsaPattern<MmlaS8S8Op> {
  using IsaPattern::IsaPattern;

  LogicalResult matchAndRewrite(MmlaS8S8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), lhs = op.getLhs(), rhs = op.getRhs();
    if (isa == DotIsa::neonI8mm) {
      rewriter.replaceOp(op, intrinsic(rewriter, loc, acc.getType(),
                                       "llvm.aarch64.neon.smmla.v4i32.v16i8",
                                       {acc, lhs, rhs}));
      return success();
    }
    auto wide = VectorType::get({8}, rewriter.getI32Type());
    auto row = [&](Value v, int64_t r) -> Value {
      Value bytes = slice(rewriter, loc, v, 8 * r, 8);
      return arith::ExtSIOp::create(rewriter, loc, wide, bytes);
    };
    Value result = acc;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        Value products =
            arith::MulIOp::create(rewriter, loc, row(lhs, i), row(rhs, j));
        Value sum = vector::ReductionOp::create(
            rewriter, loc, vector::CombiningKind::ADD, products);
        Value lane = vector::ExtractOp::create(rewriter, loc, acc,
                                               ArrayRef<int64_t>{2 * i + j});
        result = vector::InsertOp::create(
            rewriter, loc, arith::AddIOp::create(rewriter, loc, lane, sum),
            result, ArrayRef<int64_t>{2 * i + j});
      }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// qopt.dyadic_scale with AArch64 NEON's fixed-point instructions, per
/// 4 lanes:
///  - double_round (gemmlowp): x << max(31 - s, 0) (exact: the op's
///    promise), sqrdmulh (exactly SaturatingRoundingDoublingHighMul), then
///    RoundingDivideByPOT by max(s - 31, 0) as gemmlowp's NEON code does
///    it: a -1 fixup for negative values (and, sshr, sqadd) before
///    srshl's round-half-up shift, so ties round away from zero.
///  - single_round (TOSA): smull / smull2 into int64 lanes, srshl by -s
///    (round half up), sqxtn back to int32 (saturating, as the op).
Value neonDyadicScale(OpBuilder &b, Location loc, DyadicScaleOp op) {
  auto i32x4 = VectorType::get({4}, b.getI32Type());
  auto i64x2 = VectorType::get({2}, b.getI64Type());
  auto splat = [&](VectorType type, int64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type,
                               b.getIntegerAttr(type.getElementType(), v)));
  };
  SmallVector<Value, 3> operands{op.getX(), op.getMultiplier(), op.getShift()};
  if (op.getRounding() == RoundingMode::double_round)
    return onParts(b, loc, operands, {4, 4, 4}, [&](ValueRange p) -> Value {
      Value e = arith::SubIOp::create(b, loc, splat(i32x4, 31), p[2]);
      Value left = arith::MaxSIOp::create(b, loc, e, splat(i32x4, 0));
      Value minusRight = arith::MinSIOp::create(b, loc, e, splat(i32x4, 0));
      Value a = arith::ShLIOp::create(b, loc, p[0], left);
      Value high = intrinsic(b, loc, i32x4, "llvm.aarch64.neon.sqrdmulh.v4i32",
                             {a, p[1]});
      Value fixup = arith::ShRSIOp::create(
          b, loc, arith::AndIOp::create(b, loc, high, minusRight),
          splat(i32x4, 31));
      Value fixed = intrinsic(b, loc, i32x4, "llvm.aarch64.neon.sqadd.v4i32",
                              {high, fixup});
      return intrinsic(b, loc, i32x4, "llvm.aarch64.neon.srshl.v4i32",
                       {fixed, minusRight});
    });
  return onParts(b, loc, operands, {4, 4, 4}, [&](ValueRange p) -> Value {
    SmallVector<Value, 2> halves;
    for (int64_t at : {0, 2}) {
      auto half = [&](Value v) { return slice(b, loc, v, at, 2); };
      Value product = intrinsic(b, loc, i64x2, "llvm.aarch64.neon.smull.v2i64",
                                {half(p[0]), half(p[1])});
      Value minusShift = arith::SubIOp::create(
          b, loc, splat(i64x2, 0),
          arith::ExtSIOp::create(b, loc, i64x2, half(p[2])));
      Value rounded = intrinsic(b, loc, i64x2, "llvm.aarch64.neon.srshl.v2i64",
                                {product, minusShift});
      halves.push_back(intrinsic(b, loc, VectorType::get({2}, b.getI32Type()),
                                 "llvm.aarch64.neon.sqxtn.v2i32", {rounded}));
    }
    return vector::ShuffleOp::create(b, loc, halves[0], halves[1],
                                     ArrayRef<int64_t>{0, 1, 2, 3});
  });
}

/// qopt.dyadic_scale: NEON's fixed-point instructions where they are
/// exact, else int64 arithmetic saturated to int32.
struct LowerDyadicScale : IsaPattern<DyadicScaleOp> {
  using IsaPattern::IsaPattern;

  LogicalResult matchAndRewrite(DyadicScaleOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RoundingMode rounding = op.getRounding();
    int64_t lanes = op.getX().getType().getNumElements();
    if (isNeon(isa) && lanes % 4 == 0 &&
        (rounding == RoundingMode::single_round || op.getLeftShiftExact())) {
      rewriter.replaceOp(op, neonDyadicScale(rewriter, loc, op));
      return success();
    }
    Value wide = buildDyadicProductInt64(rewriter, loc, rounding, op.getX(),
                                         /*xUnsigned=*/false, 0,
                                         op.getMultiplier(), op.getShift());
    auto i64 = cast<VectorType>(wide.getType());
    auto bound = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc, i64,
          DenseElementsAttr::get(i64, rewriter.getI64IntegerAttr(v)));
    };
    Value clamped = arith::MinSIOp::create(
        rewriter, loc,
        arith::MaxSIOp::create(rewriter, loc, wide, bound(INT32_MIN)),
        bound(INT32_MAX));
    rewriter.replaceOp(
        op, arith::TruncIOp::create(rewriter, loc, op.getType(), clamped));
    return success();
  }
};

struct ConvertQOptDotToLLVMPass
    : qopt::impl::ConvertQOptDotToLLVMPassBase<ConvertQOptDotToLLVMPass> {
  using Base::Base;
  void runOnOperation() override {
    // "host": the running CPU's, as CpuTarget chooses it for --target=host.
    std::string name = isa;
    if (name == "host") {
      auto host = parseCpuTarget("host");
      if (!host) {
        getOperation()->emitError()
            << "convert-qopt-dot-to-llvm: " << llvm::toString(host.takeError());
        return signalPassFailure();
      }
      name = host->dotIsa();
    }
    std::optional<DotIsa> chosen =
        llvm::StringSwitch<std::optional<DotIsa>>(name)
            .Case("avx512-vnni", DotIsa::avx512Vnni)
            .Case("avx-vnni", DotIsa::avxVnni)
            .Case("avx2", DotIsa::avx2)
            .Case("neon", DotIsa::neon)
            .Case("neon-dotprod", DotIsa::neonDotprod)
            .Case("neon-i8mm", DotIsa::neonI8mm)
            .Case("generic", DotIsa::generic)
            .Default(std::nullopt);
    if (!chosen) {
      getOperation()->emitError()
          << "convert-qopt-dot-to-llvm: unknown isa '" << isa
          << "' (expected avx512-vnni, avx-vnni, avx2, neon, neon-dotprod, "
             "neon-i8mm, generic or host)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotU8S8, LowerPairDot<PairDotU8S8Op, false>,
                 LowerPairDot<PairDotS8S8Op, true>, LowerDotS8S8, LowerMmlaS8S8,
                 LowerDyadicScale>(&getContext(), *chosen);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
