//===- WeightedLayers.h - the layers mixed precision decides ----*- C++ -*-===//

#ifndef QOPT_MIXEDPRECISION_WEIGHTEDLAYERS_H
#define QOPT_MIXEDPRECISION_WEIGHTEDLAYERS_H

#include "qopt/Dialect/QOpt/IR/QOptAttrs.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Error.h"

#include <string>

namespace qopt {

/// A convolution, depthwise convolution or matmul whose weights (operand
/// 1) are a float constant: a layer whose weight width can be chosen.
struct WeightedLayer {
  mlir::Operation *op = nullptr;
  mlir::DenseFPElementsAttr weights;
  int64_t outputAxis = 0; ///< output-channel axis of the weights

  static constexpr unsigned kWeightOperand = 1;
};

/// `op` as a weighted layer, if it is one.
std::optional<WeightedLayer> asWeightedLayer(mlir::Operation *op);

/// The weighted layers of `func`, in program order.
llvm::SmallVector<WeightedLayer> findWeightedLayers(mlir::func::FuncOp func);

/// `si<bits>, symmetric, narrow_range, per_channel(axis = outputAxis)`:
/// the weight quantization a width stands for (si2 narrow is ternary).
PolicyAttr weightPolicyForWidth(mlir::MLIRContext *ctx, unsigned bits,
                                int64_t outputAxis);

/// Records `policy` on `layer`'s own weight constant, where
/// qopt-insert-qdq reads it; a constant other ops share is cloned first.
void setWeightPolicy(const WeightedLayer &layer, PolicyAttr policy);

/// The activation a layer reads, whose width can be chosen: the value its
/// input is derived from by ops that only move, select, clamp or pool
/// values (reshape, slice, transpose, pad, clamp, max and average pooling),
/// and every value derived from that root the same way. All of them take
/// the chosen width, so the layer's input has the root's precision; the
/// layers reading any of them share the choice.
struct InputActivation {
  mlir::Value root;
  llvm::SmallVector<mlir::Value> values; ///< root first
};

InputActivation inputActivation(const WeightedLayer &layer);

/// A name for people: the root's layer name, or "argument N".
std::string activationName(const InputActivation &activation);

/// The policy of a 16-bit activation (zero points 0, as TOSA's int16
/// layers and qopt's native int16 kernels need), as pass options spell it
/// and as an attribute.
inline constexpr llvm::StringLiteral kInt16ActivationPolicy =
    "si16, symmetric, per_tensor";
PolicyAttr int16ActivationPolicy(mlir::MLIRContext *ctx);

/// The policy an activation width stands for: 16 is
/// kInt16ActivationPolicy, 8 the `activationPolicy` option's (which must
/// then be an 8-bit per-tensor integer policy). Other widths are errors.
llvm::Expected<PolicyAttr>
activationPolicyForWidth(mlir::MLIRContext *ctx, int64_t bits,
                         llvm::StringRef activationPolicy);

/// Records `policy` on every calibrated value of `activation` (on the
/// defining op or the function argument), where qopt-insert-qdq reads it.
void setActivationPolicy(const InputActivation &activation, PolicyAttr policy);

/// Bits each weight of width `bits` takes in storage: 2 for 2 bits (the
/// GEMM kernels pack TOSA int4 weights in [-2, 1] four per byte), 4 for 3
/// and 4 bits (int4, two per byte), 8 for 5 to 8.
unsigned storageBitsForWidth(unsigned bits);

} // namespace qopt

#endif // QOPT_MIXEDPRECISION_WEIGHTEDLAYERS_H
