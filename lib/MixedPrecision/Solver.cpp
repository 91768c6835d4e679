//===- Solver.cpp - exact choice of per-layer weight widths ---------------===//

#include "qopt/MixedPrecision/Solver.h"
#include "qopt/Support/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace qopt;
using llvm::ArrayRef;

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

/// A choice not made yet (a layer outside the partial assignment).
constexpr unsigned kUnchosen = ~0u;

/// The front of every combination of one point from each of `items` (each
/// a set of assignments to disjoint layers).
std::vector<Assignment> combineFronts(ArrayRef<std::vector<Assignment>> items,
                                      size_t layerCount, bool withLatency) {
  std::vector<Assignment> front(1);
  front.front().choice.assign(layerCount, kUnchosen);
  for (const std::vector<Assignment> &item : items) {
    std::vector<Assignment> next;
    next.reserve(front.size() * item.size());
    for (const Assignment &partial : front)
      for (const Assignment &point : item) {
        Assignment a = partial;
        for (auto [l, c] : llvm::enumerate(point.choice))
          if (c != kUnchosen)
            a.choice[l] = c;
        a.bytes += point.bytes;
        a.latency += point.latency;
        a.noise += point.noise;
        next.push_back(std::move(a));
      }
    front = prune(std::move(next), withLatency);
  }
  return front;
}

/// Layer `l`'s options with activation width `activationBits` (any, for
/// nullopt) as points of a front.
std::vector<Assignment> optionPoints(ArrayRef<LayerOptions> layers, size_t l,
                                     std::optional<unsigned> activationBits) {
  std::vector<Assignment> points;
  for (auto [i, option] : llvm::enumerate(layers[l].options)) {
    if (activationBits && option.activationBits != *activationBits)
      continue;
    Assignment &a = points.emplace_back();
    a.choice.assign(layers.size(), kUnchosen);
    a.choice[l] = i;
    a.bytes = option.bytes;
    a.latency = option.latency;
    a.noise = option.noise;
  }
  return points;
}

/// The knapsack's items, in layer order: each layer outside the groups,
/// and each group (at its first layer) as the union over its widths of its
/// members' front at that width plus the activation's noise.
std::vector<std::vector<Assignment>>
knapsackItems(ArrayRef<LayerOptions> layers, ArrayRef<ActivationGroup> groups,
              bool withLatency) {
  std::vector<std::optional<size_t>> groupOf(layers.size());
  for (auto [g, group] : llvm::enumerate(groups))
    for (unsigned l : group.layers)
      groupOf[l] = g;
  std::vector<std::vector<Assignment>> items;
  std::vector<bool> placed(groups.size(), false);
  for (size_t l = 0; l < layers.size(); ++l) {
    if (!groupOf[l]) {
      items.push_back(optionPoints(layers, l, std::nullopt));
      continue;
    }
    size_t g = *groupOf[l];
    if (placed[g])
      continue;
    placed[g] = true;
    std::vector<Assignment> union_;
    for (auto [bits, noise] : llvm::zip(groups[g].bits, groups[g].noise)) {
      std::vector<std::vector<Assignment>> members;
      for (unsigned member : groups[g].layers)
        members.push_back(optionPoints(layers, member, bits));
      if (llvm::any_of(members, [](auto &m) { return m.empty(); }))
        continue; // a member cannot run at this width
      for (Assignment &a : combineFronts(members, layers.size(), withLatency)) {
        a.noise += noise;
        union_.push_back(std::move(a));
      }
    }
    items.push_back(prune(std::move(union_), withLatency));
  }
  return items;
}

/// Each layer in at most one group; a group's widths are distinct, with one
/// noise each, and every member has an option for at least one of them.
llvm::Error checkGroups(ArrayRef<LayerOptions> layers,
                        ArrayRef<ActivationGroup> groups) {
  std::vector<bool> grouped(layers.size(), false);
  for (const ActivationGroup &group : groups) {
    if (group.bits.empty() || group.bits.size() != group.noise.size())
      return fail("activation '" + group.name +
                  "' needs one noise per candidate width");
    for (auto [i, b] : llvm::enumerate(group.bits))
      if (llvm::is_contained(llvm::ArrayRef(group.bits).take_front(i), b))
        return fail("activation '" + group.name + "' lists width " +
                    llvm::Twine(b) + " twice");
    if (group.layers.empty())
      return fail("activation '" + group.name + "' has no layer");
    for (unsigned l : group.layers) {
      if (l >= layers.size() || grouped[l])
        return fail("activation '" + group.name +
                    "' names a layer that is out of range or in another "
                    "group");
      grouped[l] = true;
    }
  }
  return llvm::Error::success();
}
} // namespace

std::vector<Assignment>
qopt::paretoFront(llvm::ArrayRef<LayerOptions> layers, bool withLatency,
                  llvm::ArrayRef<ActivationGroup> groups) {
  return combineFronts(knapsackItems(layers, groups, withLatency),
                       layers.size(), withLatency);
}

llvm::Expected<Assignment>
qopt::solvePrecision(llvm::ArrayRef<LayerOptions> layers,
                     const PrecisionBudget &budget,
                     llvm::ArrayRef<ActivationGroup> groups) {
  for (const LayerOptions &layer : layers)
    if (layer.options.empty())
      return fail("layer '" + layer.name + "' has no candidate width");
  if (auto err = checkGroups(layers, groups))
    return std::move(err);
  bool withLatency = budget.latency.has_value();
  std::vector<std::vector<Assignment>> items =
      knapsackItems(layers, groups, withLatency);
  // The cheapest assignments, for the error messages.
  int64_t leastBytes = 0;
  double leastLatency = 0;
  for (auto [i, item] : llvm::enumerate(items)) {
    if (item.empty())
      return fail("the layers reading one activation have no candidate "
                  "width in common");
    leastBytes += llvm::min_element(item, [](auto &a, auto &b) {
                    return a.bytes < b.bytes;
                  })->bytes;
    leastLatency += llvm::min_element(item, [](auto &a, auto &b) {
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

  std::optional<Assignment> best;
  for (Assignment &a : combineFronts(items, layers.size(), withLatency)) {
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
