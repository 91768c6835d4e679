//===- FoldDequantizeConstants.cpp - dequantize(constant) -> constant -----===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_FOLDDEQUANTIZECONSTANTSPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {
struct FoldDequantizeOfConstant : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    DenseIntElementsAttr stored;
    if (!matchPattern(op.getInput(), m_Constant(&stored)))
      return rewriter.notifyMatchFailure(op, "operand is not a constant");
    FailureOr<DenseFPElementsAttr> values = foldDequantizeConstant(
        stored, op.getInput().getType(), op.getOutput().getType());
    if (failed(values))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, *values);
    return success();
  }
};

struct FoldDequantizeConstantsPass
    : qopt::impl::FoldDequantizeConstantsPassBase<FoldDequantizeConstantsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldDequantizeConstantPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void qopt::populateFoldDequantizeConstantPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldDequantizeOfConstant>(patterns.getContext());
}
