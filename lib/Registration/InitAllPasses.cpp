//===- InitAllPasses.cpp - qopt's passes and pipelines --------------------===//

#include "qopt/InitAllPasses.h"

#include "qopt/Calibration/Passes.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/MixedPrecision/Passes.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/ExecutionEngine/JitKernel.h"

#include "mlir/InitAllPasses.h"

#include <mutex>

void qopt::registerAllPasses() {
  registerQOptPasses();
  registerQOptConversionPasses();
  registerQOptCalibrationPasses();
  registerQOptMixedPrecisionPasses();
  registerQOptPipelines();
}

void qopt::registerJitPasses() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    mlir::registerAllPasses();
    qopt::registerAllPasses();
  });
}
