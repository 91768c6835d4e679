//===- QuantizedTypes.h - building and reading quantized types --*- C++ -*-===//
//
// Bridges policies and numerics (QuantMath.h) with MLIR types: builds the
// `!quant.uniform` (per tensor / per axis / sub-channel) or `!qopt.binary`
// element type a policy asks for, and reads back the scale and zero point
// that applies to each element of a quantized tensor.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_UTILS_QUANTIZEDTYPES_H
#define QOPT_DIALECT_QOPT_UTILS_QUANTIZEDTYPES_H

#include "qopt/Dialect/QOpt/IR/QOptAttrs.h"
#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace qopt {

/// The policy `#qopt.policy<body>` (e.g. "si8, asymmetric, per_tensor", as
/// pass options take it), or null with the parser's message in `error`.
PolicyAttr parsePolicy(mlir::MLIRContext *ctx, llvm::StringRef body,
                       std::string &error);

/// A float range [min, max] of one tensor, channel or group.
struct FloatRange {
  float min = 0.0f;
  float max = 0.0f;
};

/// Number of scales `policy` gives a tensor of `shape` (1, the channel
/// count, or the number of groups), and the shape of the scale tensor.
llvm::SmallVector<int64_t> getParamShape(PolicyAttr policy,
                                         llvm::ArrayRef<int64_t> shape);

/// Builds the quantized element type `policy` describes for a tensor of
/// `shape` whose scales and zero points are `params` (row-major over
/// getParamShape). Per-group policies become sub-channel types with block
/// size `size` along `axis` and 1 along every other dimension.
mlir::Type buildQuantizedElementType(PolicyAttr policy,
                                     mlir::FloatType expressedType,
                                     llvm::ArrayRef<int64_t> shape,
                                     llvm::ArrayRef<QuantParams> params);

/// Derives scale and zero point for every range (QuantMath's
/// computeQuantParams) and builds the element type. With `channelAxis` (the
/// output channels of the layer the weights feed) and a per-group policy
/// that is signed symmetric (or ternary) and narrower than 8 bits, every
/// group's scale becomes u[c] * m: u[c] one scale per output channel, m an
/// integer in [1, maxGroupMultiplier] (1 to 16 for int4), rounded up. m * q is
/// then an int8, so the integer conversion computes group-scaled layers as int8
/// ones at scale u[c].
mlir::Type
buildQuantizedElementType(PolicyAttr policy, mlir::FloatType expressedType,
                          llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<FloatRange> ranges,
                          std::optional<int64_t> channelAxis = std::nullopt);

/// Min/max of a constant per tensor, channel or group (row-major over
/// getParamShape). For binary policies the returned range is symmetric at
/// the mean absolute value (the L2-optimal binary scale, as in XNOR-Net).
/// Fails on NaN or infinite elements, naming the first one's index.
llvm::FailureOr<llvm::SmallVector<FloatRange>>
computeConstantRanges(mlir::DenseFPElementsAttr values, PolicyAttr policy,
                      std::string &error);

/// The quantized type `policy` gives the constant `values` (same shape),
/// with scales and zero points derived from the values themselves
/// (computeConstantRanges): what qopt-insert-qdq quantizes weights to.
/// `channelAxis` as for buildQuantizedElementType. Fails, with `error` set,
/// on NaN or infinite values.
llvm::FailureOr<mlir::RankedTensorType>
quantizedTypeOfConstant(mlir::DenseFPElementsAttr values, PolicyAttr policy,
                        std::string &error,
                        std::optional<int64_t> channelAxis = std::nullopt);

/// The output-channel axis of the weights when operand `operandNumber` of
/// `user` is the weight operand of a TOSA layer (conv2d OHWI: 0; depthwise
/// [KH, KW, C, M]: 2; matmul [1, K, N]: 2), else nullopt.
std::optional<int64_t> weightOutputChannelAxis(mlir::Operation *user,
                                               unsigned operandNumber);

/// The axis of the weights a TOSA layer sums over that per-group scales
/// split (conv2d OHWI: 3, the input channels; matmul [1, K, N]: 1), else
/// nullopt (depthwise convolutions sum over their taps only).
std::optional<int64_t> weightReductionAxis(mlir::Operation *user,
                                           unsigned operandNumber);

/// The scale and zero point of every element of a statically shaped
/// quantized tensor type.
class ElementQuantParams {
public:
  explicit ElementQuantParams(mlir::RankedTensorType type);
  QuantParams at(int64_t flatIndex) const;

private:
  llvm::SmallVector<QuantParams> table;
  llvm::SmallVector<int64_t> shape;
  // For each tensor dimension, the block size (0 = not quantized along it).
  llvm::SmallVector<int64_t> blockSizes;
  llvm::SmallVector<int64_t> paramShape;
};

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_UTILS_QUANTIZEDTYPES_H
