//===- MemRefCopyToLinalg.h - strided memref.copy to linalg -----*- C++ -*-===//

#ifndef QOPT_CONVERSION_MEMREFCOPYTOLINALG_MEMREFCOPYTOLINALG_H
#define QOPT_CONVERSION_MEMREFCOPYTOLINALG_MEMREFCOPYTOLINALG_H

#include "mlir/IR/PatternMatch.h"

namespace qopt {

/// Rewrites every memref.copy that is not contiguous on both sides into a
/// linalg.copy.
void populateMemRefCopyToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace qopt

#endif // QOPT_CONVERSION_MEMREFCOPYTOLINALG_MEMREFCOPYTOLINALG_H
