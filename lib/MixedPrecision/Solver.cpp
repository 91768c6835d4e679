//===- Solver.cpp - exact choice of per-layer weight widths ---------------===//

#include "qopt/MixedPrecision/Solver.h"
#include "qopt/Support/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace qopt;

namespace {
/// `a` is at least as good as `b` everywhere (a dominates or equals b).
bool covers(const Assignment &a, const Assignment &b, bool withLatency) {
  return a.bytes <= b.bytes && a.noise <= b.noise &&
         (!withLatency || a.latency <= b.latency);
}

/// Keeps the non-dominated points of `points` (one of several equal ones),
/// sorted by bytes, then latency, then noise.
std::vector<Assignment> prune(std::vector<Assignment> points,
                              bool withLatency) {
  // The choices break ties, so equal points are kept deterministically.
  llvm::sort(points, [&](const Assignment &a, const Assignment &b) {
    if (a.bytes != b.bytes)
      return a.bytes < b.bytes;
    if (withLatency && a.latency != b.latency)
      return a.latency < b.latency;
    if (a.noise != b.noise)
      return a.noise < b.noise;
    return a.choice < b.choice;
  });
  std::vector<Assignment> front;
  if (!withLatency) {
    // Sorted by bytes: a point survives iff it is quieter than every
    // cheaper one.
    for (Assignment &p : points)
      if (front.empty() || p.noise < front.back().noise)
        front.push_back(std::move(p));
    return front;
  }
  // Three criteria: every earlier point has no more bytes, so only those can
  // cover a later one.
  for (Assignment &p : points)
    if (llvm::none_of(front, [&](const Assignment &q) {
          return covers(q, p, /*withLatency=*/true);
        }))
      front.push_back(std::move(p));
  return front;
}
} // namespace

std::vector<Assignment> qopt::paretoFront(llvm::ArrayRef<LayerOptions> layers,
                                          bool withLatency) {
  std::vector<Assignment> front(1);
  for (const LayerOptions &layer : layers) {
    std::vector<Assignment> next;
    next.reserve(front.size() * layer.options.size());
    for (const Assignment &partial : front)
      for (auto [i, option] : llvm::enumerate(layer.options)) {
        Assignment a = partial;
        a.choice.push_back(i);
        a.bytes += option.bytes;
        a.latency += option.latency;
        a.noise += option.noise;
        next.push_back(std::move(a));
      }
    front = prune(std::move(next), withLatency);
  }
  return front;
}

llvm::Expected<Assignment>
qopt::solvePrecision(llvm::ArrayRef<LayerOptions> layers,
                     const PrecisionBudget &budget) {
  for (const LayerOptions &layer : layers)
    if (layer.options.empty())
      return fail("layer '" + layer.name + "' has no candidate width");
  // The cheapest assignments, for the error messages.
  int64_t leastBytes = 0;
  double leastLatency = 0;
  for (const LayerOptions &layer : layers) {
    leastBytes += llvm::min_element(layer.options, [](auto &a, auto &b) {
                    return a.bytes < b.bytes;
                  })->bytes;
    leastLatency += llvm::min_element(layer.options, [](auto &a, auto &b) {
                      return a.latency < b.latency;
                    })->latency;
  }
  if (budget.bytes && *budget.bytes < leastBytes)
    return fail(llvm::formatv("the budget of {0} weight bytes is below the "
                              "smallest assignment, {1} bytes (every layer at "
                              "its narrowest candidate width)",
                              *budget.bytes, leastBytes));
  if (budget.latency && *budget.latency < leastLatency)
    return fail(llvm::formatv("the latency budget of {0:f1} us is below the "
                              "fastest assignment, {1:f1} us",
                              *budget.latency, leastLatency));

  bool withLatency = budget.latency.has_value();
  std::optional<Assignment> best;
  for (Assignment &a : paretoFront(layers, withLatency)) {
    if ((budget.bytes && a.bytes > *budget.bytes) ||
        (budget.latency && a.latency > *budget.latency))
      continue;
    if (!best || a.noise < best->noise)
      best = std::move(a);
  }
  if (!best)
    return fail(llvm::formatv(
        "no assignment meets both budgets ({0} bytes, {1:f1} us); each alone "
        "can be met (least bytes {2}, least latency {3:f1} us)",
        *budget.bytes, *budget.latency, leastBytes, leastLatency));
  return std::move(*best);
}
