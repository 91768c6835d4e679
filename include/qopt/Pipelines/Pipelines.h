//===- Pipelines.h - qopt's named pass pipelines ----------------*- C++ -*-===//
//
// Each pipeline is a reusable C++ function taking an option struct, so an
// embedding compiler can add it to its own PassManager; registration makes
// it available to `qopt` under its name.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PIPELINES_PIPELINES_H
#define QOPT_PIPELINES_PIPELINES_H

#include "qopt/Dialect/QOpt/Transforms/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace qopt {

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
      llvm::cl::desc("Policy of weights (body of a #qopt.policy); the axis "
                     "follows each layer: output channels for per_channel, "
                     "the summed axis for per_group"),
      llvm::cl::init("si8, symmetric, narrow_range, per_channel(axis = 0)")};
  // Mixed precision (qopt-measure-sensitivity, qopt-measure-latency,
  // qopt-assign-precision), on when a budget is given.
  Option<int64_t> budgetBytes{
      *this, "budget-bytes",
      llvm::cl::desc("Mixed precision: most stored weight bytes (0: off)"),
      llvm::cl::init(0)};
  Option<double> averageBits{
      *this, "average-bits",
      llvm::cl::desc("Mixed precision: most stored bits per weight on "
                     "average (0: off)"),
      llvm::cl::init(0)};
  Option<double> budgetLatency{
      *this, "budget-latency",
      llvm::cl::desc("Mixed precision: most summed layer latency in "
                     "microseconds, measured on qopt's kernels for `target` "
                     "(0: off)"),
      llvm::cl::init(0)};
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Mixed precision with budget-latency: the CPU the "
                     "latencies are measured for (host or <cpu>[,+f,-f]; "
                     "must run on this machine)"),
      llvm::cl::init("host")};
  ListOption<int64_t> weightWidths{
      *this, "weight-widths",
      llvm::cl::desc("Mixed precision: candidate weight widths (default "
                     "8,4)")};
  ListOption<int64_t> activationWidths{
      *this, "activation-widths",
      llvm::cl::desc("Mixed precision: candidate widths of each layer's "
                     "input activation, 8 (activation-policy) and/or 16 "
                     "(si16, symmetric, per_tensor); needs budget-latency "
                     "(default: none, activations follow activation-policy)")};
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
