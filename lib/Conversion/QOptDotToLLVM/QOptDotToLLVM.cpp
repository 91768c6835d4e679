//===- QOptDotToLLVM.cpp - qopt.dot_u8_s8 to vpdpbusd or generic code -----===//

#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/TargetParser/Host.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTQOPTDOTTOLLVMPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

enum class DotIsa { avx512Vnni, avxVnni, avx2, generic };

/// The best dot instruction set of the running CPU.
DotIsa hostIsa() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512vnni") && features.lookup("avx512bw") &&
      features.lookup("avx512vl"))
    return DotIsa::avx512Vnni;
  if (features.lookup("avxvnni"))
    return DotIsa::avxVnni;
  if (features.lookup("avx2"))
    return DotIsa::avx2;
  return DotIsa::generic;
}

/// acc + the four-byte dot products, with int32 vector arithmetic only.
Value genericDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  auto accType = cast<VectorType>(acc.getType());
  int64_t lanes = accType.getNumElements();
  auto wide = VectorType::get({4 * lanes}, accType.getElementType());
  Value products =
      arith::MulIOp::create(b, loc, arith::ExtUIOp::create(b, loc, wide, lhs),
                            arith::ExtSIOp::create(b, loc, wide, rhs));
  Value sum = acc;
  for (int64_t j = 0; j < 4; ++j) {
    SmallVector<int64_t> picks;
    for (int64_t i = 0; i < lanes; ++i)
      picks.push_back(4 * i + j);
    sum = arith::AddIOp::create(
        b, loc, sum,
        vector::ShuffleOp::create(b, loc, products, products, picks));
  }
  return sum;
}

/// vpdpbusd on `acc`'s width (4, 8 or 16 lanes).
Value vnniDot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  std::string name = "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
  return LLVM::CallIntrinsicOp::create(b, loc, acc.getType(),
                                       b.getStringAttr(name),
                                       ValueRange{acc, lhs, rhs})
      .getResult(0);
}

/// AVX2 on 8 lanes: vpmaddubsw (u8 x s8, adjacent pairs summed into int16,
/// saturating: only where the pairs provably fit) then vpmaddwd against
/// ones (pairs of int16 summed into int32).
Value avx2Dot(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs) {
  auto pairs = VectorType::get({16}, b.getI16Type());
  Value pairSums =
      LLVM::CallIntrinsicOp::create(
          b, loc, pairs, b.getStringAttr("llvm.x86.avx2.pmadd.ub.sw"),
          ValueRange{lhs, rhs})
          .getResult(0);
  Value ones = arith::ConstantOp::create(
      b, loc, pairs, DenseElementsAttr::get(pairs, int16_t(1)));
  Value quads =
      LLVM::CallIntrinsicOp::create(b, loc, acc.getType(),
                                    b.getStringAttr("llvm.x86.avx2.pmadd.wd"),
                                    ValueRange{pairSums, ones})
          .getResult(0);
  return arith::AddIOp::create(b, loc, acc, quads);
}

/// `dot` on each 8-lane (ymm) part of a dot of 8 or 16 lanes.
Value onYmmHalves(OpBuilder &b, Location loc, Value acc, Value lhs, Value rhs,
                  function_ref<Value(Value, Value, Value)> dot) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  if (lanes == 8)
    return dot(acc, lhs, rhs);
  Value result = acc;
  for (int64_t half = 0; half < lanes / 8; ++half) {
    auto slice = [&](Value v, int64_t width) {
      return vector::ExtractStridedSliceOp::create(
          b, loc, v, ArrayRef<int64_t>{half * width}, ArrayRef<int64_t>{width},
          ArrayRef<int64_t>{1});
    };
    Value part = dot(slice(acc, 8), slice(lhs, 32), slice(rhs, 32));
    result = vector::InsertStridedSliceOp::create(b, loc, part, result,
                                                  ArrayRef<int64_t>{half * 8},
                                                  ArrayRef<int64_t>{1});
  }
  return result;
}

struct LowerDot : OpRewritePattern<DotU8S8Op> {
  LowerDot(MLIRContext *ctx, DotIsa isa) : OpRewritePattern(ctx), isa(isa) {}
  DotIsa isa;

  LogicalResult matchAndRewrite(DotU8S8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value acc = op.getAcc(), lhs = op.getLhs(), rhs = op.getRhs();
    int64_t lanes = op.getAcc().getType().getNumElements();
    bool vnni = (isa == DotIsa::avx512Vnni &&
                 (lanes == 4 || lanes == 8 || lanes == 16)) ||
                (isa == DotIsa::avxVnni && (lanes == 4 || lanes == 8));
    if (vnni) {
      rewriter.replaceOp(op, vnniDot(rewriter, loc, acc, lhs, rhs));
      return success();
    }
    if (isa == DotIsa::avxVnni && lanes == 16) {
      rewriter.replaceOp(op, onYmmHalves(rewriter, loc, acc, lhs, rhs,
                                         [&](Value a, Value l, Value r) {
                                           return vnniDot(rewriter, loc, a, l,
                                                          r);
                                         }));
      return success();
    }
    if (isa == DotIsa::avx2 && op.getPairsFitI16() &&
        (lanes == 8 || lanes == 16)) {
      rewriter.replaceOp(op, onYmmHalves(rewriter, loc, acc, lhs, rhs,
                                         [&](Value a, Value l, Value r) {
                                           return avx2Dot(rewriter, loc, a, l,
                                                          r);
                                         }));
      return success();
    }
    rewriter.replaceOp(op, genericDot(rewriter, loc, acc, lhs, rhs));
    return success();
  }
};

struct ConvertQOptDotToLLVMPass
    : qopt::impl::ConvertQOptDotToLLVMPassBase<ConvertQOptDotToLLVMPass> {
  using Base::Base;
  void runOnOperation() override {
    std::optional<DotIsa> chosen =
        llvm::StringSwitch<std::optional<DotIsa>>(isa)
            .Case("avx512-vnni", DotIsa::avx512Vnni)
            .Case("avx-vnni", DotIsa::avxVnni)
            .Case("avx2", DotIsa::avx2)
            .Case("generic", DotIsa::generic)
            .Case("host", hostIsa())
            .Default(std::nullopt);
    if (!chosen) {
      getOperation()->emitError()
          << "convert-qopt-dot-to-llvm: unknown isa '" << isa
          << "' (expected avx512-vnni, avx-vnni, avx2, generic or host)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDot>(&getContext(), *chosen);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
