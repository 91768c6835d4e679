//===- ConstantFolding.h - folding quantization of constants ----*- C++ -*-===//
//
// Evaluates quantize / dequantize / requantize on dense constants with the
// op's declared rounding. Used by the ops' folders and by
// qopt-fold-dequantize-constants; unit-tested on their own.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_UTILS_CONSTANTFOLDING_H
#define QOPT_DIALECT_QOPT_UTILS_CONSTANTFOLDING_H

#include "qopt/Dialect/QOpt/IR/QOptAttrs.h"

namespace qopt {
class RescaleOp;
} // namespace qopt

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

namespace qopt {

/// A stored integer of `quantElement`'s storage width (two's complement bit
/// pattern; unsigned storage is read back with readStoredInteger).
llvm::APInt makeStoredInteger(mlir::Type quantElement, int64_t value);

/// Reads a stored integer according to the storage signedness.
int64_t readStoredInteger(mlir::Type quantElement, const llvm::APInt &value);

/// Stored integers of `values` quantized to `resultType` (static shape)
/// with `mode`. Fails when an element is NaN or the shape is dynamic.
llvm::FailureOr<mlir::DenseIntElementsAttr>
foldQuantizeConstant(mlir::DenseFPElementsAttr values,
                     mlir::RankedTensorType resultType, RoundingMode mode);

/// Float values of the stored integers `values` of type `inputType`,
/// produced as `resultType`. Fails on a dynamic shape.
llvm::FailureOr<mlir::DenseFPElementsAttr>
foldDequantizeConstant(mlir::DenseIntElementsAttr values,
                       mlir::RankedTensorType inputType,
                       mlir::RankedTensorType resultType);

/// Stored integers of `values` (of `inputType`) requantized to `resultType`.
llvm::FailureOr<mlir::DenseIntElementsAttr>
foldRequantizeConstant(mlir::DenseIntElementsAttr values,
                       mlir::RankedTensorType inputType,
                       mlir::RankedTensorType resultType, RoundingMode mode);

/// `values` after quantization with `policy` and dequantization: the
/// scales come from the values themselves as qopt-insert-qdq derives them
/// (computeConstantRanges), the rounding is `mode`. This is what the model
/// computes with once the weights are quantized that way (used to measure
/// a layer's sensitivity without building the integer graph). Fails, with
/// `error` set, on non-finite values or a policy that does not fit.
llvm::FailureOr<mlir::DenseFPElementsAttr>
fakeQuantizeConstant(mlir::DenseFPElementsAttr values, PolicyAttr policy,
                     RoundingMode mode, std::string &error);

/// Integers `values` rescaled by `op` (qopt.rescale semantics with its
/// profile, zero points and saturation). Fails on a dynamic shape.
llvm::FailureOr<mlir::DenseIntElementsAttr>
foldRescaleConstant(mlir::DenseIntElementsAttr values, RescaleOp op);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_UTILS_CONSTANTFOLDING_H
