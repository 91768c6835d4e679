//===- InitAllDialects.h - dialects qopt reads and writes -------*- C++ -*-===//

#ifndef QOPT_INITALLDIALECTS_H
#define QOPT_INITALLDIALECTS_H

#include "mlir/IR/DialectRegistry.h"

namespace qopt {

/// Registers the qopt dialect and every upstream dialect qopt accepts as
/// input or produces (func, arith, math, tensor, linalg, tosa, quant,
/// vector, memref, scf, cf, bufferization, affine, llvm, x86vector,
/// arm_neon), with the interface extensions their lowerings need.
void registerAllDialects(mlir::DialectRegistry &registry);

} // namespace qopt

#endif // QOPT_INITALLDIALECTS_H
