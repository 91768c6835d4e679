//===- CalibratedValues.h - calibrated ranges on values ---------*- C++ -*-===//
//
// Where a value's calibrated range lives (`qopt.range` on its defining op,
// or on the function argument) and which ops keep their input's values, so
// that their output can share the input's range and precision. Used by
// range propagation and by mixed precision's activation choices.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_UTILS_CALIBRATEDVALUES_H
#define QOPT_DIALECT_QOPT_UTILS_CALIBRATEDVALUES_H

#include "qopt/Dialect/QOpt/IR/QOptAttrs.h"

#include "mlir/IR/Value.h"

namespace qopt {

/// The calibrated range of `value`: `qopt.range` on its defining op, or on
/// the function argument; null when it has none.
RangeAttr getCalibratedRange(mlir::Value value);

/// Ops whose result holds operand 0's values moved or selected (reshape,
/// transpose, slice, pad, max pooling) or averaged (average pooling): their
/// output can keep their input's quantized type.
bool isSameScaleOp(mlir::Operation *op);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_UTILS_CALIBRATEDVALUES_H
