//===- IntegerLayerBounds.h - accumulator bounds ----------------*- C++ -*-===//
//
// What an integer TOSA convolution or matmul can accumulate, from its
// constant weights and bias alone: the proof both the int16 conversion
// (qopt-convert-qdq-to-integer) and its int8 split (qopt-split-int16-layers)
// rest on.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_TRANSFORMS_INTEGERLAYERBOUNDS_H
#define QOPT_DIALECT_QOPT_TRANSFORMS_INTEGERLAYERBOUNDS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace qopt {

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

#endif // QOPT_DIALECT_QOPT_TRANSFORMS_INTEGERLAYERBOUNDS_H
