//===- Passes.h - calibration passes ----------------------------*- C++ -*-===//

#ifndef QOPT_CALIBRATION_PASSES_H
#define QOPT_CALIBRATION_PASSES_H

#include "qopt/Dialect/QOpt/IR/QOptDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Calibration/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Calibration/Passes.h.inc"

} // namespace qopt

#endif // QOPT_CALIBRATION_PASSES_H
