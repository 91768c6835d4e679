//===- RequantToDyadic.cpp - float-scale requantize -> dyadic rescale -----===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_REQUANTTODYADICPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// Scales and zero points of one side of a requantize, per channel.
struct SideParams {
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  std::optional<int32_t> axis;
};

SideParams getSideParams(Type element) {
  SideParams side;
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(element)) {
    side.scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    side.zeroPoints.assign(perAxis.getZeroPoints().begin(),
                           perAxis.getZeroPoints().end());
    side.axis = perAxis.getQuantizedDimension();
    return side;
  }
  auto uniform = cast<quant::UniformQuantizedType>(element);
  side.scales.push_back(uniform.getScale());
  side.zeroPoints.push_back(uniform.getZeroPoint());
  return side;
}

/// Rewrites one float-scale requantize; emits the diagnostics described in
/// Passes.td.
LogicalResult rewriteRequantize(RequantizeOp op, RewriterBase &rewriter,
                                const RequantToDyadicOptions &options) {
  RankedTensorType inType = op.getInput().getType();
  RankedTensorType outType = op.getOutput().getType();
  auto inQuant = cast<quant::QuantizedType>(inType.getElementType());
  auto outQuant = cast<quant::QuantizedType>(outType.getElementType());
  SideParams in = getSideParams(inQuant);
  SideParams out = getSideParams(outQuant);

  // Zero points must be uniform across channels: qopt.rescale carries one
  // per side.
  for (SideParams *side : {&in, &out})
    if (llvm::any_of(side->zeroPoints, [&](int64_t zp) {
          return zp != side->zeroPoints.front();
        }))
      return op.emitOpError()
             << "per-channel zero points differ across channels; a dyadic "
                "rescale carries one zero point per side";

  size_t channels = std::max(in.scales.size(), out.scales.size());
  std::optional<int32_t> axis = in.axis ? in.axis : out.axis;
  SmallVector<int32_t> multipliers, shifts;
  double worstError = 0.0;
  int64_t worstChannel = 0;
  for (size_t c = 0; c < channels; ++c) {
    double sIn = in.scales[in.scales.size() == 1 ? 0 : c];
    double sOut = out.scales[out.scales.size() == 1 ? 0 : c];
    double m = sIn / sOut;
    DyadicConversion conversion;
    if (options.powerOfTwo) {
      double error = 0.0;
      conversion = toPowerOfTwoScale(m, error);
      if (error > worstError) {
        worstError = error;
        worstChannel = static_cast<int64_t>(c);
      }
    } else {
      conversion = toDyadicScale(m);
    }
    auto channelName = [&] {
      return channels == 1 ? std::string("")
                           : " (channel " + std::to_string(c) + ")";
    };
    switch (conversion.status) {
    case DyadicStatus::exact:
      break;
    case DyadicStatus::flushedToZero:
      op.emitWarning() << "rescale factor " << m << channelName()
                       << " is below 2^-32 and flushes to zero, as in "
                          "TFLite: the output is the zero point";
      break;
    case DyadicStatus::tooLarge:
      return op.emitOpError()
             << "rescale factor " << m << channelName()
             << " is 2^29 or more: its dyadic form needs a shift below "
             << kMinRescaleShift << ", outside TOSA's range [2, 62]";
    }
    multipliers.push_back(conversion.scale.multiplier);
    shifts.push_back(conversion.scale.shift);
  }
  if (options.powerOfTwo)
    op.emitRemark() << "power-of-two rescale: largest relative scale "
                       "error "
                    << llvm::formatv("{0:F2}", worstError * 100.0).str() << "%"
                    << (channels > 1
                            ? " (channel " + std::to_string(worstChannel) + ")"
                            : std::string(""));

  Location loc = op.getLoc();
  auto inStorage = inType.clone(inQuant.getStorageType());
  auto outStorage = outType.clone(outQuant.getStorageType());
  Value input =
      quant::StorageCastOp::create(rewriter, loc, inStorage, op.getInput());
  IntegerAttr axisAttr;
  if (multipliers.size() > 1)
    axisAttr = rewriter.getI64IntegerAttr(*axis);
  auto rescale = RescaleOp::create(
      rewriter, loc, outStorage, input,
      rewriter.getDenseI32ArrayAttr(multipliers),
      rewriter.getDenseI32ArrayAttr(shifts), axisAttr,
      RoundingModeAttr::get(rewriter.getContext(), options.rounding),
      rewriter.getI64IntegerAttr(in.zeroPoints.front()),
      rewriter.getI64IntegerAttr(out.zeroPoints.front()),
      inQuant.isSigned() ? UnitAttr() : rewriter.getUnitAttr(),
      outQuant.isSigned() ? UnitAttr() : rewriter.getUnitAttr());
  rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, outType, rescale);
  return success();
}

struct RequantizeToRescale : OpRewritePattern<RequantizeOp> {
  RequantizeToRescale(MLIRContext *ctx, const RequantToDyadicOptions &options)
      : OpRewritePattern(ctx), options(options) {}

  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getRounding() == RoundingMode::fp32_rne)
      return rewriter.notifyMatchFailure(op, "fp32_rne stays float-scale");
    return rewriteRequantize(op, rewriter, options);
  }

  RequantToDyadicOptions options;
};

struct RequantToDyadicPass
    : qopt::impl::RequantToDyadicPassBase<RequantToDyadicPass> {
  using Base::Base;

  void runOnOperation() override {
    RequantToDyadicOptions patternOptions;
    patternOptions.rounding = rounding;
    patternOptions.powerOfTwo = powerOfTwo;
    // Walk instead of a greedy driver: each requantize is rewritten exactly
    // once and diagnostics are emitted once per op.
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    getOperation()->walk([&](RequantizeOp op) {
      if (op.getRounding() == RoundingMode::fp32_rne)
        return;
      rewriter.setInsertionPoint(op);
      if (failed(rewriteRequantize(op, rewriter, patternOptions)))
        failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace

void qopt::populateRequantToDyadicPatterns(
    RewritePatternSet &patterns, const RequantToDyadicOptions &options) {
  patterns.add<RequantizeToRescale>(patterns.getContext(), options);
}
