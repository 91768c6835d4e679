//===- Passes.td - qopt conversion passes ------------------*- tablegen -*-===//

#ifndef QOPT_CONVERSION_PASSES_TD
#define QOPT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQOptToArithPass : Pass<"convert-qopt-to-arith"> {
  let summary = "Lower qopt.rescale to linalg.generic over arith integer ops";
  let description = [{
    Each `qopt.rescale` becomes an element-wise `linalg.generic` whose body
    applies the multiplier and shift of its channel (per-channel values are
    indexed along `axis` from constant tensors), adds the output zero point
    and saturates to the output type: the complete integer semantics, with
    no float operation.

    Two forms compute the same function:
    * **int64** (the reference): the product `x * M` and the rounding in
      64-bit integers.
    * **int32-only**: a 32x32->64 high/low multiply (`arith.mulsi_extended`,
      the shape of `vpmuldq`, NEON `smull`/`sqrdmulh`) with the rounding
      and shifts carried out on the two 32-bit halves.

    The int32-only form is chosen whenever it is provably equal to the
    reference for the input's value range (from the integer range analysis
    and the input type): `double_round` with shift >= 31 and `single_round`
    with shift >= 32 always are; smaller shifts need an input range small
    enough that no intermediate leaves 32 bits. Every choice is explained in
    a remark. `force-int64` always uses the reference form.

    `qopt.requantize` with `fp32_rne` lowers too (`float(q - zp_in) *
    float32 factor`, `math.roundeven`, saturate, add `zp_out`): the
    float-scale requantization of XNNPACK and PyTorch's quantized kernels.
    Other float-scale requantizes are an error here: `qopt-requant-to-dyadic`
    turns them into rescales first.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::quant::QuantDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"forceInt64", "force-int64", "bool", /*default=*/"false",
           "Always use the int64 reference form">
  ];
}

def ConvertInt8MatMulToKernelsPass
    : Pass<"convert-int8-matmul-to-kernels", "::mlir::func::FuncOp"> {
  let summary = "Lower int8 matmuls and convolutions with constant weights to "
                "packed GEMM microkernels (x86 VNNI / AMX, AArch64 sdot / "
                "smmla)";
  let description = [{
    Rewrites `tosa.matmul` (int8 activations `[1, M, K]`, any zero point,
    constant symmetric int8 weights `[1, K, N]`, int32 result) and
    `tosa.conv2d` (the same operands in NHWC, any padding, stride and
    dilation) into code built for `vpdpbusd` (u8 x s8, four products summed
    per 32-bit lane):

    * **Weights packed at compile time** per column panel of `tile-vectors`
      x 16 columns: for each group of 4 depths the panel's 64-byte vectors
      (16 columns x 4 depths each) lie side by side, so one K step reads
      contiguous bytes; K and N are zero-padded to multiples of 4 and 16.
    * **Zero points and bias folded at compile time** into one correction
      per column: the activations are `vpdpbusd`'s unsigned operand
      (`a ^ 0x80` = `a + 128`) and each column subtracts
      `(128 + zp) colsum(w)`. When K is a multiple of 4 they are read in
      place and flipped in registers (one xor per broadcast row word);
      otherwise flipped once, 64 bytes at a time, into a K-padded copy.
    * **Register blocking**: a tile of `tile-rows` rows x `tile-vectors`
      x 16 columns stays in zmm registers across a K block (default 6 x
      64: 24 accumulators, 4 weight vectors, 1 broadcast); edge tiles take
      the remaining rows and column blocks.
    * **Cache blocking**: column panels outer, then equal blocks of at
      most `k-block` depths (by default what keeps a panel's block within
      40 KiB), then row tiles, so a panel's weights for one block stay in
      L1 while every row tile streams over them; later K blocks accumulate
      onto the partial sums, kept in a contiguous `[rows, panel columns]`
      int32 buffer.
    * **Convolutions** as GEMMs over `[KH*KW*C, O]` weights. Where a
      kernel row's `KW x C` bytes are whole depth quads and lie side by
      side in the input (horizontal dilation 1), the VNNI and sdot
      kernels read the GEMM rows in place (no im2col): the input is copied
      once, zero-point padded (and made unsigned for VNNI), and each row
      tile reads kernel row `kh` of its output pixels from their own
      offsets into it; K blocks cover whole kernel rows or lie within one
      (only where the padded copy is no larger than the im2col matrix).
      With 3 (6, 7) channels each padded pixel gets whole quads of
      channels, the extra ones against zero weights (an RGB stem).
      Otherwise (and for AMX and smmla) through im2col (whole kernel rows
      copied when they lie inside the input, padding taps read the zero
      point), with K padded to a multiple of 4, built one block of rows
      at a time into a cache-resident buffer just before the microkernels
      read it. Pointwise stride-1 convolutions read the input as it is.
      The kernels store into the NHWC result itself.
    * **Depthwise convolutions** (`tosa.depthwise_conv2d`, channel
      multiplier 1) as vector code over 16-channel blocks: `(x - zp) * w`
      accumulated in int32 lanes from the bias, with a branch without
      bounds checks for pixels whose taps all lie inside the input.
    * **Requantization fused**: `qopt.requantize` (`fp32_rne`) or
      `qopt.rescale` (`double_round` / `single_round`, with
      convert-qopt-to-arith's element arithmetic) of a convolution's,
      depthwise convolution's or matmul's accumulators becomes the last
      store (for fp32_rne `float(acc) * factor[n]`, ties to even, clamp,
      zero point, int8), so the int32 result never reaches memory.

    Results equal the reference lowering's exactly (int32 arithmetic, no
    saturation: |sum| < 2^31 for K < 2^16). The products are
    `qopt.dot_u8_s8` ops; `convert-qopt-dot-to-llvm` makes them `vpdpbusd`
    or, on targets without VNNI, widening multiplies with the same
    results.

    With `kernel=amx` the same packed weights feed Intel AMX tiles instead
    (upstream's `amx` dialect): per 32-row x 32-column block, 2 x 2
    accumulator tiles of 16 x 16 int32 stay in tmm registers over the whole
    depth, and each 64-byte depth step loads two activation tiles straight
    from A and two weight tiles from the packed panel (whose 64-byte
    vectors are exactly AMX's 4-byte-interleaved B layout), then issues
    four `tdpbssd` (signed by signed: A is read in place when it is whole
    16-row x 64-byte tiles, else copied once, padded, unchanged). Rows
    past M are computed but not stored; depths past K meet zero weights.
    Accumulators leave through a 16 x 16 stack buffer into the same
    epilogue (corrections, fused requantization). The generated code needs a CPU with AMX-INT8 and, on
    Linux, the process's permission to use tile data (`qopt-run` and
    `JitKernel` request it).

    AArch64 kernels multiply signed by signed as AMX does (activations in
    place or K-padded, the zero point in the column corrections):

    * `kernel=sdot`: the same packed 64-byte vectors and register tiles,
      with `qopt.dot_s8_s8` (sdot with FEAT_DotProd, else smull / addp /
      sadalp, marked `pairs_fit_i16` where the weights prove int16 pair
      sums exact and `int16-pairs` is set). With `depth-unroll=4` a K
      step covers 4 depth quads: each row's 16 bytes are read once and
      each quad is a lane of them (sdot's indexed form).
    * `kernel=smmla` (FEAT_I8MM): weights packed in groups of 8 depths,
      each 16 bytes one `qopt.mmla_s8_s8` operand (2 columns x 8 depths);
      per row pair and column pair a 2 x 2 int32 block accumulates over
      the K block, then shuffles gather each row's 16 columns for the
      common epilogue. With `depth-unroll`, each row's bytes for several
      octets are read at once and zipped into the operands.

    A fused dyadic rescale on these kernels becomes `qopt.dyadic_scale`
    (sqrdmulh / srshl on NEON) plus the shared clamp and zero point.
    `docs/AArch64.md` has the details and instruction counts.

    Example (`--convert-int8-matmul-to-kernels="kernel=amx"`):

    ```mlir
    %acc = scf.for %s = %c0 to %steps step %c1 iter_args(%t = %zero)
        -> (!amx.tile<16x16xi32>) {
      %a = amx.tile_load %A[%row, %k] : memref<...> into !amx.tile<16x64xi8>
      %w = amx.tile_load %B[%at], %stride : memref<...> into !amx.tile<16x64xi8>
      %r = amx.tile_muli %a, %w, %t : !amx.tile<16x64xi8>, ...
      scf.yield %r : !amx.tile<16x16xi32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::amx::AMXDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::qopt::QOptDialect",
                           "::mlir::tosa::TosaDialect"];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"6",
           "Rows of the register tile">,
    Option<"tileVectors", "tile-vectors", "int64_t", /*default=*/"4",
           "16-column vectors of the register tile">,
    Option<"kBlock", "k-block", "int64_t", /*default=*/"0",
           "Depths per cache block (a multiple of 4; 0: as many as keep a "
           "panel's block within 40 KiB of L1)">,
    Option<"int16Pairs", "int16-pairs", "bool", /*default=*/"false",
           "Prefer operands whose dots provably keep adjacent-product sums "
           "in int16 and mark them pairs_fit_i16 (for AVX2's vpmaddubsw; "
           "decided per GEMM from the constant weights); x86 GEMMs without "
           "that proof take exact pair dots (qopt.pair_dot_s8_s8 on rows "
           "read in place, qopt.pair_dot_u8_s8 on flipped copies) on tiles "
           "of at most 2 rows">,
    Option<"depthUnroll", "depth-unroll", "int64_t", /*default=*/"1",
           "Depth groups (quads; smmla: octets) per K step (1, 2 or 4): "
           "each row's bytes for a step are loaded once (sdot's indexed "
           "form, smmla operands by zip)">,
    Option<"kernel", "kernel", "std::string", /*default=*/"\"vnni\"",
           "vnni (vpdpbusd register tiles, any x86-64 through "
           "convert-qopt-dot-to-llvm), amx (AMX-INT8 tiles), sdot (AArch64 "
           "signed dot register tiles: sdot or smull/saddlp) or smmla "
           "(AArch64 i8mm 2x8x2 blocks)">
  ];
}

def ConvertMemRefCopyToVectorPass : Pass<"convert-memref-copy-to-vector"> {
  let summary = "Turn strided memref.copy ops into vector loads and stores "
                "(or linalg.copy)";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between two contiguous
    buffers to `memcpy`, but every other copy to a call of the runtime's
    generic `memrefCopy`, which moves one element at a time through the
    memref descriptors. Bufferized padding (`tosa.max_pool2d`'s border, a
    padded input copied into the interior of a larger buffer) is such a
    copy; in a ResNet-18 at batch 1 that one call took a fifth of the
    int8 model's run time.

    This pass rewrites each copy that is not contiguous on both sides.
    When the innermost dimension is static, has stride 1 on both sides and
    holds whole bytes, each row is copied as vectors of up to 64 bytes
    (`vector.transfer_read` / `vector.transfer_write`, in bounds) inside
    `scf.for` loops over the outer dimensions. As a `linalg.copy` such a
    copy became loops that LLVM left scalar (it cannot prove that the two
    memrefs do not alias): 64 byte moves per pixel, 2.6% of the int8
    ResNet-18's run time. Other copies become `linalg.copy`, which
    `convert-linalg-to-loops` turns into loops. Contiguous copies are left
    alone. Runs after bufferization.

    Example:

    ```mlir
    memref.copy %src, %view : memref<1x4x4x64xi8>
        to memref<1x4x4x64xi8, strided<[1600, 320, 64, 1], offset: 384>>
    // becomes, for each (n, h, w) in scf.for loops:
    %row = vector.transfer_read %src[%n, %h, %w, %c0], %pad {in_bounds = [true]}
        : memref<1x4x4x64xi8>, vector<64xi8>
    vector.transfer_write %row, %view[%n, %h, %w, %c0] {in_bounds = [true]}
        : vector<64xi8>, memref<1x4x4x64xi8, strided<...>>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvertQOptDotToLLVMPass : Pass<"convert-qopt-dot-to-llvm"> {
  let summary = "Lower qopt's dot and mmla ops to vpdpbusd, sdot, smmla, "
                "or widening multiply-adds";
  let description = [{
    Instruction selection for the four-byte dot ops by target. For
    `qopt.dot_u8_s8` (x86's unsigned x signed):

    * `avx512-vnni`: `vpdpbusd` on zmm/ymm/xmm (`llvm.x86.avx512.vpdpbusd.*`);
    * `avx-vnni`: VEX-encoded `{vex} vpdpbusd` on ymm/xmm (the same
      intrinsics, selected by the target's features); 16-lane dots are
      split in two;
    * `avx2`: dots marked `pairs_fit_i16` become `vpmaddubsw` + `vpmaddwd`
      against ones + `vpaddd` per ymm half (`vpmaddubsw` saturates pair
      sums to int16, so only the producer's proof allows it); unmarked dots
      widen each byte to int16 (`vpmovzxbw` / `vpmovsxbw`) and use
      `vpmaddwd` (exact int32 pair sums), then add each lane's two pairs;
    * `generic`: zero/sign extension to int32, multiply, and a sum of each
      group of four (vector dialect only), which any LLVM target compiles;
    * `host` (the default): the first of these the running CPU supports.

    For `qopt.dot_s8_s8` (signed x signed, AArch64's kernels):

    * `neon-dotprod`: `sdot` per 4 lanes (`llvm.aarch64.neon.sdot`,
      FEAT_DotProd);
    * `neon`: per 4 lanes, `smull` + `smull2` (exact int16 products),
      `saddlp` of each (int32 pair sums), `addp` (the four-byte sums) and
      an add: five instructions for what `sdot` does in one;
    * anything else: the generic form with sign extension.

    * `neon-i8mm`: `sdot` as for `neon-dotprod`, and `qopt.mmla_s8_s8`
      becomes `smmla` (`llvm.aarch64.neon.smmla`, FEAT_I8MM; every other
      isa lowers it generically).

    The NEON isas lower `qopt.dot_u8_s8` generically (qopt's AArch64
    kernels never create it).

    Every choice computes the same wrapping int32 result. Runs after
    bufferization (the intrinsic calls carry no memory-effect information).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"host\"",
           "avx512-vnni, avx-vnni, avx2, neon, neon-dotprod, neon-i8mm, generic "
           "or host">
  ];
}

#endif // QOPT_CONVERSION_PASSES_TD
