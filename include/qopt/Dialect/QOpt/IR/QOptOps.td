//===- QOptOps.td - qopt operation definitions -------------*- tablegen -*-===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTOPS_TD
#define QOPT_DIALECT_QOPT_IR_QOPTOPS_TD

include "qopt/Dialect/QOpt/IR/QOptBase.td"
include "qopt/Dialect/QOpt/IR/QOptAttrs.td"
include "qopt/Dialect/QOpt/IR/QOptTypes.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def QOpt_QuantizedElementType : Type<
    CPred<"::qopt::isQuantizedElementType($_self)">,
    "quantized element type (!quant.uniform, per-axis, sub-channel or "
    "!qopt.binary)">;

def QOpt_QuantizedTensor : RankedTensorOf<[QOpt_QuantizedElementType]>;
def QOpt_FloatTensor : RankedTensorOf<[AnyFloat]>;

def QOpt_StorageInteger : AnyTypeOf<[I8, I16, I32], "8-, 16- or 32-bit integer">;
def QOpt_IntegerTensor : RankedTensorOf<[QOpt_StorageInteger]>;

def QOpt_FloatScaleRounding : ConfinedAttr<QOpt_RoundingModeAttr, [
    AttrConstraint<CPred<"::qopt::isFloatScaleRounding("
                         "::llvm::cast<::qopt::RoundingModeAttr>($_self).getValue())">,
                   "a float-scale rounding">]> {
  let summary = "a float-scale rounding (half_away_from_zero, half_to_even, "
                "half_up or fp32_rne)";
}

def QOpt_DyadicRounding : ConfinedAttr<QOpt_RoundingModeAttr, [
    AttrConstraint<CPred<"::qopt::isDyadicRounding("
                         "::llvm::cast<::qopt::RoundingModeAttr>($_self).getValue())">,
                   "a dyadic rounding profile">]> {
  let summary = "a dyadic rounding profile (double_round or single_round)";
}

class QOpt_Op<string mnemonic, list<Trait> traits = []>
    : Op<QOpt_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

def QOpt_ConstantOp : QOpt_Op<"constant", [ConstantLike, Pure]> {
  let summary = "constant tensor of quantized values";
  let description = [{
    Holds the stored integers of a quantized tensor (typically packed
    weights). `value` is a dense integer attribute whose element width equals
    the storage width; for unsigned storage the integers are read as
    unsigned. Every value must lie in the storage range of the result's
    element type (narrow ranges included).

    ```mlir
    %w = qopt.constant dense<[[-127, 5], [0, 127]]> : tensor<2x2xi8>
           -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs QOpt_QuantizedTensor:$output);
  let assemblyFormat = "$value attr-dict `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

def QOpt_QuantizeOp : QOpt_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "float to quantized, with explicit rounding and saturation";
  let description = [{
    Computes, per element, `q = clamp(round(x / scale) + zero_point, qmin,
    qmax)` where `scale` and `zero_point` come from the result's element type
    (per tensor, per channel or per block), `round` is the op's `rounding`
    and `[qmin, qmax]` is the storage range (narrow ranges honoured). The
    division is computed in double precision; +/-infinity saturates. NaN has
    no integer image: a constant holding NaN is not folded.

    For `!qopt.binary` results `q = +1` when `x >= 0` and `-1` otherwise;
    `rounding` is irrelevant there but must still be given.

    ONNX `QuantizeLinear` is `rounding half_to_even` (`fp32_rne` reproduces
    its float32 division bit for bit); TFLite quantizes with
    `half_away_from_zero`.

    ```mlir
    %q = qopt.quantize %x rounding half_to_even
           : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
    ```
  }];
  let arguments = (ins QOpt_FloatTensor:$input,
                       QOpt_FloatScaleRounding:$rounding);
  let results = (outs QOpt_QuantizedTensor:$output);
  let assemblyFormat = [{
    $input `rounding` custom<Rounding>($rounding) attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

def QOpt_DequantizeOp : QOpt_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "quantized to float";
  let description = [{
    Computes, per element, `x = scale * (q - zero_point)` in double
    precision, rounded once (to nearest even) to the result's float type.
    For `!qopt.binary` operands `x = scale * (q ? +1 : -1)`. Exact for every
    scale representable in the expressed type, so it needs no rounding mode.

    Dequantizing a constant is deliberately not a folder: quantized weights
    stay integers behind a dequantize (QDQ form) through canonicalization.
    `qopt-fold-dequantize-constants` folds them to float when asked.

    ```mlir
    %x = qopt.dequantize %q
           : tensor<4x!quant.uniform<i8:f32, 0.1:-3>> -> tensor<4xf32>
    ```
  }];
  let arguments = (ins QOpt_QuantizedTensor:$input);
  let results = (outs QOpt_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

def QOpt_RequantizeOp : QOpt_Op<"requantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "change of quantization parameters with a float scale";
  let description = [{
    Computes, per element, `q_out = clamp(round((q_in - zp_in) * (s_in /
    s_out)) + zp_out, qmin, qmax)` with the scales and zero points of the
    operand and result element types and `rounding` one of the float-scale
    modes. The factor and product are computed in double precision, except
    for `fp32_rne`, which computes `float(q_in - zp_in) * (float(s_in) /
    float(s_out))` in float32 as XNNPACK and PyTorch's quantized kernels do. This is
    the form a quantizer produces (e.g. from an int32 accumulator at scale
    `s_in * s_w`); `qopt-requant-to-dyadic` turns it into `qopt.rescale`.

    Both sides are uniform (per tensor or per axis); when both are per axis
    they share the axis. Expressed types must match.

    ```mlir
    %y = qopt.requantize %acc rounding half_away_from_zero
           : tensor<8x!quant.uniform<i32:f32, 0.0003>>
          -> tensor<8x!quant.uniform<i8:f32, 0.05:-4>>
    ```
  }];
  let arguments = (ins QOpt_QuantizedTensor:$input,
                       QOpt_FloatScaleRounding:$rounding);
  let results = (outs QOpt_QuantizedTensor:$output);
  let assemblyFormat = [{
    $input `rounding` custom<Rounding>($rounding) attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

def QOpt_RescaleOp : QOpt_Op<"rescale", [Pure, SameOperandsAndResultShape]> {
  let summary = "integer rescale by a dyadic multiplier M * 2^-shift";
  let description = [{
    Integer-only requantization, per element of channel `c` (or of the whole
    tensor when one multiplier is given):

    `y = clamp(apply(x - input_zp, multiplier[c], shift[c]) + output_zp,
    min(out), max(out))`

    where `apply` is selected by `rounding`:
    * `double_round`: with `e = 31 - shift`,
      `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^max(e, 0),
      M), max(-e, 0))`, gemmlowp's `MultiplyByQuantizedMultiplier`
      (TOSA `DOUBLE_ROUND`).
    * `single_round`: `(int64(x) * M + 2^(shift-1)) >> shift`
      (TOSA `SINGLE_ROUND`).

    Constant inputs fold with exactly these semantics.

    Multipliers lie in `[0, 2^31 - 1]` and shifts in `[2, 62]` (TOSA's
    limits); per-channel rescales name the `axis`, whose static size must
    equal the number of multipliers. Operand and result are signless
    integers read as unsigned when `input_unsigned` / `output_unsigned` is
    set; zero points must lie in the respective storage ranges.

    ```mlir
    %y = qopt.rescale %acc multiplier [1518500250] shift [38]
           rounding double_round {output_zp = -3 : i64}
           : tensor<16xi32> -> tensor<16xi8>
    ```
  }];
  let arguments = (ins
    QOpt_IntegerTensor:$input,
    DenseI32ArrayAttr:$multiplier,
    DenseI32ArrayAttr:$shift,
    OptionalAttr<I64Attr>:$axis,
    QOpt_DyadicRounding:$rounding,
    DefaultValuedAttr<I64Attr, "0">:$input_zp,
    DefaultValuedAttr<I64Attr, "0">:$output_zp,
    UnitAttr:$input_unsigned,
    UnitAttr:$output_unsigned
  );
  let results = (outs QOpt_IntegerTensor:$output);
  let assemblyFormat = [{
    $input `multiplier` $multiplier `shift` $shift (`axis` $axis^)?
    `rounding` custom<Rounding>($rounding) attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}


//===----------------------------------------------------------------------===//
// Dot product ops
//===----------------------------------------------------------------------===//

// Four-byte dot products accumulated per 32-bit lane, wrapping int32; the
// ops differ in how lhs bytes widen.
class QOpt_DotOp<string mnemonic> : QOpt_Op<mnemonic, [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$lhs,
                       VectorOfRankAndType<[1], [I8]>:$rhs,
                       UnitAttr:$pairs_fit_i16);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($acc)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return verifyDotShapes(getOperation(), getAcc().getType(),
                             getLhs().getType(), /*bytesPerLane=*/4);
    }
  }];
}

def QOpt_DotU8S8Op : QOpt_DotOp<"dot_u8_s8"> {
  let summary = "accumulate 4-way dot products of unsigned by signed bytes";
  let description = [{
    For each 32-bit lane `i` of `acc`:

    ```
    result[i] = acc[i] + sum_{j < 4} zext(lhs[4 i + j]) * sext(rhs[4 i + j])
    ```

    in wrapping int32 arithmetic. This is x86's `vpdpbusd` (AVX-512 VNNI on
    4, 8 or 16 lanes, AVX-VNNI on 4 or 8), the building block of qopt's
    x86 int8 GEMM microkernels. `convert-qopt-dot-to-llvm` maps it to the
    instruction where the target has it, and otherwise to widening
    multiplies and adds with the same result.

    `pairs_fit_i16` is a promise by the producer (who knows the operands'
    values, e.g. constant weights): every sum of two adjacent products,
    `zext(lhs[2 p]) * sext(rhs[2 p]) + zext(lhs[2 p + 1]) * sext(rhs[2 p + 1])`,
    lies in int16. Only then may AVX2's `vpmaddubsw`, which saturates those
    pair sums to int16, carry the dot; without the promise AVX2 targets use
    widening multiplies.

    ```mlir
    %r = qopt.dot_u8_s8 %acc, %a, %b : vector<64xi8> -> vector<16xi32>
    %s = qopt.dot_u8_s8 %acc, %a, %b {pairs_fit_i16}
        : vector<64xi8> -> vector<16xi32>
    ```
  }];
}

class QOpt_PairDotOp<string mnemonic> : QOpt_Op<mnemonic, [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$acc,
                       VectorOfRankAndType<[1], [I8]>:$lhs,
                       VectorOfRankAndType<[1], [I8]>:$rhs);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($acc)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return verifyDotShapes(getOperation(), getAcc().getType(),
                             getLhs().getType(), /*bytesPerLane=*/2);
    }
  }];
}

def QOpt_PairDotU8S8Op : QOpt_PairDotOp<"pair_dot_u8_s8"> {
  let summary = "accumulate 2-way dot products of unsigned by signed bytes";
  let description = [{
    For each 32-bit lane `i` of `acc`:

    ```
    result[i] = acc[i] + sum_{j < 2} zext(lhs[2 i + j]) * sext(rhs[2 i + j])
    ```

    in wrapping int32 arithmetic. This is what AVX2's `vpmaddwd` computes
    on bytes widened to int16 (`vpmovzxbw`, `vpmovsxbw`), exactly for any
    bytes. qopt's AVX2 GEMM kernels use it where `vpmaddubsw` could
    saturate: their accumulators then hold each output's two pair sums
    side by side (lanes 2 c and 2 c + 1 of output c) over the whole depth,
    and add them once at the end, instead of after every `qopt.dot_u8_s8`.
    Other targets get widening multiplies and adds with the same result.

    ```mlir
    %r = qopt.pair_dot_u8_s8 %acc, %a, %b : vector<64xi8> -> vector<32xi32>
    ```
  }];
}

def QOpt_PairDotS8S8Op : QOpt_PairDotOp<"pair_dot_s8_s8"> {
  let summary = "accumulate 2-way dot products of signed by signed bytes";
  let description = [{
    For each 32-bit lane `i` of `acc`:

    ```
    result[i] = acc[i] + sum_{j < 2} sext(lhs[2 i + j]) * sext(rhs[2 i + j])
    ```

    in wrapping int32 arithmetic: `qopt.pair_dot_u8_s8` with both operands
    sign-extended (`vpmovsxbw` twice, then `vpmaddwd` on AVX2). The AVX2
    GEMM kernels use it on activations read in place: widened to int16,
    signed bytes need no `+ 128` flip (and no column correction for one).

    ```mlir
    %r = qopt.pair_dot_s8_s8 %acc, %a, %b : vector<64xi8> -> vector<32xi32>
    ```
  }];
}

def QOpt_DotS8S8Op : QOpt_DotOp<"dot_s8_s8"> {
  let summary = "accumulate 4-way dot products of signed by signed bytes";
  let description = [{
    For each 32-bit lane `i` of `acc`:

    ```
    result[i] = acc[i] + sum_{j < 4} sext(lhs[4 i + j]) * sext(rhs[4 i + j])
    ```

    in wrapping int32 arithmetic. This is AArch64's `sdot` (FEAT_DotProd, 4
    lanes per instruction), the building block of qopt's AArch64 dot-product
    GEMM microkernels; without `dotprod`, `convert-qopt-dot-to-llvm` builds
    it from widening multiplies (`smull`, `smull2`) and pairwise widening
    adds (`saddlp`, `addp`) with the same result. `pairs_fit_i16` has the
    same meaning as for `qopt.dot_u8_s8` (unused by the current lowerings).

    ```mlir
    %r = qopt.dot_s8_s8 %acc, %a, %b : vector<64xi8> -> vector<16xi32>
    ```
  }];
}

def QOpt_MmlaS8S8Op : QOpt_Op<"mmla_s8_s8", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "accumulate a 2 x 8 by 8 x 2 signed byte matrix product";
  let description = [{
    `lhs` holds a 2 x 8 matrix L and `rhs` the transpose of an 8 x 2
    matrix R, both row-major int8; `acc` a row-major 2 x 2 int32 matrix:

    ```
    result[2 i + j] = acc[2 i + j] + sum_{k < 8} sext(lhs[8 i + k]) * sext(rhs[8 j + k])
    ```

    in wrapping int32 arithmetic: 32 multiply-adds. This is AArch64's
    `smmla` (FEAT_I8MM), the building block of qopt's i8mm GEMM
    microkernels. `convert-qopt-dot-to-llvm{isa=neon-i8mm}` maps it to the
    instruction; every other isa to widening multiplies and sums with the
    same result.

    ```mlir
    %r = qopt.mmla_s8_s8 %acc, %l, %r : vector<16xi8> -> vector<4xi32>
    ```
  }];
  let arguments = (ins FixedVectorOfLengthAndType<[4], [I32]>:$acc,
                       FixedVectorOfLengthAndType<[16], [I8]>:$lhs,
                       FixedVectorOfLengthAndType<[16], [I8]>:$rhs);
  let results = (outs FixedVectorOfLengthAndType<[4], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` type($acc)
  }];
}

def QOpt_DyadicScaleOp : QOpt_Op<"dyadic_scale", [Pure,
    AllTypesMatch<["x", "multiplier", "shift", "result"]>]> {
  let summary = "x * multiplier / 2^shift per int32 lane, rounded as "
                "qopt.rescale rounds";
  let description = [{
    The rounded product of a dyadic `qopt.rescale` with input zero point 0,
    lane by lane, saturated to int32 (no output zero point or clamp: the
    caller adds them): for `single_round` (TOSA),
    `(x * multiplier + 2^(shift - 1)) >> shift`; for `double_round`
    (gemmlowp), the same for `shift <= 31`, else
    `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier),
    shift - 31)`. Multipliers are positive.

    It exists so that targets with fixed-point instructions can use them
    after bufferization: `convert-qopt-dot-to-llvm{isa=neon*}` lowers
    `double_round` to AArch64's `sqrdmulh` and gemmlowp's own NEON
    rounding shift (`and`, `sshr`, `sqadd`, `srshl`), and `single_round` to
    `smull`/`smull2`, `srshl` on int64 lanes and `sqxtn`; other isas use
    exact int64 arithmetic. The NEON `double_round` form shifts `x` left by
    `31 - shift` first, so it is chosen only with `left_shift_exact`, the
    producer's promise that this never overflows.

    ```mlir
    %r = qopt.dyadic_scale %x, %m, %s rounding double_round {left_shift_exact}
        : vector<16xi32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I32]>:$x,
                       VectorOfRankAndType<[1], [I32]>:$multiplier,
                       VectorOfRankAndType<[1], [I32]>:$shift,
                       QOpt_RoundingModeAttr:$rounding,
                       UnitAttr:$left_shift_exact);
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $x `,` $multiplier `,` $shift `rounding` custom<Rounding>($rounding)
    attr-dict `:` type($x)
  }];
  let hasVerifier = 1;
}

#endif // QOPT_DIALECT_QOPT_IR_QOPTOPS_TD
