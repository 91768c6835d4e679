//===- Passes.td - calibration passes ----------------------*- tablegen -*-===//

#ifndef QOPT_CALIBRATION_PASSES_TD
#define QOPT_CALIBRATION_PASSES_TD

include "mlir/Pass/PassBase.td"

def CalibratePass : Pass<"qopt-calibrate", "::mlir::ModuleOp"> {
  let summary = "Run the float model on calibration data and attach "
                "calibrated ranges";
  let description = [{
    Compiles the float graph with every float intermediate added as an extra
    result, runs it in the JIT over the calibration set (batch by batch, the
    model's own batch size) and feeds each tensor to a streaming observer
    (`min-max`, `moving-average`, `percentile`, `mse`, `entropy`). Memory
    for the statistics is `O(tensors x bins)` whatever the number of
    samples. The chosen range is attached as `qopt.range` to each op result
    (and function argument), ready for `qopt-insert-qdq`.

    Errors name what is wrong: missing or unreadable data, NaN or infinite
    calibration values (with the sample), an empty calibration set, or a
    shape the model does not take. A progress line is printed on a
    terminal.

    The JIT pipelines need qopt's and upstream passes registered, as they
    are in `qopt`.
  }];
  let dependentDialects = ["::qopt::QOptDialect"];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"\"\"",
           "Calibration inputs: file.npy or file.npz:key">,
    Option<"observer", "observer", "std::string", /*default=*/"\"minmax\"",
           "minmax, moving-average, percentile, mse or entropy">,
    Option<"bins", "bins", "int64_t", /*default=*/"2048",
           "Histogram bins per tensor">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percent of values the percentile observer keeps">,
    Option<"maxSamples", "max-samples", "int64_t", /*default=*/"0",
           "Use at most this many samples (0: all)">,
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Function to calibrate (default: the only public one)">
  ];
}

#endif // QOPT_CALIBRATION_PASSES_TD
