//===- Pipelines.cpp - qopt's named pass pipelines ------------------------===//

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Calibration/Passes.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/MixedPrecision/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace qopt;

void qopt::buildPostTrainingQuantizationPipeline(
    OpPassManager &pm, const PostTrainingQuantizationOptions &options) {
  pm.addNestedPass<func::FuncOp>(createFoldBatchNormPass());
  pm.addPass(createCanonicalizerPass());
  CalibratePassOptions calibrate;
  calibrate.data = options.data;
  calibrate.observer = options.observer;
  calibrate.maxSamples = options.maxSamples;
  pm.addPass(createCalibratePass(calibrate));
  pm.addNestedPass<func::FuncOp>(createPropagateRangesPass());
  if (options.budgetBytes > 0 || options.averageBits > 0 ||
      options.budgetLatency > 0) {
    MeasureSensitivityPassOptions measure;
    measure.data = options.data;
    measure.widths.assign(options.weightWidths.begin(),
                          options.weightWidths.end());
    measure.maxSamples = options.sensitivitySamples;
    measure.cache = options.sensitivityCache;
    measure.activationWidths.assign(options.activationWidths.begin(),
                                    options.activationWidths.end());
    measure.activationPolicy = options.activationPolicy;
    pm.addPass(createMeasureSensitivityPass(measure));
    if (options.budgetLatency > 0) {
      MeasureLatencyPassOptions latency;
      latency.target = options.target;
      latency.activationPolicy = options.activationPolicy;
      latency.profile = options.profile;
      pm.addPass(createMeasureLatencyPass(latency));
    }
    AssignPrecisionPassOptions assign;
    assign.budgetBytes = options.budgetBytes;
    assign.averageBits = options.averageBits;
    assign.budgetLatency = options.budgetLatency;
    assign.report = options.precisionReport;
    assign.svg = options.precisionSvg;
    pm.addPass(createAssignPrecisionPass(assign));
  }
  IntegerGraphOptions integer;
  integer.activationPolicy = options.activationPolicy;
  integer.weightPolicy = options.weightPolicy;
  integer.profile = options.profile;
  buildIntegerGraphPipeline(pm, integer);
}

void qopt::registerQOptPipelines() {
  PassPipelineRegistration<PostTrainingQuantizationOptions>(
      "qopt-ptq",
      "Post-training quantization of a float model to an integer graph: "
      "BN folding, calibration, range propagation, mixed precision (with a "
      "budget), Q/DQ, integer ops",
      buildPostTrainingQuantizationPipeline);
  PassPipelineRegistration<QuantizeQDQPipelineOptions>(
      "qopt-quantize-qdq",
      "Quantize a float graph with calibrated ranges into QDQ form with "
      "integer weights",
      buildQuantizeQDQPipeline);
}
