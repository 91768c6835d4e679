//===- QOptAttrs.h - qopt attributes, enums and types -----------*- C++ -*-===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTATTRS_H
#define QOPT_DIALECT_QOPT_IR_QOPTATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"

#include "qopt/Dialect/QOpt/IR/QOptEnums.h"
#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#define GET_ATTRDEF_CLASSES
#include "qopt/Dialect/QOpt/IR/QOptAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "qopt/Dialect/QOpt/IR/QOptTypes.h.inc"

namespace qopt {

/// Float-scale modes: usable by quantize / requantize.
inline bool isFloatScaleRounding(RoundingMode mode) {
  return mode == RoundingMode::half_away_from_zero ||
         mode == RoundingMode::half_to_even || mode == RoundingMode::half_up ||
         mode == RoundingMode::fp32_rne;
}

/// Dyadic profiles: usable by rescale.
inline bool isDyadicRounding(RoundingMode mode) {
  return mode == RoundingMode::double_round ||
         mode == RoundingMode::single_round;
}

/// True for the element types a qopt quantized tensor may hold: upstream
/// uniform (per tensor, per axis, sub-channel) and !qopt.binary.
bool isQuantizedElementType(mlir::Type type);

/// Checks a quantized tensor type beyond what the element type's own
/// verifier sees: zero points inside the storage range, the quantized axis
/// inside the rank, one scale per channel, block sizes dividing dimensions,
/// and the expressed type (if `expressedType` is given).
llvm::LogicalResult
verifyQuantizedTensorType(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                          mlir::RankedTensorType type);

/// Storage range [min, max] of a quantized element type.
StorageRange getStorageRange(mlir::Type quantizedElementType);

/// Expressed (float) type of a quantized element type.
mlir::FloatType getExpressedType(mlir::Type quantizedElementType);

/// Storage integer type (signless, storage width) of a quantized element type.
mlir::IntegerType getStorageIntegerType(mlir::Type quantizedElementType);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_IR_QOPTATTRS_H
