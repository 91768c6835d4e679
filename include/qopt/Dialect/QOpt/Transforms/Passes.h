//===- Passes.h - qopt dialect passes ---------------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_QOPT_TRANSFORMS_PASSES_H
#define QOPT_DIALECT_QOPT_TRANSFORMS_PASSES_H

#include "qopt/Dialect/QOpt/IR/QOptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"

/// dequantize(qopt.constant) -> arith.constant.
void populateFoldDequantizeConstantPatterns(mlir::RewritePatternSet &patterns);

/// Folds per-channel mul/add (inference batch-norm) into convolution and
/// matmul constants (see qopt-fold-batchnorm).
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns);

/// quantize(conv(dequantize(x), dequantize(W), bias)) -> integer conv +
/// requantize (see qopt-convert-qdq-to-integer).
void populateConvertQDQToIntegerPatterns(mlir::RewritePatternSet &patterns,
                                         RoundingMode requantRounding);

/// Options of the requantize -> rescale rewrite.
struct RequantToDyadicOptions {
  RoundingMode rounding = RoundingMode::double_round;
  bool powerOfTwo = false;
};

/// qopt.requantize (float-scale) -> quant.scast + qopt.rescale +
/// quant.scast.
void populateRequantToDyadicPatterns(mlir::RewritePatternSet &patterns,
                                     const RequantToDyadicOptions &options);

/// int16 x int8 layers narrowed to int32 -> two int8 layers on the input's
/// bytes (see qopt-split-int16-layers).
void populateSplitInt16LayersPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_TRANSFORMS_PASSES_H
