//===- Pipelines.cpp - qopt's named pass pipelines ------------------------===//

#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"

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

void qopt::registerQOptPipelines() {
  PassPipelineRegistration<QuantizeQDQPipelineOptions>(
      "qopt-quantize-qdq",
      "Quantize a float graph with calibrated ranges into QDQ form with "
      "integer weights",
      buildQuantizeQDQPipeline);
}
