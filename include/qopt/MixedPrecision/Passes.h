//===- Passes.h - mixed-precision passes ------------------------*- C++ -*-===//

#ifndef QOPT_MIXEDPRECISION_PASSES_H
#define QOPT_MIXEDPRECISION_PASSES_H

#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/Transforms/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/MixedPrecision/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/MixedPrecision/Passes.h.inc"

} // namespace qopt

#endif // QOPT_MIXEDPRECISION_PASSES_H
