//===- QOptToArith.h - qopt.rescale -> linalg + arith -----------*- C++ -*-===//

#ifndef QOPT_CONVERSION_QOPTTOARITH_QOPTTOARITH_H
#define QOPT_CONVERSION_QOPTTOARITH_QOPTTOARITH_H

#include "qopt/Dialect/QOpt/IR/QOptOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/InferIntRangeInterface.h"

#include <string>

namespace qopt {

/// Which arithmetic form lowers a rescale, and why.
struct RescaleLoweringPlan {
  bool int32Only = false;
  std::string reason;
};

/// Decides whether the int32-only form equals the int64 reference for every
/// input in `inputRange` (signed range of the input values, before the
/// input zero point is subtracted).
RescaleLoweringPlan
planRescaleLowering(RescaleOp op, const mlir::ConstantIntRanges &inputRange);

/// Builds the rescale of one element (or one vector of elements) `x` of the
/// op's input integer type with multiplier `multiplier` and shift `shift`
/// (i32 values or vectors of them), returning the output element: zero
/// points, saturation and the rounding profile come from `op`.
mlir::Value buildRescaleElement(mlir::OpBuilder &builder, mlir::Location loc,
                                RescaleOp op, mlir::Value x,
                                mlir::Value multiplier, mlir::Value shift,
                                bool int32Only);

/// The rounded product `(x - xZeroPoint) * multiplier / 2^shift` of a
/// dyadic rescale (`rounding`: double_round or single_round) in exact
/// int64 arithmetic, as int64 lanes (x: int32 or narrower, signed or
/// unsigned).
mlir::Value buildDyadicProductInt64(mlir::OpBuilder &builder,
                                    mlir::Location loc, RoundingMode rounding,
                                    mlir::Value x, bool xUnsigned,
                                    int64_t xZeroPoint, mlir::Value multiplier,
                                    mlir::Value shift);

/// The last steps of buildRescaleElement: `scaled` (the rounded product,
/// int32 or int64 lanes) saturated to the output range minus its zero
/// point, plus the zero point, narrowed to the output type. For other
/// builders of the scaled value (e.g. NEON's sqrdmulh sequence).
mlir::Value buildRescaleOutput(mlir::OpBuilder &builder, mlir::Location loc,
                               RescaleOp op, mlir::Value scaled);

/// Rewrites every qopt.rescale into linalg.generic + arith, choosing the
/// form per op with `chooseForm`, and every fp32_rne qopt.requantize into
/// linalg.generic + arith/math in float32.
void populateQOptToArithPatterns(
    mlir::RewritePatternSet &patterns,
    std::function<RescaleLoweringPlan(RescaleOp)> chooseForm);

} // namespace qopt

#endif // QOPT_CONVERSION_QOPTTOARITH_QOPTTOARITH_H
