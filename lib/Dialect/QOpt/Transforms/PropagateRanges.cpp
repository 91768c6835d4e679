//===- PropagateRanges.cpp - share and tighten calibrated ranges ----------===//
//
// Rewrites qopt.range attributes before qopt-insert-qdq so that values that
// can share a quantized type do: the integer graph then needs a requantize
// only where the arithmetic changes the scale.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/CalibratedValues.h"

#include "mlir/IR/Matchers.h"

#include <algorithm>

namespace qopt {
#define GEN_PASS_DEF_PROPAGATERANGESPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// Sets the range of an op result (function arguments are never changed:
/// they are quantized by the caller's data).
void setRange(Value value, RangeAttr range) {
  if (Operation *op = value.getDefiningOp())
    op->setAttr(QOptDialect::kRangeAttrName, range);
}

/// The one op that defines `value` and uses it nowhere else, if any.
Operation *soleProducer(Value value) {
  Operation *op = value.getDefiningOp();
  return op && op->getNumResults() == 1 && value.hasOneUse() ? op : nullptr;
}

/// `[lo, hi]` of a float clamp, or nullopt when its bounds are not floats.
std::optional<std::pair<double, double>> clampBounds(tosa::ClampOp clamp) {
  auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!lo || !hi)
    return std::nullopt;
  return std::make_pair(lo.getValueAsDouble(), hi.getValueAsDouble());
}

struct PropagateRangesPass
    : qopt::impl::PropagateRangesPassBase<PropagateRangesPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Ops in order: a producer's range is final before its users look at it.
    getOperation().walk([&](Operation *op) {
      if (isa<tosa::SigmoidOp>(op))
        return setRange(op->getResult(0), RangeAttr::get(ctx, 0.0, 1.0));
      if (isa<tosa::TanhOp>(op))
        return setRange(op->getResult(0), RangeAttr::get(ctx, -1.0, 1.0));
      if (auto clamp = dyn_cast<tosa::ClampOp>(op))
        return fuseClamp(clamp);
      if (isSameScaleOp(op)) {
        if (RangeAttr in = getCalibratedRange(op->getOperand(0)))
          setRange(op->getResult(0), in);
        return;
      }
      if (auto concat = dyn_cast<tosa::ConcatOp>(op))
        return shareConcatRange(concat);
      if (auto add = dyn_cast<tosa::AddOp>(op))
        return keepBiasInAccumulator(add);
    });
  }

  /// Tightens the clamp's range to its bounds and gives it to the producer
  /// whose only use is the clamp, so the producer's requantize saturates
  /// where the clamp would.
  void fuseClamp(tosa::ClampOp clamp) {
    RangeAttr range = getCalibratedRange(clamp.getOutput());
    auto bounds = clampBounds(clamp);
    if (!range || !bounds)
      return;
    double lo = std::max(range.getMinValue(), bounds->first);
    double hi = std::min(range.getMaxValue(), bounds->second);
    if (lo > hi) // The calibration data never reached the clamp's interval.
      lo = hi = std::clamp(0.0, bounds->first, bounds->second);
    range = RangeAttr::get(&getContext(), lo, hi);
    setRange(clamp.getOutput(), range);
    shareWithProducers(clamp.getInput(), range);
  }

  /// Gives `range` to `value` and, through clamps and same-scale ops with a
  /// single use (conv -> max_pool -> relu), to the op whose requantize
  /// produces it, so no requantize is needed in between.
  void shareWithProducers(Value value, RangeAttr range) {
    while (Operation *producer = soleProducer(value)) {
      if (!getCalibratedRange(value))
        return;
      setRange(value, range);
      if (!isSameScaleOp(producer) && !isa<tosa::ClampOp>(producer))
        return;
      value = producer->getOperand(0);
    }
  }

  /// Concat inputs and result share one range: the union of all of them.
  void shareConcatRange(tosa::ConcatOp concat) {
    RangeAttr out = getCalibratedRange(concat.getOutput());
    if (!out)
      return;
    double lo = out.getMinValue(), hi = out.getMaxValue();
    for (Value input : concat.getInput1()) {
      if (RangeAttr r = getCalibratedRange(input)) {
        lo = std::min(lo, r.getMinValue());
        hi = std::max(hi, r.getMaxValue());
      }
    }
    auto shared = RangeAttr::get(&getContext(), lo, hi);
    setRange(concat.getOutput(), shared);
    for (Value input : concat.getInput1())
      shareWithProducers(input, shared);
  }

  /// add(reshape?(matmul), constant): the bias joins the int32 accumulator,
  /// so the matmul (and the reshape) are not quantized on their own.
  void keepBiasInAccumulator(tosa::AddOp add) {
    for (auto [value, other] : {std::pair(add.getInput1(), add.getInput2()),
                                std::pair(add.getInput2(), add.getInput1())}) {
      if (!matchPattern(other, m_Constant()))
        continue;
      Operation *producer = soleProducer(value);
      Operation *reshape = nullptr;
      if (isa_and_nonnull<tosa::ReshapeOp>(producer)) {
        reshape = producer;
        producer = soleProducer(reshape->getOperand(0));
      }
      if (!isa_and_nonnull<tosa::MatMulOp>(producer))
        continue;
      producer->removeAttr(QOptDialect::kRangeAttrName);
      if (reshape)
        reshape->removeAttr(QOptDialect::kRangeAttrName);
      return;
    }
  }
};
} // namespace
