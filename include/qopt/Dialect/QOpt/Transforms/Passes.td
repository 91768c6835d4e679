//===- Passes.td - qopt dialect passes ---------------------*- tablegen -*-===//

#ifndef QOPT_DIALECT_QOPT_TRANSFORMS_PASSES_TD
#define QOPT_DIALECT_QOPT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def InsertQDQPass : Pass<"qopt-insert-qdq", "::mlir::func::FuncOp"> {
  let summary = "Quantize calibrated values and weights as quantize/dequantize pairs";
  let description = [{
    Turns a float graph annotated with calibrated ranges into the QDQ form
    (the form ONNX Runtime and PyTorch export): every quantized value is
    followed by `qopt.quantize` and `qopt.dequantize`, and every other user
    reads the dequantized value. Scales and zero points are derived from the
    range and the policy with `computeQuantParams` (PyTorch-compatible, real
    0.0 exactly representable).

    What gets quantized:
    * an op result or function argument carrying `qopt.range`, with the
      policy in `qopt.policy` on the same op (or argument) if present, else
      `activation-policy`. A single range can only produce one scale, so
      such a policy must be per-tensor;
    * a float constant (any `ConstantLike` op, e.g. `arith.constant` or
      `tosa.const`) carrying `qopt.policy`, or with at least two
      dimensions larger than 1 (weights, not a broadcast bias vector such
      as `[1, C]`) when `weight-policy` is not empty. Its ranges are computed from its values
      per tensor, channel or group. The default `weight-policy` applies
      along the axes of the layer a constant feeds: per channel along its
      output channels, per group along the axis it sums over (conv2d's
      input channels, matmul's K; per channel when that axis is no longer
      than a group). Group scales of a layer's weights become integer
      multiples (1 to 2^(8 - bits)) of one scale per output channel, so
      that the integer conversion computes them as int8 weights.

    The annotations are consumed: after the pass the parameters live in the
    `!quant.uniform` types. Canonicalization then folds the quantize of each
    constant into a `qopt.constant` holding the stored integers.

    Example:
    ```mlir
    %0 = tosa.relu ... {qopt.range = #qopt.range<min = 0.0, max = 6.0>}
    ```
    becomes
    ```mlir
    %0 = ...
    %1 = qopt.quantize %0 rounding half_to_even
           : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.0235...:-128>>
    %2 = qopt.dequantize %1 : ... -> tensor<4xf32>
    ```
  }];
  let dependentDialects = ["::qopt::QOptDialect", "::mlir::quant::QuantDialect"];
  let options = [
    Option<"activationPolicy", "activation-policy", "std::string",
           /*default=*/"\"si8, asymmetric, per_tensor\"",
           "Policy for calibrated values without their own qopt.policy "
           "(the body of a #qopt.policy<...>)">,
    Option<"weightPolicy", "weight-policy", "std::string",
           /*default=*/"\"si8, symmetric, narrow_range, per_tensor\"",
           "Policy for float constants with two or more non-unit "
           "dimensions without their own qopt.policy; empty quantizes only "
           "annotated constants">,
    Option<"rounding", "rounding", "::qopt::RoundingMode",
           /*default=*/"::qopt::RoundingMode::half_to_even",
           "Rounding of the inserted qopt.quantize ops",
           [{::llvm::cl::values(
             clEnumValN(::qopt::RoundingMode::half_to_even, "half_to_even",
                        "ties to even (ONNX QuantizeLinear, PyTorch)"),
             clEnumValN(::qopt::RoundingMode::half_away_from_zero,
                        "half_away_from_zero", "ties away from zero (TFLite)"),
             clEnumValN(::qopt::RoundingMode::half_up, "half_up",
                        "ties toward +infinity"),
             clEnumValN(::qopt::RoundingMode::fp32_rne, "fp32_rne",
                        "float32 division, ties to even (ONNX reference)"))}]>
  ];
}

def FoldDequantizeConstantsPass
    : Pass<"qopt-fold-dequantize-constants"> {
  let summary = "Fold dequantize of quantized constants into float constants";
  let description = [{
    Replaces `qopt.dequantize` of a `qopt.constant` by an `arith.constant`
    holding the dequantized float values (`scale * (q - zero_point)`,
    rounded once to the float type). Useful to simulate quantization error
    in a float graph ("fake quantization" of weights). It is a separate pass
    and not a folder so that canonicalization keeps quantized weights as
    integers.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def RequantToDyadicPass : Pass<"qopt-requant-to-dyadic"> {
  let summary = "Rewrite float-scale requantizes as integer dyadic rescales";
  let description = [{
    Every `qopt.requantize` whose rounding is `half_away_from_zero`,
    `half_to_even` or `half_up` becomes `quant.scast` + `qopt.rescale` +
    `quant.scast`: the factor `m = s_in / s_out` (per tensor, or per channel
    when either side is per-axis) turns into an int32 multiplier `M` and a
    right shift `s` with `m ~= M * 2^-s`, computed exactly as TFLite's
    `QuantizeMultiplier` (round half away from zero, the `M == 2^31` carry,
    flush below 2^-32) with `s = 31 - exponent`. The rescale carries the
    profile chosen by `rounding`, so the IR states the integer semantics.

    Range rules (TOSA's shift range is [2, 62]):
    * `m < 2^-32`: TFLite flushes the multiplier to zero; qopt does the same
      (multiplier 0, shift 62, so the channel outputs its zero point) and
      warns, naming the channel.
    * `m >= 2^29` (shift below 2): an error; such a requantize has no dyadic
      form in TOSA's range. Multipliers in [1, 2^29) are fine: their shift is
      below 31, a left shift in gemmlowp's terms.

    `fp32_rne` requantizes are float by definition and left untouched.

    With `power-of-two`, every multiplier is `2^30` and only the shift
    varies (shift-only requantization); a remark reports the largest
    relative scale error this introduced.
  }];
  let dependentDialects = ["::qopt::QOptDialect", "::mlir::quant::QuantDialect"];
  let options = [
    Option<"rounding", "rounding", "::qopt::RoundingMode",
           /*default=*/"::qopt::RoundingMode::double_round",
           "Dyadic profile of the produced rescales",
           [{::llvm::cl::values(
             clEnumValN(::qopt::RoundingMode::double_round, "double_round",
                        "gemmlowp / TFLite default (TOSA DOUBLE_ROUND)"),
             clEnumValN(::qopt::RoundingMode::single_round, "single_round",
                        "one rounding (TOSA SINGLE_ROUND)"))}]>,
    Option<"powerOfTwo", "power-of-two", "bool", /*default=*/"false",
           "Restrict multipliers to 2^30 (shift-only requantization) and "
           "report the scale error">
  ];
}

def FoldBatchNormPass : Pass<"qopt-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold per-channel multiply/add (inference batch-norm) into "
                "convolution and matmul constants";
  let description = [{
    Inference batch normalization, as every importer emits it, is a
    per-channel multiply by `a = gamma / sqrt(var + eps)` and add of
    `b = beta - mean * a`. When it follows a convolution, depthwise
    convolution or matmul with constant weights, it folds exactly (up to
    float rounding) into those weights and the bias, so the quantizer sees
    one layer with one set of ranges:

    * `mul(conv(x, W, bias), a)` -> `conv(x, W * a[o], bias * a)`;
    * `add(conv(x, W, bias), c)` -> `conv(x, W, bias + c)`;
    * the same for `tosa.depthwise_conv2d` (output channel `c * M + m`) and
      for `tosa.matmul` with constant right-hand side, also through the
      `tosa.reshape` a fully-connected layer has, with `mul(add(y, c1), a)`
      distributed to `add(mul(y, a), c1 * a)` and constant adds merged;
    * through a ReLU (`tosa.clamp` with bounds 0 and +max): `relu(y) * a =
      relu(y * a)` holds when every `a[o] > 0`, so the multiply folds; it is
      left in place when any `a[o] <= 0`, and an add after a ReLU never
      folds (`relu(y) + c != relu(y + c)`).

    The folded producer must have a single use; per-channel constants must
    have shape `[1, ..., 1, C]` (or be a single value).
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def PropagateRangesPass
    : Pass<"qopt-propagate-ranges", "::mlir::func::FuncOp"> {
  let summary = "Share and tighten calibrated ranges so quantized ops need "
                "no extra requantize";
  let description = [{
    Runs between calibration and `qopt-insert-qdq` and rewrites the
    `qopt.range` attributes so that values which can share a quantized type
    do, and the integer graph needs no requantize that is not required:

    * **Fixed-range ops**: `tosa.sigmoid` gets `[0, 1]` and `tosa.tanh`
      `[-1, 1]`, whatever calibration saw.
    * **Clamp / ReLU fusion**: the range of a `tosa.clamp` is intersected
      with its bounds and given to its producer when the clamp is that
      producer's only use. The producer's output requantize then saturates
      at the clamp's bounds, and `qopt-convert-qdq-to-integer` removes the
      clamp when it no longer changes any stored value.
    * **Same-scale ops**: `tosa.max_pool2d`, `avg_pool2d`, `reshape`,
      `transpose`, `pad` and `slice` take their input's range, so input and
      output have the same type and the integer op needs no rescale.
    * **Concat**: the inputs and the result share the union of their
      ranges; an input whose producer has other uses keeps its range and
      gets a requantize (which the integer conversion explains in a remark).
    * **Bias add after a matmul** (`add(reshape?(matmul), constant)`, a
      fully-connected layer): the matmul's and the reshape's ranges are
      dropped, so the bias is added in the int32 accumulator instead of
      after an 8-bit requantize.

    Values without a range are left alone; no range is invented for them.
  }];
}

def ConvertQDQToIntegerPass
    : Pass<"qopt-convert-qdq-to-integer", "::mlir::func::FuncOp"> {
  let summary = "Turn dequantize -> float convolution -> quantize into "
                "integer convolutions";
  let description = [{
    Rewrites each Q/DQ island -- `quantize(op(dequantize(...)))` -- into
    integer arithmetic, as ONNX Runtime's QDQ-to-QOperator fusion does, so
    that after `qopt-propagate-ranges` and `qopt-quantize-qdq` a whole
    graph becomes integer:

    ```
    quantize(conv2d(dequantize(x_q), dequantize(W_q), bias))
      -> requantize(conv2d_int(x_q, W_q, round(bias / (s_x * s_w))))
    ```

    * `tosa.conv2d`, `depthwise_conv2d`, `matmul` (with a following
      reshape and bias add: the bias joins the int32 accumulator): int8 x
      int8 -> int32 with the zero points, int32 bias at `s_x * s_w[c]`
      (ties to even), then a `qopt.requantize`. Weights: a symmetric
      signed 2- to 8-bit `qopt.constant`, per tensor or per output
      channel; 2 to 4 bits become TOSA int4 weights (`i4`), wider ones
      `i8`. Ternary weights are `si2` with a narrow range. int16
      activations (zero point 0) use TOSA's int16 forms, whose int48
      accumulator is narrowed to int32 where the constant weights and bias
      prove it exact; otherwise TOSA's 16-bit-multiplier `tosa.rescale`
      requantizes the int48 accumulator (a matmul with a bias, which TOSA
      cannot add in int48, stays float).
    * `max_pool2d`, `reshape`, `transpose`, `slice`: the same op on the
      stored values (a requantize first if input and output types differ).
    * `clamp`: an int8 clamp to the quantized bounds, removed when it
      changes no stored value (a ReLU fused into the producer's range).
    * `avg_pool2d`: TOSA's int8 average pool.
    * `add`: both inputs requantized to int32 at `2 max(s_a, s_b) / 2^20`
      (TFLite's add; `2^15` when an input is int16), an int32 add, a
      requantize.
    * `mul`: `(a - zp_a) (b - zp_b)` in int32 at `s_a s_b`, a requantize
      (refused where the product could leave int32).
    * `concat`: int8 or int16 concat, inputs of another type requantized.
    * `sigmoid`, `tanh`, `exp`, `erf`: a 256-entry `tosa.table`.

    Requantizes use `rounding`: `fp32_rne` (ONNX Runtime's and PyTorch's
    float32 requantization) or, with `half_away_from_zero`, ready for
    `qopt-requant-to-dyadic` to make them integer-only dyadic rescales.
    uint8 activations feeding a convolution or matmul are flipped to int8
    (zero point - 128).

    Every op that still computes in float on dequantized values gets a
    warning that says why, and every requantize between two 8-bit types
    (an extra rounding the float model does not have) gets a remark that
    says why it was needed.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect",
                           "::mlir::quant::QuantDialect"];
  let options = [
    Option<"rounding", "rounding", "::qopt::RoundingMode",
           /*default=*/"::qopt::RoundingMode::fp32_rne",
           "Rounding of the produced requantize: fp32_rne (ONNX Runtime, "
           "float32), or half_away_from_zero to continue with "
           "qopt-requant-to-dyadic (integer-only, TFLite-style)",
           [{::llvm::cl::values(
             clEnumValN(::qopt::RoundingMode::fp32_rne, "fp32_rne",
                        "float32 factor, ties to even"),
             clEnumValN(::qopt::RoundingMode::half_away_from_zero,
                        "half_away_from_zero", "for dyadic rescales"),
             clEnumValN(::qopt::RoundingMode::half_to_even, "half_to_even",
                        "double factor, ties to even"))}]>
  ];
}

def SplitInt16LayersPass
    : Pass<"qopt-split-int16-layers", "::mlir::func::FuncOp"> {
  let summary = "Run int16-activation layers as two int8 layers (for the "
                "int8 kernels)";
  let description = [{
    An int16 x int8 convolution, depthwise convolution or matmul whose int48
    accumulator is narrowed to int32 (`tosa.cast`, as
    `qopt-convert-qdq-to-integer` emits where the weights prove it exact)
    becomes two int8 layers on the bytes of its input, `x = 256 hi + lo`:

    ```
    acc = 256 * op(hi, W) + op(lo - 128, W, bias; input zero point -128)
    hi = x >> 8 (arithmetic), lo = x & 255
    ```

    Both halves are exact int8 layers (input zero points 0 and -128, which
    also keep padding at x = 0), and so is the sum: every output channel's
    `sum |w| * 32768 + |bias|` is checked to fit int32 again here, and
    layers where it does not are left alone. Weights must fit int8 (int16
    matmul weights are narrowed back; values within [-8, 7] become int4, so
    the packed int4 kernels still apply). The result is what
    `convert-int8-matmul-to-kernels` takes: int16 layers run on the int8
    GEMM kernels (two passes) instead of the reference lowering.

    `--codegen=native` runs it before the kernel conversion; the reference
    lowering keeps TOSA's int16 forms, so native == reference tests it.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

#endif // QOPT_DIALECT_QOPT_TRANSFORMS_PASSES_TD
