//===- IntegerLayers.h - integer TOSA layer helpers -------------*- C++ -*-===//
//
// Shared by the passes that build integer TOSA layers
// (qopt-convert-qdq-to-integer, qopt-split-int16-layers): small integer
// constants (zero points, shifts, multipliers), and what a convolution or
// matmul can accumulate from its constant weights and bias alone, the proof
// the int16 conversion and its int8 split rest on.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_TRANSFORMS_INTEGERLAYERS_H
#define QOPT_DIALECT_QOPT_TRANSFORMS_INTEGERLAYERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace qopt {

/// A `tosa.const` of `shape` and i`width` elements holding `values` (one
/// value: all elements).
mlir::Value createIntegerConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                  llvm::ArrayRef<int64_t> shape, unsigned width,
                                  llvm::ArrayRef<int64_t> values);

/// The largest input magnitude of an int16 layer (zero point 0).
inline constexpr int64_t kInt16InputMagnitude = 32768;

/// Per output channel of `layer` (tosa.conv2d: weights OHWI;
/// depthwise_conv2d: [KH, KW, C, M], channel c * M + m; matmul: [1, K, N]),
/// the largest |accumulator| it can reach when every |input - zero point|
/// is at most `inputMagnitude`: sum |w| * inputMagnitude + |bias[c]|.
/// `weights` are integers in the op's layout; `bias` (integers, one per
/// channel or one for all) may be null.
llvm::SmallVector<int64_t> accumulatorBounds(mlir::Operation *layer,
                                             mlir::DenseIntElementsAttr weights,
                                             int64_t inputMagnitude,
                                             mlir::DenseIntElementsAttr bias);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_TRANSFORMS_INTEGERLAYERS_H
