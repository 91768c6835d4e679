//===- Int8MatMulToKernels.h - int8 GEMMs to CPU microkernels ---*- C++ -*-===//

#ifndef QOPT_CONVERSION_INT8MATMULTOKERNELS_INT8MATMULTOKERNELS_H
#define QOPT_CONVERSION_INT8MATMULTOKERNELS_INT8MATMULTOKERNELS_H

#include "mlir/IR/PatternMatch.h"

#include <cstdint>

namespace qopt {

/// Which instructions carry an int8 GEMM's products.
enum class Int8Kernel {
  /// Register tiles of int32 zmm accumulators over qopt.dot_u8_s8
  /// (vpdpbusd, or its AVX-VNNI / generic forms: convert-qopt-dot-to-llvm).
  vnni,
  /// AMX tiles: 2 x 2 tiles of 16 x 16 int32 accumulators in tmm registers,
  /// tdpbssd / tdpbusd over 64-byte depth steps (Intel Sapphire Rapids and
  /// later).
  amx,
  /// AArch64 register tiles over qopt.dot_s8_s8 (sdot with FEAT_DotProd,
  /// else smull/saddlp): signed activations in place, the zero point in
  /// the column corrections.
  sdot,
  /// AArch64 FEAT_I8MM: 2 x 2 int32 blocks per qopt.mmla_s8_s8 (smmla, 32
  /// products), weights packed in groups of 8 depths.
  smmla,
};

/// How convert-int8-matmul-to-kernels blocks its GEMMs. For `vnni`: a register
/// tile of `rows` x `vectors` x 16 int32 accumulators, over K blocks of at
/// most `kBlock` depths (0: what keeps a panel's block within 40 KiB of
/// L1). `amx` tiles are fixed by the hardware and ignore the three.
struct Int8GemmOptions {
  int64_t rows = 6;
  int64_t vectors = 4;
  int64_t kBlock = 0;
  Int8Kernel kernel = Int8Kernel::vnni;
  /// Prefer the operand layout whose dots provably keep their pair sums in
  /// int16 and mark them so (for AVX2's vpmaddubsw).
  bool int16Pairs = false;
  /// Depth groups (quads; smmla: octets) per K step (1, 2 or 4): each
  /// row's bytes for a step are loaded once (AArch64 sdot's indexed form,
  /// smmla operands zipped from them).
  int64_t depthUnroll = 1;
  /// Bits each weight is stored in: 8, or 4 / 2 for TOSA `i4` weights
  /// whose values fit (packed two / four per byte: that many consecutive
  /// depth groups share bytes) and unpacked in registers. Set per layer by
  /// the lowering, not an option.
  int64_t weightBits = 8;
  /// Depths per group of weights with their own multiplier per column (0:
  /// none): int8 weights m * q stored as packed q and int8 m, the group's
  /// dot products scaled by m before they are summed. Set per layer by the
  /// lowering, not an option.
  int64_t groupSize = 0;
  /// Weights per byte (1, 2 or 4).
  int64_t weightsPerByte() const { return 8 / weightBits; }
};

/// tosa.matmul and tosa.conv2d (int8 x constant int8 -> int32) ->
/// packed-weight VNNI or AMX microkernels (see convert-int8-matmul-to-kernels).
void populateInt8MatMulToKernelsPatterns(mlir::RewritePatternSet &patterns,
                                         Int8GemmOptions tile);

} // namespace qopt

#endif // QOPT_CONVERSION_INT8MATMULTOKERNELS_INT8MATMULTOKERNELS_H
