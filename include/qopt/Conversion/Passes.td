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

#endif // QOPT_CONVERSION_PASSES_TD
