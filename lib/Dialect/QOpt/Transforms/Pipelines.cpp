//===- Pipelines.cpp - pipelines of qopt dialect passes -------------------===//

#include "qopt/Dialect/QOpt/Transforms/Pipelines.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"

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

void qopt::buildIntegerGraphPipeline(OpPassManager &pm,
                                     const IntegerGraphOptions &options) {
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
