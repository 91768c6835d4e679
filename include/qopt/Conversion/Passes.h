//===- Passes.h - qopt conversion passes ------------------------*- C++ -*-===//

#ifndef QOPT_CONVERSION_PASSES_H
#define QOPT_CONVERSION_PASSES_H

#include "qopt/Conversion/Int8MatMulToKernels/Int8MatMulToKernels.h"
#include "qopt/Conversion/MemRefCopyToVector/MemRefCopyToVector.h"
#include "qopt/Conversion/QOptToArith/QOptToArith.h"

#include "mlir/Pass/Pass.h"

namespace qopt {

#define GEN_PASS_DECL
#include "qopt/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qopt/Conversion/Passes.h.inc"

} // namespace qopt

#endif // QOPT_CONVERSION_PASSES_H
