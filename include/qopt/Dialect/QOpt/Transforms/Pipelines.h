//===- Pipelines.h - pipelines of qopt dialect passes -----------*- C++ -*-===//
//
// The quantization steps after the widths are known (Q/DQ insertion, integer
// conversion, dyadic rescales), as pipeline builders. They live beside the
// passes they run so that passes which must quantize a copy of the module
// (qopt-measure-latency) build exactly what qopt-ptq builds.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_TRANSFORMS_PIPELINES_H
#define QOPT_DIALECT_QOPT_TRANSFORMS_PIPELINES_H

#include "qopt/Dialect/QOpt/IR/QOptEnums.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace qopt {

/// Options of `qopt-quantize-qdq`.
struct QuantizeQDQPipelineOptions
    : public mlir::PassPipelineOptions<QuantizeQDQPipelineOptions> {
  Option<std::string> activationPolicy{
      *this, "activation-policy",
      llvm::cl::desc("Policy for calibrated values without their own "
                     "qopt.policy"),
      llvm::cl::init("si8, asymmetric, per_tensor")};
  Option<std::string> weightPolicy{
      *this, "weight-policy",
      llvm::cl::desc("Policy for float constants with two or more non-unit "
                     "dimensions without their own qopt.policy; empty: "
                     "annotated constants only"),
      llvm::cl::init("si8, symmetric, narrow_range, per_tensor")};
  Option<RoundingMode> rounding{
      *this, "rounding", llvm::cl::desc("Rounding of quantize ops"),
      llvm::cl::init(RoundingMode::half_to_even),
      llvm::cl::values(
          clEnumValN(RoundingMode::half_to_even, "half_to_even",
                     "ties to even (ONNX, PyTorch)"),
          clEnumValN(RoundingMode::half_away_from_zero, "half_away_from_zero",
                     "ties away from zero (TFLite)"),
          clEnumValN(RoundingMode::half_up, "half_up", "ties toward +infinity"),
          clEnumValN(RoundingMode::fp32_rne, "fp32_rne",
                     "float32 division, ties to even (ONNX reference)"))};
};

/// Float graph with calibrated ranges -> QDQ graph whose weights are stored
/// as integers (`qopt.constant`) behind `qopt.dequantize`.
void buildQuantizeQDQPipeline(mlir::OpPassManager &pm,
                              const QuantizeQDQPipelineOptions &options);

/// Requantization profile of the integer graph.
enum class RequantProfile {
  /// float32 multiplier, ties to even (ONNX Runtime, PyTorch's quantized
  /// ops): bit-exact with those runtimes.
  fp32_rne,
  /// Integer-only dyadic rescales, gemmlowp / TFLite rounding.
  double_round,
  /// Integer-only dyadic rescales, TOSA SINGLE_ROUND.
  single_round,
};

/// How a calibrated float graph becomes an integer graph.
struct IntegerGraphOptions {
  std::string activationPolicy = "si8, asymmetric, per_tensor";
  std::string weightPolicy = "si8, symmetric, narrow_range, per_channel(axis "
                             "= 0)";
  RequantProfile profile = RequantProfile::fp32_rne;
};

/// Calibrated float graph (ranges propagated, widths assigned) -> integer
/// graph: Q/DQ insertion, Q/DQ islands as integer ops, and for the
/// integer-only profiles every requantize as a dyadic rescale.
void buildIntegerGraphPipeline(mlir::OpPassManager &pm,
                               const IntegerGraphOptions &options);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_TRANSFORMS_PIPELINES_H
