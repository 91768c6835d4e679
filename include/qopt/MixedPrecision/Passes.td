//===- Passes.td - mixed-precision passes ------------------*- tablegen -*-===//

#ifndef QOPT_MIXEDPRECISION_PASSES_TD
#define QOPT_MIXEDPRECISION_PASSES_TD

include "mlir/Pass/PassBase.td"

def MeasureSensitivityPass
    : Pass<"qopt-measure-sensitivity", "::mlir::ModuleOp"> {
  let summary = "Measure, with the JIT, how much each layer's weight width "
                "costs the model's output";
  let description = [{
    For every layer with constant float weights (`tosa.conv2d`,
    `tosa.depthwise_conv2d`, `tosa.matmul`) and every candidate width in
    `widths`, runs the float model over the first `max-samples`
    calibration samples with only that layer's weights quantized at that
    width (symmetric, narrow range, one scale per output channel, ties to
    even: what `qopt-insert-qdq` will produce) and compares every output
    with the float model's. The result is attached to the layer as
    `qopt.sensitivity`: the output's error power relative to its signal
    power, per width (`10^(-SQNR/10)`).

    The model is compiled once, with the weights of every measured layer
    turned into arguments, and run `1 + layers x widths` times, the
    variants in parallel on all cores.

    With `cache=<file>`, results are stored in a JSON file under a
    fingerprint of the model, the samples used and the widths, and reused
    when all three are unchanged; other entries in the file are kept. A
    file that is not such a cache is never overwritten.

    With `activation-widths` (8 and/or 16), each layer's input activation
    (the value it reads, with the reshapes, slices, clamps and poolings
    between it and the op that computes it; see `qopt-assign-precision`)
    is measured too: only that activation's calibrated values are
    quantized, at 8 bits as `activation-policy` says or at 16 bits
    (`si16, symmetric, per_tensor`), with the calibrated ranges (run
    `qopt-calibrate` and `qopt-propagate-ranges` first), ties to even.
    The result is the attribute's `activation_bits` and
    `activation_noise`, the same on every layer reading that activation.
    These runs use the same compiled model: each activation value is
    fake-quantized under arguments of its own, an exact identity when off.

    Errors: missing or unreadable data, NaN or infinite samples (naming
    the sample), a model without weighted layers, widths outside [2, 8],
    activation widths other than 8 and 16, an activation-policy that is not
    8-bit per-tensor integer when 8 is a candidate, no calibrated input.
  }];
  let dependentDialects = ["::qopt::QOptDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"\"\"",
           "Calibration inputs: file.npy or file.npz:key">,
    ListOption<"widths", "widths", "int64_t",
               "Candidate weight widths in bits (2 to 8; default 8,4)">,
    Option<"maxSamples", "max-samples", "int64_t", /*default=*/"32",
           "Measure on at most this many samples (0: all)">,
    Option<"cache", "cache", "std::string", /*default=*/"\"\"",
           "JSON file caching measurements per model (empty: no cache)">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to measure (default: the only public one)">,
    ListOption<"activationWidths", "activation-widths", "int64_t",
               "Candidate widths of each layer's input activation: 8 "
               "(activation-policy) and/or 16 (si16, symmetric, per_tensor); "
               "default: none, activations are not measured">,
    Option<"activationPolicy", "activation-policy", "std::string",
           /*default=*/"\"si8, asymmetric, per_tensor\"",
           "Policy of 8-bit activations (as qopt-ptq's)">
  ];
}

def MeasureLatencyPass : Pass<"qopt-measure-latency", "::mlir::ModuleOp"> {
  let summary = "Time each layer at each candidate weight width on qopt's "
                "own kernels for a target";
  let description = [{
    For every layer carrying `qopt.sensitivity` (see
    `qopt-measure-sensitivity`), measures how long the layer takes at each
    of its candidate widths and records it as the attribute's `latency`
    (microseconds), for `qopt-assign-precision`'s `budget-latency`.

    The latencies are measured, not modelled: for each storage form the
    widths take (2 bits packed four per byte, 3 and 4 bits as int4, 5
    to 8 as int8), a copy of the
    model is quantized with every layer at that width by the same passes
    `qopt-ptq` runs (`activation-policy`, `profile`); each integer layer,
    with its fused requantization, becomes a function of its own; these
    are compiled for `target` with qopt's GEMM kernels
    (`convert-int8-matmul-to-kernels`, as `--codegen=native` does) and
    called on one core, each sample timing enough calls to last about
    20 us; the storage forms alternate so that the machine's drift affects
    them alike. The median of `repetitions` samples is recorded.

    Widths with the same storage run the same code and get the same
    latency. The target must run on this machine (the default is the host):
    latencies of other targets cannot be measured here and are an error.
  }];
  let dependentDialects = ["::qopt::QOptDialect"];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"host\"",
           "CPU the kernels are compiled for: host or <cpu>[,+feature,"
           "-feature] (must run on this machine)">,
    Option<"activationPolicy", "activation-policy", "std::string",
           /*default=*/"\"si8, asymmetric, per_tensor\"",
           "Policy of activations (as qopt-ptq's)">,
    Option<"profile", "profile", "::qopt::RequantProfile",
           /*default=*/"::qopt::RequantProfile::fp32_rne",
           "Requantization between layers (as qopt-ptq's)", [{
             ::llvm::cl::values(
               clEnumValN(::qopt::RequantProfile::fp32_rne, "fp32_rne",
                          "float32 multiplier, ties to even"),
               clEnumValN(::qopt::RequantProfile::double_round,
                          "double_round",
                          "integer-only, gemmlowp/TFLite rounding"),
               clEnumValN(::qopt::RequantProfile::single_round,
                          "single_round", "integer-only, TOSA SINGLE_ROUND"))
           }]>,
    Option<"repetitions", "repetitions", "int64_t", /*default=*/"15",
           "Timed samples per layer and width (the median is kept)">
  ];
}

def AssignPrecisionPass
    : Pass<"qopt-assign-precision", "::mlir::ModuleOp"> {
  let summary = "Choose each layer's weight width under a budget, exactly";
  let description = [{
    Reads the `qopt.sensitivity` of every layer, costs each candidate width
    in stored weight bytes (`ceil(weights x storage bits / 8)`, where 2
    bits are packed four per byte, 3 and 4 bits two per byte, and 5 to 8
    stored as int8, the forms the kernels hold) and, with
    `budget-latency`, in the
    latencies the attribute carries, and picks the widths that minimize the
    summed output noise within the budget. The solver is exact: dynamic
    programming over Pareto fronts of (bytes, latency, noise), whose final
    front is the whole trade-off curve.

    The choice is recorded as a `qopt.policy` on each layer's weight
    constant (`si<N>, symmetric, narrow_range, per_channel`; `si2` with a
    narrow range is ternary), which `qopt-insert-qdq` honours, and the
    `qopt.sensitivity` attributes are removed.

    Where `qopt.sensitivity` carries `activation_bits`, the width of the
    layer's input activation is a choice too: the layers reading one
    activation (a value and its reshapes, slices, clamps and poolings)
    choose it together, its noise counts once, and each layer's latency is
    that of its (weight, activation) pair. A 16-bit choice is recorded as
    `#qopt.policy<si16, symmetric, per_tensor>` on every calibrated value
    of the activation; 8 bits keep the activation policy. Activation
    widths need `budget-latency`: they cost no weight bytes.

    Budgets: `budget-bytes`, or `average-bits` (the same in bits per
    weight), and/or `budget-latency` (microseconds). A budget below the
    cheapest assignment is an error that states the minimum achievable.

    `report=<file>` writes a table (per layer: weights, SQNR at each width,
    the chosen width and its bytes; then the Pareto front with the chosen
    point marked); `-` writes it to stderr. `svg=<file>` draws the same:
    per-layer SQNR by width with the choice marked, and the front of
    predicted output SQNR against weight bytes.
  }];
  let dependentDialects = ["::qopt::QOptDialect"];
  let options = [
    Option<"budgetBytes", "budget-bytes", "int64_t", /*default=*/"0",
           "Most stored weight bytes (0: no byte budget)">,
    Option<"averageBits", "average-bits", "double", /*default=*/"0",
           "Most stored bits per weight on average (0: none)">,
    Option<"budgetLatency", "budget-latency", "double", /*default=*/"0",
           "Most summed layer latency in microseconds (0: none)">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write the trade-off table to this file ('-': stderr)">,
    Option<"svg", "svg", "std::string", /*default=*/"\"\"",
           "Draw sensitivities, choices and the Pareto front as SVG">
  ];
}

#endif // QOPT_MIXEDPRECISION_PASSES_TD
