//===- Pipelines.h - qopt's named pass pipelines ----------------*- C++ -*-===//
//
// Each pipeline is a reusable C++ function taking an option struct, so an
// embedding compiler can add it to its own PassManager; registration makes
// it available to `qopt` under its name.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PIPELINES_PIPELINES_H
#define QOPT_PIPELINES_PIPELINES_H

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
      llvm::cl::desc("Policy for float constants of rank >= 2 without their "
                     "own qopt.policy; empty: annotated constants only"),
      llvm::cl::init("si8, symmetric, narrow_range, per_tensor")};
  Option<RoundingMode> rounding{
      *this, "rounding", llvm::cl::desc("Rounding of quantize ops"),
      llvm::cl::init(RoundingMode::half_to_even),
      llvm::cl::values(
          clEnumValN(RoundingMode::half_to_even, "half_to_even",
                     "ties to even (ONNX, PyTorch)"),
          clEnumValN(RoundingMode::half_away_from_zero, "half_away_from_zero",
                     "ties away from zero (TFLite)"),
          clEnumValN(RoundingMode::half_up, "half_up",
                     "ties toward +infinity"),
          clEnumValN(RoundingMode::fp32_rne, "fp32_rne",
                     "float32 division, ties to even (ONNX reference)"))};
};

/// Float graph with calibrated ranges -> QDQ graph whose weights are stored
/// as integers (`qopt.constant`) behind `qopt.dequantize`.
void buildQuantizeQDQPipeline(mlir::OpPassManager &pm,
                              const QuantizeQDQPipelineOptions &options);

/// Registers every named qopt pipeline with the global registry.
void registerQOptPipelines();

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
