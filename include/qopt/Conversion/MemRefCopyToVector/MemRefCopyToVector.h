//===- MemRefCopyToVector.h - strided memref.copy to vectors ----*- C++ -*-===//

#ifndef QOPT_CONVERSION_MEMREFCOPYTOVECTOR_MEMREFCOPYTOVECTOR_H
#define QOPT_CONVERSION_MEMREFCOPYTOVECTOR_MEMREFCOPYTOVECTOR_H

#include "mlir/IR/PatternMatch.h"

namespace qopt {

/// Rewrites every memref.copy that is not contiguous on both sides: into
/// loops of vector loads and stores along a static unit-stride innermost
/// dimension, else into a linalg.copy.
void populateMemRefCopyToVectorPatterns(mlir::RewritePatternSet &patterns);

} // namespace qopt

#endif // QOPT_CONVERSION_MEMREFCOPYTOVECTOR_MEMREFCOPYTOVECTOR_H
