//===- SolverTest.cpp - the exact mixed-precision solver ------------------===//
//
// The Pareto dynamic program against brute-force enumeration of every
// assignment on random tables, plus the hand-checkable cases: a budget
// where the greedy "least noise per byte saved" order is not optimal, tie
// handling and the errors for budgets below the cheapest assignment.
//
//===----------------------------------------------------------------------===//

#include "qopt/MixedPrecision/Solver.h"

#include "gtest/gtest.h"

#include <numeric>
#include <random>

using namespace qopt;

namespace {

LayerOptions layer(std::string name,
                   std::vector<std::tuple<unsigned, int64_t, double>> options) {
  LayerOptions l;
  l.name = std::move(name);
  for (auto [bits, bytes, noise] : options)
    l.options.push_back({bits, bytes, 0.0, noise});
  return l;
}

/// Least noise within the budget by trying every assignment (of which
/// those where a group's members disagree on the activation width, or
/// pick one the group does not offer, are not assignments).
std::optional<Assignment>
bruteForce(const std::vector<LayerOptions> &layers,
           const PrecisionBudget &budget,
           const std::vector<ActivationGroup> &groups = {}) {
  std::optional<Assignment> best;
  std::vector<unsigned> choice(layers.size(), 0);
  while (true) {
    Assignment a;
    a.choice = choice;
    for (size_t l = 0; l < layers.size(); ++l) {
      const WidthOption &o = layers[l].options[choice[l]];
      a.bytes += o.bytes;
      a.latency += o.latency;
      a.noise += o.noise;
    }
    bool consistent = true;
    for (const ActivationGroup &group : groups) {
      unsigned bits = layers[group.layers.front()]
                          .options[choice[group.layers.front()]]
                          .activationBits;
      for (unsigned l : group.layers)
        consistent &= layers[l].options[choice[l]].activationBits == bits;
      auto width = llvm::find(group.bits, bits);
      consistent &= width != group.bits.end();
      if (width != group.bits.end())
        a.noise += group.noise[width - group.bits.begin()];
    }
    bool fits = (!budget.bytes || a.bytes <= *budget.bytes) &&
                (!budget.latency || a.latency <= *budget.latency);
    if (consistent && fits && (!best || a.noise < best->noise))
      best = a;
    size_t l = 0;
    while (l < layers.size() && ++choice[l] == layers[l].options.size())
      choice[l++] = 0;
    if (l == layers.size())
      return best;
  }
}

TEST(MixedPrecisionSolver, GreedyIsNotOptimalButTheSolverIs) {
  // Saving 300 bytes from 1600: A alone (400 saved, noise 0.05) is the best
  // saving per unit of noise, but B and C together (400 saved, 0.04) are
  // quieter.
  std::vector<LayerOptions> layers = {
      layer("A", {{8, 800, 0.0}, {4, 400, 0.05}}),
      layer("B", {{8, 400, 0.0}, {4, 200, 0.02}}),
      layer("C", {{8, 400, 0.0}, {4, 200, 0.02}})};
  PrecisionBudget budget;
  budget.bytes = 1300;
  auto solved = solvePrecision(layers, budget);
  ASSERT_TRUE(bool(solved)) << toString(solved.takeError());
  EXPECT_EQ(solved->choice, (std::vector<unsigned>{0, 1, 1}));
  EXPECT_EQ(solved->bytes, 1200);
  EXPECT_DOUBLE_EQ(solved->noise, 0.04);
}

TEST(MixedPrecisionSolver, MatchesBruteForceOnRandomTables) {
  std::mt19937_64 rng(20261123);
  for (int trial = 0; trial < 300; ++trial) {
    size_t count = 1 + rng() % 7;
    bool withLatency = trial % 3 == 0;
    std::vector<LayerOptions> layers;
    int64_t maxBytes = 0, minBytes = 0;
    double maxLatency = 0;
    for (size_t l = 0; l < count; ++l) {
      LayerOptions layer;
      layer.name = "L" + std::to_string(l);
      int64_t weights = 1 + rng() % 5000;
      size_t widths = 1 + rng() % 4;
      int64_t least = INT64_MAX, most = 0;
      double slowest = 0;
      for (size_t w = 0; w < widths; ++w) {
        WidthOption o;
        o.bits = 2 + w * 2;
        o.bytes = (weights * o.bits + 7) / 8;
        // Noise falls with width only on average: measured tables are not
        // always monotone.
        o.noise = std::ldexp(1.0, -int(o.bits)) * (0.5 + (rng() % 1000) / 1e3);
        o.latency = 1.0 + (rng() % 1000) / 10.0;
        least = std::min(least, o.bytes);
        most = std::max(most, o.bytes);
        slowest = std::max(slowest, o.latency);
        layer.options.push_back(o);
      }
      minBytes += least;
      maxBytes += most;
      maxLatency += slowest;
      layers.push_back(layer);
    }
    PrecisionBudget budget;
    budget.bytes = minBytes + rng() % (maxBytes - minBytes + 1);
    if (withLatency)
      budget.latency = maxLatency * (0.3 + (rng() % 700) / 1e3);
    std::optional<Assignment> expected = bruteForce(layers, budget);
    auto solved = solvePrecision(layers, budget);
    if (!expected) {
      EXPECT_FALSE(bool(solved)) << "trial " << trial;
      llvm::consumeError(solved.takeError());
      continue;
    }
    ASSERT_TRUE(bool(solved))
        << "trial " << trial << ": " << toString(solved.takeError());
    EXPECT_DOUBLE_EQ(solved->noise, expected->noise) << "trial " << trial;
    EXPECT_LE(solved->bytes, *budget.bytes);
    if (withLatency)
      EXPECT_LE(solved->latency, *budget.latency);

    // Every front point is feasible for its own costs and no point
    // dominates another.
    std::vector<Assignment> front = paretoFront(layers, withLatency);
    for (size_t i = 0; i < front.size(); ++i)
      for (size_t j = 0; j < front.size(); ++j)
        if (i != j)
          EXPECT_FALSE(front[i].bytes <= front[j].bytes &&
                       front[i].noise <= front[j].noise &&
                       (!withLatency || front[i].latency <= front[j].latency))
              << "trial " << trial << ": point " << i << " covers " << j;
  }
}

TEST(MixedPrecisionSolver, BudgetBelowTheCheapestAssignmentIsAnError) {
  std::vector<LayerOptions> layers = {
      layer("A", {{8, 100, 0.0}, {4, 50, 0.1}}),
      layer("B", {{8, 300, 0.0}, {4, 150, 0.1}})};
  PrecisionBudget budget;
  budget.bytes = 199;
  auto solved = solvePrecision(layers, budget);
  ASSERT_FALSE(bool(solved));
  EXPECT_EQ(toString(solved.takeError()),
            "the budget of 199 weight bytes is below the smallest assignment, "
            "200 bytes (every layer at its narrowest candidate width)");
  budget.bytes = 200;
  solved = solvePrecision(layers, budget);
  ASSERT_TRUE(bool(solved));
  EXPECT_EQ(solved->choice, (std::vector<unsigned>{1, 1}));
}

TEST(MixedPrecisionSolver, BothBudgetsFeasibleAloneButNotTogether) {
  // The small width is slow here (e.g. an unpacking cost): 4-bit meets the
  // byte budget, 8-bit the latency budget, nothing meets both.
  LayerOptions a;
  a.name = "A";
  a.options = {{8, 100, 1.0, 0.0}, {4, 50, 3.0, 0.1}};
  PrecisionBudget budget;
  budget.bytes = 60;
  budget.latency = 2.0;
  auto solved = solvePrecision({a}, budget);
  ASSERT_FALSE(bool(solved));
  EXPECT_NE(toString(solved.takeError()).find("no assignment meets both"),
            std::string::npos);
}

TEST(MixedPrecisionSolver, FrontEndsAreTheCheapestAndTheQuietest) {
  std::vector<LayerOptions> layers = {
      layer("A", {{8, 100, 0.001}, {4, 50, 0.01}, {2, 25, 0.5}}),
      layer("B", {{8, 200, 0.002}, {4, 100, 0.02}, {2, 50, 0.3}})};
  std::vector<Assignment> front = paretoFront(layers, false);
  ASSERT_FALSE(front.empty());
  EXPECT_EQ(front.front().bytes, 75);
  EXPECT_EQ(front.back().bytes, 300);
  EXPECT_DOUBLE_EQ(front.back().noise, 0.003);
  for (size_t i = 1; i < front.size(); ++i) {
    EXPECT_GT(front[i].bytes, front[i - 1].bytes);
    EXPECT_LT(front[i].noise, front[i - 1].noise);
  }
}

TEST(MixedPrecisionSolver, SharedActivationWidthCountsOnceAndBindsAllReaders) {
  // A and B read one activation. int16 (noise 0.01 less) makes A 10 us
  // slower and B 30 us slower: worth it only if both fit the budget.
  LayerOptions a, b;
  a.name = "A";
  a.options = {{8, 100, 10.0, 0.001, 8}, {8, 100, 20.0, 0.001, 16}};
  b.name = "B";
  b.options = {{8, 100, 10.0, 0.002, 8}, {8, 100, 40.0, 0.002, 16}};
  ActivationGroup group{"x", {0, 1}, {8, 16}, {0.011, 0.001}};
  PrecisionBudget budget;
  budget.latency = 59.0;
  auto solved = solvePrecision({a, b}, budget, {group});
  ASSERT_TRUE(bool(solved)) << toString(solved.takeError());
  // A alone at int16 (30 us) would be cheaper, but is not an assignment.
  EXPECT_EQ(solved->choice, (std::vector<unsigned>{0, 0}));
  EXPECT_DOUBLE_EQ(solved->noise, 0.014);
  budget.latency = 60.0;
  solved = solvePrecision({a, b}, budget, {group});
  ASSERT_TRUE(bool(solved)) << toString(solved.takeError());
  EXPECT_EQ(solved->choice, (std::vector<unsigned>{1, 1}));
  EXPECT_DOUBLE_EQ(solved->noise, 0.004);
  EXPECT_DOUBLE_EQ(solved->latency, 60.0);
  // The fastest assignment keeps int8 everywhere.
  budget.latency = 19.0;
  solved = solvePrecision({a, b}, budget, {group});
  ASSERT_FALSE(bool(solved));
  EXPECT_EQ(toString(solved.takeError()),
            "the latency budget of 19.0 us is below the fastest assignment, "
            "20.0 us");
}

TEST(MixedPrecisionSolver, GroupsMatchBruteForceOnRandomTables) {
  std::mt19937_64 rng(20261124);
  for (int trial = 0; trial < 300; ++trial) {
    size_t count = 1 + rng() % 6;
    std::vector<LayerOptions> layers(count);
    for (size_t l = 0; l < count; ++l) {
      layers[l].name = "L" + std::to_string(l);
      int64_t weights = 1 + rng() % 3000;
      for (unsigned bits : {8u, 4u})
        for (unsigned activation : {8u, 16u}) {
          // Some layers cannot take every pair.
          if (rng() % 8 == 0 && !layers[l].options.empty())
            continue;
          WidthOption o;
          o.bits = bits;
          o.activationBits = activation;
          o.bytes = (weights * bits + 7) / 8;
          o.noise = std::ldexp(1.0, -int(bits)) * (0.5 + (rng() % 1000) / 1e3);
          o.latency = (activation / 8.0) * (1.0 + (rng() % 1000) / 10.0);
          layers[l].options.push_back(o);
        }
    }
    // Random disjoint groups; layers left out choose activation width
    // freely but pay no activation noise.
    std::vector<ActivationGroup> groups;
    std::vector<unsigned> order(count);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t next = 0; next < count;) {
      size_t size = 1 + rng() % 3;
      if (rng() % 4 == 0) {
        ++next;
        continue;
      }
      ActivationGroup &g = groups.emplace_back();
      g.name = "a" + std::to_string(groups.size());
      for (; size > 0 && next < count; --size)
        g.layers.push_back(order[next++]);
      g.bits = {8, 16};
      g.noise = {1e-3 * (rng() % 100), 1e-6 * (rng() % 100)};
    }
    PrecisionBudget budget;
    int64_t mostBytes = 0;
    double mostLatency = 0;
    for (const LayerOptions &layer : layers)
      for (const WidthOption &o : layer.options) {
        mostBytes += o.bytes;
        mostLatency += o.latency;
      }
    budget.bytes = mostBytes * (20 + rng() % 80) / 100;
    if (trial % 2)
      budget.latency = mostLatency * (0.1 + (rng() % 400) / 1e3);
    std::optional<Assignment> expected = bruteForce(layers, budget, groups);
    auto solved = solvePrecision(layers, budget, groups);
    if (!expected) {
      EXPECT_FALSE(bool(solved)) << "trial " << trial;
      if (!solved)
        llvm::consumeError(solved.takeError());
      continue;
    }
    ASSERT_TRUE(bool(solved))
        << "trial " << trial << ": " << toString(solved.takeError());
    EXPECT_NEAR(solved->noise, expected->noise, 1e-15) << "trial " << trial;
    EXPECT_LE(solved->bytes, *budget.bytes);
    if (budget.latency)
      EXPECT_LE(solved->latency, *budget.latency);
    for (const ActivationGroup &g : groups)
      for (unsigned l : g.layers)
        EXPECT_EQ(layers[l].options[solved->choice[l]].activationBits,
                  layers[g.layers.front()]
                      .options[solved->choice[g.layers.front()]]
                      .activationBits)
            << "trial " << trial;
  }
}

TEST(MixedPrecisionSolver, MalformedGroupsAreErrors) {
  std::vector<LayerOptions> layers = {layer("A", {{8, 100, 0.0}}),
                                      layer("B", {{8, 100, 0.0}})};
  PrecisionBudget budget;
  budget.bytes = 1000;
  auto expectError = [&](ActivationGroup group, std::string message) {
    auto solved = solvePrecision(layers, budget, {group});
    ASSERT_FALSE(bool(solved));
    EXPECT_EQ(toString(solved.takeError()), message);
  };
  expectError({"x", {0}, {8, 8}, {0.0, 0.0}},
              "activation 'x' lists width 8 twice");
  expectError({"x", {0}, {8}, {}},
              "activation 'x' needs one noise per candidate width");
  expectError({"x", {2}, {8}, {0.0}},
              "activation 'x' names a layer that is out of range or in "
              "another group");
  // The layers' options have no activation width 8: no candidate.
  expectError({"x", {0, 1}, {8}, {0.0}},
              "the layers reading one activation have no candidate width in "
              "common");
}

} // namespace
