//===- Int8MatMulToX86.h - int8 matmul to VNNI microkernels -----*- C++ -*-===//

#ifndef QOPT_CONVERSION_INT8MATMULTOX86_INT8MATMULTOX86_H
#define QOPT_CONVERSION_INT8MATMULTOX86_INT8MATMULTOX86_H

#include "mlir/IR/PatternMatch.h"

#include <cstdint>

namespace qopt {

/// Blocking of the VNNI microkernels: a register tile of `rows` x `vectors`
/// x 16 int32 accumulators, over K blocks of at most `kBlock` depths (0:
/// what keeps a panel's block within 40 KiB of L1).
struct VnniTile {
  int64_t rows = 6;
  int64_t vectors = 4;
  int64_t kBlock = 0;
};

/// tosa.matmul (int8 x constant int8 -> int32) -> packed-weight AVX-512
/// VNNI microkernels (see convert-int8-matmul-to-x86).
void populateInt8MatMulToX86Patterns(mlir::RewritePatternSet &patterns,
                                     VnniTile tile);

} // namespace qopt

#endif // QOPT_CONVERSION_INT8MATMULTOX86_INT8MATMULTOX86_H
