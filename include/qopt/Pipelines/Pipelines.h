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

struct PostTrainingQuantizationOptions
    : public mlir::PassPipelineOptions<PostTrainingQuantizationOptions> {
  Option<std::string> data{
      *this, "data",
      llvm::cl::desc("Calibration inputs: file.npy or file.npz:key")};
  Option<std::string> observer{
      *this, "observer",
      llvm::cl::desc("minmax, moving-average, percentile, mse or entropy"),
      llvm::cl::init("minmax")};
  Option<int64_t> maxSamples{
      *this, "max-samples",
      llvm::cl::desc("Calibrate on at most this many samples (0: all)"),
      llvm::cl::init(0)};
  Option<std::string> activationPolicy{
      *this, "activation-policy",
      llvm::cl::desc("Policy of activations (body of a #qopt.policy)"),
      llvm::cl::init("si8, asymmetric, per_tensor")};
  Option<std::string> weightPolicy{
      *this, "weight-policy",
      llvm::cl::desc("Policy of weights (body of a #qopt.policy)"),
      llvm::cl::init("si8, symmetric, narrow_range, per_channel(axis = 0)")};
  // Mixed precision (qopt-measure-sensitivity + qopt-assign-precision), on
  // when a byte budget is given.
  Option<int64_t> budgetBytes{
      *this, "budget-bytes",
      llvm::cl::desc("Mixed precision: most stored weight bytes (0: off)"),
      llvm::cl::init(0)};
  Option<double> averageBits{
      *this, "average-bits",
      llvm::cl::desc("Mixed precision: most stored bits per weight on "
                     "average (0: off)"),
      llvm::cl::init(0)};
  ListOption<int64_t> weightWidths{
      *this, "weight-widths",
      llvm::cl::desc("Mixed precision: candidate weight widths (default "
                     "8,4)")};
  Option<int64_t> sensitivitySamples{
      *this, "sensitivity-samples",
      llvm::cl::desc("Mixed precision: samples the sensitivity is measured "
                     "on"),
      llvm::cl::init(32)};
  Option<std::string> sensitivityCache{
      *this, "sensitivity-cache",
      llvm::cl::desc("Mixed precision: JSON cache of measured sensitivities")};
  Option<std::string> precisionReport{
      *this, "precision-report",
      llvm::cl::desc("Mixed precision: write the trade-off table here ('-': "
                     "stderr)")};
  Option<std::string> precisionSvg{
      *this, "precision-svg",
      llvm::cl::desc("Mixed precision: draw the trade-off as SVG here")};
  Option<RequantProfile> profile{
      *this, "profile", llvm::cl::desc("Requantization between layers"),
      llvm::cl::init(RequantProfile::fp32_rne),
      llvm::cl::values(
          clEnumValN(RequantProfile::fp32_rne, "fp32_rne",
                     "float32 multiplier, ties to even (ONNX Runtime, "
                     "PyTorch)"),
          clEnumValN(RequantProfile::double_round, "double_round",
                     "integer-only, gemmlowp/TFLite rounding"),
          clEnumValN(RequantProfile::single_round, "single_round",
                     "integer-only, TOSA SINGLE_ROUND"))};
};

/// The whole post-training quantization: fold batch-norm, calibrate (JIT),
/// propagate ranges, with a budget choose each layer's weight width
/// (measured sensitivity, exact solver), insert Q/DQ, turn Q/DQ islands into
/// integer ops, and for the integer-only profiles make every requantize a
/// dyadic rescale.
void buildPostTrainingQuantizationPipeline(
    mlir::OpPassManager &pm, const PostTrainingQuantizationOptions &options);

/// Registers every named qopt pipeline with the global registry.
void registerQOptPipelines();

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
