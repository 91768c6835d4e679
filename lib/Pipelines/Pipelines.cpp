//===- Pipelines.cpp - qopt's named pass pipelines ------------------------===//

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Calibration/Passes.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/MixedPrecision/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace qopt;

void qopt::buildQuantizeQDQPipeline(OpPassManager &pm,
                                    const QuantizeQDQPipelineOptions &options) {
  InsertQDQPassOptions insertOptions;
  insertOptions.activationPolicy = options.activationPolicy;
  insertOptions.weightPolicy = options.weightPolicy;
  insertOptions.rounding = options.rounding;
  pm.addNestedPass<func::FuncOp>(createInsertQDQPass(insertOptions));
  // Folds quantize(constant) into qopt.constant: weights become integers.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

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
  if (options.budgetBytes > 0 || options.averageBits > 0) {
    MeasureSensitivityPassOptions measure;
    measure.data = options.data;
    measure.widths.assign(options.weightWidths.begin(),
                          options.weightWidths.end());
    measure.maxSamples = options.sensitivitySamples;
    measure.cache = options.sensitivityCache;
    pm.addPass(createMeasureSensitivityPass(measure));
    AssignPrecisionPassOptions assign;
    assign.budgetBytes = options.budgetBytes;
    assign.averageBits = options.averageBits;
    assign.report = options.precisionReport;
    assign.svg = options.precisionSvg;
    pm.addPass(createAssignPrecisionPass(assign));
  }
  QuantizeQDQPipelineOptions qdq;
  qdq.activationPolicy = options.activationPolicy;
  qdq.weightPolicy = options.weightPolicy;
  buildQuantizeQDQPipeline(pm, qdq);
  bool dyadic = options.profile != RequantProfile::fp32_rne;
  ConvertQDQToIntegerPassOptions integer;
  integer.rounding =
      dyadic ? RoundingMode::half_away_from_zero : RoundingMode::fp32_rne;
  pm.addNestedPass<func::FuncOp>(createConvertQDQToIntegerPass(integer));
  if (dyadic) {
    RequantToDyadicPassOptions rescale;
    rescale.rounding = options.profile == RequantProfile::double_round
                           ? RoundingMode::double_round
                           : RoundingMode::single_round;
    pm.addPass(createRequantToDyadicPass(rescale));
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
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
