//===- MemRefCopyToLinalg.cpp - strided memref.copy to linalg.copy --------===//
//
// finalize-memref-to-llvm turns a memref.copy between contiguous buffers
// into one memcpy, but any other copy into a call of the runtime's generic
// `memrefCopy`, which walks the elements one at a time through their
// descriptors (~2 ns per byte). Padding a tensor (tosa.max_pool2d's pad, a
// padded conv's input) bufferizes to exactly such a copy into an interior
// subview. As a linalg.copy it becomes plain loops that LLVM vectorizes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTMEMREFCOPYTOLINALGPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

struct StridedCopyToLinalg : OpRewritePattern<memref::CopyOp> {
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
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                copy.getTarget());
    return success();
  }
};

struct ConvertMemRefCopyToLinalgPass
    : qopt::impl::ConvertMemRefCopyToLinalgPassBase<
          ConvertMemRefCopyToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMemRefCopyToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void qopt::populateMemRefCopyToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<StridedCopyToLinalg>(patterns.getContext());
}
