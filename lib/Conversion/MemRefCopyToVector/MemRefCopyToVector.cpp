//===- MemRefCopyToVector.cpp - strided memref.copy to vectors ------------===//
//
// finalize-memref-to-llvm turns a memref.copy between contiguous buffers
// into one memcpy, but any other copy into a call of the runtime's generic
// `memrefCopy`, which walks the elements one at a time through their
// descriptors (~2 ns per byte). Padding a tensor (tosa.max_pool2d's pad, a
// padded conv's input) bufferizes to exactly such a copy into an interior
// subview. Its rows (the innermost dimension, unit stride on both sides)
// are copied here as vectors of up to 64 bytes: as plain loops, LLVM
// cannot tell that source and target do not alias and leaves them scalar.
// Copies without such rows become linalg.copy.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTMEMREFCOPYTOVECTORPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

constexpr int64_t kVectorBytes = 64; // a zmm register

/// Whether `type`'s innermost dimension is static with stride 1.
bool hasUnitStrideRows(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  return !ShapedType::isDynamic(type.getShape().back()) && strides.back() == 1;
}

struct StridedCopyToVector : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    auto source = dyn_cast<MemRefType>(copy.getSource().getType());
    auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
    if (!source || !target || source.getRank() == 0)
      return rewriter.notifyMatchFailure(copy, "not a ranked copy");
    // Contiguous on both sides: memcpy is already the best lowering.
    if (source.getLayout().isIdentity() && target.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(copy, "contiguous");
    Type element = source.getElementType();
    if (!hasUnitStrideRows(source) || !hasUnitStrideRows(target) ||
        !element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0) {
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
      return success();
    }
    Location loc = copy.getLoc();
    int64_t rank = source.getRank(), rowLength = source.getShape().back();
    int64_t chunk = std::max<int64_t>(
        1, kVectorBytes * 8 / int64_t(element.getIntOrFloatBitWidth()));
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    // Never read: every transfer is in bounds.
    auto zeroAttr = cast<TypedAttr>(rewriter.getZeroAttr(element));
    Value pad = arith::ConstantOp::create(rewriter, loc, zeroAttr);
    // Copies `length` elements of the row at `indices` from `column`.
    auto copyPiece = [&](OpBuilder &b, SmallVector<Value> indices, Value column,
                         int64_t length) {
      indices.push_back(column);
      auto type = VectorType::get({length}, element);
      Value piece = vector::TransferReadOp::create(
          b, loc, type, copy.getSource(), indices, pad, ArrayRef<bool>{true});
      vector::TransferWriteOp::create(b, loc, piece, copy.getTarget(), indices,
                                      ArrayRef<bool>{true});
    };
    auto copyRow = [&](OpBuilder &b, ValueRange outer) {
      SmallVector<Value> indices(outer);
      int64_t full = rowLength / chunk, tail = rowLength % chunk;
      if (full == 1) {
        copyPiece(b, indices, zero, chunk);
      } else if (full > 1) {
        Value end = arith::ConstantIndexOp::create(b, loc, full * chunk);
        Value step = arith::ConstantIndexOp::create(b, loc, chunk);
        scf::ForOp::create(
            b, loc, zero, end, step, ValueRange{},
            [&](OpBuilder &nested, Location, Value column, ValueRange) {
              copyPiece(nested, indices, column, chunk);
              scf::YieldOp::create(nested, loc);
            });
      }
      if (tail) {
        Value column = arith::ConstantIndexOp::create(b, loc, full * chunk);
        copyPiece(b, indices, column, tail);
      }
    };
    SmallVector<Value> lower(rank - 1, zero), upper, steps(rank - 1, one);
    for (int64_t d = 0; d + 1 < rank; ++d)
      upper.push_back(
          memref::DimOp::create(rewriter, loc, copy.getSource(), d));
    scf::buildLoopNest(
        rewriter, loc, lower, upper, steps,
        [&](OpBuilder &b, Location, ValueRange outer) { copyRow(b, outer); });
    rewriter.eraseOp(copy);
    return success();
  }
};

struct ConvertMemRefCopyToVectorPass
    : qopt::impl::ConvertMemRefCopyToVectorPassBase<
          ConvertMemRefCopyToVectorPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMemRefCopyToVectorPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void qopt::populateMemRefCopyToVectorPatterns(RewritePatternSet &patterns) {
  patterns.add<StridedCopyToVector>(patterns.getContext());
}
