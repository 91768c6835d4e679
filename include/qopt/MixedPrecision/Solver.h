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
// curve the report plots. Layers that read one activation whose width is
// also a choice form a group: the group is one item of the knapsack, whose
// candidates are its own front for each activation width. Nothing here
// needs an MLIRContext.
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
  /// Width of the layer's input activation this option runs with, when the
  /// layer is in an ActivationGroup (0: not a choice).
  unsigned activationBits = 0;
};

struct LayerOptions {
  std::string name;
  std::vector<WidthOption> options;
};

/// Layers that read one activation (a value and the reshapes, slices and
/// clamps of it): its width is one choice for all of them. Each member
/// must pick an option whose `activationBits` is the group's width, and the
/// activation's own noise at that width, `noise[i]` for `bits[i]`, counts
/// once.
struct ActivationGroup {
  std::string name;
  std::vector<unsigned> layers; ///< indices into the layer list
  std::vector<unsigned> bits;
  std::vector<double> noise;
};

struct PrecisionBudget {
  std::optional<int64_t> bytes;
  std::optional<double> latency;
};

/// A whole-model assignment: `choice[l]` indexes layer l's options. Its
/// noise includes the chosen activation widths' noise.
struct Assignment {
  std::vector<unsigned> choice;
  int64_t bytes = 0;
  double latency = 0.0;
  double noise = 0.0;
};

/// Every Pareto-optimal assignment over (bytes, latency when
/// `withLatency`, noise), sorted by bytes, then latency. Each layer must
/// offer at least one option; `groups` must be valid (solvePrecision
/// checks them).
std::vector<Assignment>
paretoFront(llvm::ArrayRef<LayerOptions> layers, bool withLatency,
            llvm::ArrayRef<ActivationGroup> groups = {});

/// The assignment of least noise within `budget` (ties: fewer bytes, then
/// less latency, then the first found in front order). A budget below
/// every assignment is an error that states the least achievable cost.
llvm::Expected<Assignment>
solvePrecision(llvm::ArrayRef<LayerOptions> layers,
               const PrecisionBudget &budget,
               llvm::ArrayRef<ActivationGroup> groups = {});

} // namespace qopt

#endif // QOPT_MIXEDPRECISION_SOLVER_H
