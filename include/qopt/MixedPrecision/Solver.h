//===- Solver.h - exact choice of per-layer weight widths -------*- C++ -*-===//
//
// The mixed-precision problem: each layer offers a few widths, each with a
// cost (bytes of stored weights, and optionally latency) and a measured
// output noise; pick one width per layer so that the summed noise is least
// while the summed costs stay within the budgets. This is a multiple-choice
// knapsack; it is solved exactly by dynamic programming over Pareto fronts:
// after each layer only the partial assignments that no other partial
// assignment beats in every cost and in noise are kept, and the optimum
// under any budget is on the final front. The front is also the trade-off
// curve the report plots. Nothing here needs an MLIRContext.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_MIXEDPRECISION_SOLVER_H
#define QOPT_MIXEDPRECISION_SOLVER_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qopt {

/// One candidate width of one layer.
struct WidthOption {
  unsigned bits = 8;
  int64_t bytes = 0;    ///< stored weight bytes at this width
  double latency = 0.0; ///< microseconds (only with a latency budget)
  double noise = 0.0;   ///< relative output noise power (additive)
};

struct LayerOptions {
  std::string name;
  std::vector<WidthOption> options;
};

struct PrecisionBudget {
  std::optional<int64_t> bytes;
  std::optional<double> latency;
};

/// A whole-model assignment: `choice[l]` indexes layer l's options.
struct Assignment {
  std::vector<unsigned> choice;
  int64_t bytes = 0;
  double latency = 0.0;
  double noise = 0.0;
};

/// Every Pareto-optimal assignment over (bytes, latency when
/// `withLatency`, noise), sorted by bytes, then latency. Each layer must
/// offer at least one option.
std::vector<Assignment> paretoFront(llvm::ArrayRef<LayerOptions> layers,
                                    bool withLatency);

/// The assignment of least noise within `budget` (ties: fewer bytes, then
/// less latency, then the first found in front order). A budget below
/// every assignment is an error that states the least achievable cost.
llvm::Expected<Assignment> solvePrecision(llvm::ArrayRef<LayerOptions> layers,
                                          const PrecisionBudget &budget);

} // namespace qopt

#endif // QOPT_MIXEDPRECISION_SOLVER_H
