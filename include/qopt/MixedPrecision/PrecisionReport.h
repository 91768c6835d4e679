//===- PrecisionReport.h - the mixed-precision trade-off -----*- C++ -*-===//
//
// What qopt-assign-precision decided and why: per layer, the output SQNR
// each candidate width would cost and the width chosen (and, where the
// input activation's width was a choice too, each activation's); for the whole
// model, the Pareto front of stored weight bytes against predicted output
// SQNR with the chosen point marked. As a text table and as an SVG plot.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_MIXEDPRECISION_PRECISIONREPORT_H
#define QOPT_MIXEDPRECISION_PRECISIONREPORT_H

#include "qopt/MixedPrecision/Solver.h"

#include "llvm/Support/raw_ostream.h"

namespace qopt {

struct PrecisionReport {
  std::vector<LayerOptions> layers;
  /// Activations whose width was a choice, and the layers reading each.
  std::vector<ActivationGroup> activations;
  std::vector<int64_t> weightCounts; ///< weights per layer
  std::vector<std::string> kinds;    ///< per layer, e.g. "conv2d 16x3x3x1"
  PrecisionBudget budget;
  Assignment chosen;
  std::vector<Assignment> front; ///< sorted by bytes
  int64_t int8Bytes = 0;         ///< every layer at 8 bits, for reference
  bool hasLatency = false;       ///< the options carry measured latencies

  /// Output SQNR in dB for a relative noise power (infinite for 0).
  static double sqnrDb(double noise);
  /// Bits per weight of an assignment.
  double bitsPerWeight(const Assignment &a) const;
  /// The first option of each distinct weight width of `layer` (options
  /// repeat a weight width once per activation width).
  static std::vector<size_t> weightWidthOptions(const LayerOptions &layer);
};

void writePrecisionTable(llvm::raw_ostream &os, const PrecisionReport &report);
void writePrecisionSvg(llvm::raw_ostream &os, const PrecisionReport &report);

} // namespace qopt

#endif // QOPT_MIXEDPRECISION_PRECISIONREPORT_H
