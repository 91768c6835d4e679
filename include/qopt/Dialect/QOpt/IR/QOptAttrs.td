//===- QOptAttrs.td - qopt attribute definitions -----------*- tablegen -*-===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTATTRS_TD
#define QOPT_DIALECT_QOPT_IR_QOPTATTRS_TD

include "qopt/Dialect/QOpt/IR/QOptBase.td"

class QOpt_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<QOpt_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def QOpt_PolicyAttr : QOpt_Attr<"Policy", "policy"> {
  let summary = "how a tensor is to be quantized, before its scales are known";
  let description = [{
    A policy fixes the storage (bit width and signedness, or the ternary
    {-1, 0, 1} / binary {-1, +1} sets), symmetric or asymmetric mapping,
    narrow range (drop the most negative code so the range is symmetric), and
    the granularity: one scale per tensor, per channel along `axis`, or per
    group of `size` consecutive elements along `axis`.

    Policies are what a user or the mixed-precision pass decides; the
    quantizer later turns a policy plus a calibrated range into a
    `!quant.uniform` type. Attached to an op as the discardable attribute
    `qopt.policy`, it applies to the op's single result; the dialect then
    checks that `axis` is inside that result's rank and that a static
    dimension is a multiple of the group size.

    Syntax:
    ```
    #qopt.policy<si8, symmetric, narrow_range, per_channel(axis = 0)>
    #qopt.policy<ui8, asymmetric, per_tensor>
    #qopt.policy<si4, symmetric, per_group(axis = 1, size = 32)>
    #qopt.policy<ternary, per_channel(axis = 0)>
    #qopt.policy<binary, per_tensor>
    ```
    `si<N>` / `ui<N>` give N bits, 2 <= N <= 16. `ternary` implies 2 signed
    bits, symmetric, narrow range; `binary` implies a symmetric {-1, +1}
    code stored in one bit.
  }];
  let parameters = (ins
    "::qopt::StorageKind":$kind,
    "unsigned":$bits,
    "bool":$isSigned,
    "bool":$symmetric,
    "bool":$narrowRange,
    "::qopt::Granularity":$granularity,
    "int64_t":$axis,
    "int64_t":$groupSize
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The numeric part of the policy, usable without an MLIRContext.
    ::qopt::QuantScheme getScheme() const;
    /// Checks axis and group size against the shape the policy applies to.
    ::llvm::LogicalResult
    verifyForShape(::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError,
                   ::llvm::ArrayRef<int64_t> shape) const;
  }];
}

def QOpt_RangeAttr : QOpt_Attr<"Range", "range"> {
  let summary = "calibrated range of a float value";
  let description = [{
    The range `[min, max]` a float tensor was observed to take, attached by
    calibration or by hand as the discardable attribute `qopt.range` on the
    op defining a single float tensor result (or as an argument attribute of
    a function). An optional histogram summarises the distribution: `bins`
    equal-width counts over `[min, max]`, the form the percentile, MSE and
    entropy observers reduce to.

    Both bounds must be finite and `min <= max`; counts must be
    non-negative.

    Syntax:
    ```
    #qopt.range<min = -1.5, max = 6.0>
    #qopt.range<min = 0.0, max = 4.0, histogram = [3, 10, 7, 1]>
    ```
  }];
  let parameters = (ins
    APFloatParameter<"lower bound">:$min,
    APFloatParameter<"upper bound">:$max,
    OptionalArrayRefParameter<"int64_t">:$histogram
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "double":$min, "double":$max,
                     CArg<"::llvm::ArrayRef<int64_t>", "{}">:$histogram), [{
      return $_get($_ctxt, ::llvm::APFloat(min), ::llvm::APFloat(max),
                   histogram);
    }]>
  ];
  let extraClassDeclaration = [{
    double getMinValue() const { return getMin().convertToDouble(); }
    double getMaxValue() const { return getMax().convertToDouble(); }
  }];
}

def QOpt_SensitivityAttr : QOpt_Attr<"Sensitivity", "sensitivity"> {
  let summary = "measured effect of each candidate weight width of a layer";
  let description = [{
    Attached as the discardable attribute `qopt.sensitivity` to a layer with
    constant weights (`tosa.conv2d`, `tosa.depthwise_conv2d`, `tosa.matmul`)
    by `qopt-measure-sensitivity`, or by hand, and read by
    `qopt-assign-precision`. For each candidate weight width `bits[i]` it
    holds `noise[i]`: the power of the model output's error when only this
    layer's weights are quantized at that width, relative to the power of
    the float output (`10^(-SQNR/10)`). The solver treats the errors of
    different layers as independent, so their noise powers add.

    `activation_bits` (optional) makes the width of the layer's input
    activation a choice too (8 or 16): `activation_noise[j]` is the output
    noise when only that input (with its reshapes, slices and clamps) is
    quantized at `activation_bits[j]`. Layers reading one activation carry
    the same values, and the solver counts them once.

    `latency` (optional) holds the layer's time in microseconds at each
    width, for a latency budget; with `activation_bits`, at each pair,
    `latency[i * A + j]` for `bits[i]` and `activation_bits[j]` (A widths).

    Widths are distinct integers from 2 to 16; noise and latency are finite
    and non-negative.

    Syntax:
    ```
    #qopt.sensitivity<bits = [8, 4, 2], noise = [1.0e-06, 2.5e-04, 3.0e-02]>
    #qopt.sensitivity<bits = [8, 4], noise = [0.0, 1.0e-03], latency = [12.0, 7.5]>
    #qopt.sensitivity<bits = [8, 4], noise = [0.0, 1.0e-03],
                      activation_bits = [8, 16], activation_noise = [2.0e-04, 0.0],
                      latency = [12.0, 30.0, 7.5, 16.0]>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t">:$bits,
    // Doubles have no llvm::hash_value; the dense array attributes hash.
    AttrParameter<"::mlir::DenseF64ArrayAttr", "noise per width">:$noiseAttr,
    OptionalArrayRefParameter<"int64_t">:$activationBits,
    OptionalParameter<"::mlir::DenseF64ArrayAttr",
                      "noise per activation width">:$activationNoiseAttr,
    OptionalParameter<"::mlir::DenseF64ArrayAttr",
                      "latency per width (us)">:$latencyAttr
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$bits,
                     "::llvm::ArrayRef<double>":$noise,
                     CArg<"::llvm::ArrayRef<double>", "{}">:$latency), [{
      return $_get($_ctxt, bits, ::mlir::DenseF64ArrayAttr::get($_ctxt, noise),
                   ::llvm::ArrayRef<int64_t>(), ::mlir::DenseF64ArrayAttr(),
                   latency.empty() ? ::mlir::DenseF64ArrayAttr()
                                   : ::mlir::DenseF64ArrayAttr::get($_ctxt,
                                                                    latency));
    }]>,
    AttrBuilder<(ins "::llvm::ArrayRef<int64_t>":$bits,
                     "::llvm::ArrayRef<double>":$noise,
                     "::llvm::ArrayRef<int64_t>":$activationBits,
                     "::llvm::ArrayRef<double>":$activationNoise,
                     "::llvm::ArrayRef<double>":$latency), [{
      auto optional = [&](::llvm::ArrayRef<double> values) {
        return values.empty() ? ::mlir::DenseF64ArrayAttr()
                              : ::mlir::DenseF64ArrayAttr::get($_ctxt, values);
      };
      return $_get($_ctxt, bits, ::mlir::DenseF64ArrayAttr::get($_ctxt, noise),
                   activationBits, optional(activationNoise),
                   optional(latency));
    }]>
  ];
  let extraClassDeclaration = [{
    ::llvm::ArrayRef<double> getNoise() const {
      return getNoiseAttr().asArrayRef();
    }
    ::llvm::ArrayRef<double> getActivationNoise() const {
      return getActivationNoiseAttr() ? getActivationNoiseAttr().asArrayRef()
                                      : ::llvm::ArrayRef<double>();
    }
    /// Latency of weight width index `w` with activation width index `a`.
    double getLatencyAt(size_t w, size_t a) const {
      return getLatency()[w * std::max<size_t>(getActivationBits().size(), 1) +
                          a];
    }
    ::llvm::ArrayRef<double> getLatency() const {
      return getLatencyAttr() ? getLatencyAttr().asArrayRef()
                              : ::llvm::ArrayRef<double>();
    }
  }];
}

#endif // QOPT_DIALECT_QOPT_IR_QOPTATTRS_TD
