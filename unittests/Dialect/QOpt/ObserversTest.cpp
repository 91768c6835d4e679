//===- ObserversTest.cpp - streaming histograms and observers -------------===//

#include "qopt/Dialect/QOpt/Utils/Observers.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace qopt;

namespace {

/// Counts recomputed directly on the histogram's final grid.
std::vector<int64_t> direct(const StreamingHistogram &h,
                            const std::vector<float> &values) {
  std::vector<int64_t> counts(h.numBins(), 0);
  for (float v : values) {
    int64_t i = static_cast<int64_t>(std::floor((v - h.lower()) / h.binWidth()));
    counts[std::clamp<int64_t>(i, 0, h.numBins() - 1)]++;
  }
  return counts;
}

// Widening merges bins exactly: streaming batches with growing ranges ends
// with the same counts as binning everything on the final grid at once (up
// to values lying on a bin edge, where float rounding may pick either side).
TEST(StreamingHistogram, WideningIsExact) {
  StreamingHistogram h(64);
  std::vector<float> all;
  std::mt19937 rng(3);
  for (int batch = 0; batch < 40; ++batch) {
    std::normal_distribution<float> dist(batch * 0.1f, 1.0f + batch);
    std::vector<float> values(100);
    for (float &v : values)
      v = dist(rng);
    ASSERT_FALSE(static_cast<bool>(h.add(values)));
    all.insert(all.end(), values.begin(), values.end());
  }
  EXPECT_EQ(h.total(), 4000);
  EXPECT_EQ(h.numBins(), 64); // memory does not grow with the data
  EXPECT_LE(h.lower(), h.observedMin());
  EXPECT_GE(h.upper(), h.observedMax());
  std::vector<int64_t> expected = direct(h, all);
  int64_t moved = 0;
  for (int64_t i = 0; i < h.numBins(); ++i)
    moved += std::abs(h.binCounts()[i] - expected[i]);
  EXPECT_LE(moved, 4);
}

TEST(StreamingHistogram, ConstantTensorThenSpread) {
  StreamingHistogram h(16);
  ASSERT_FALSE(static_cast<bool>(h.add({2.0f, 2.0f, 2.0f})));
  EXPECT_EQ(h.binWidth(), 0.0); // min == max so far
  EXPECT_EQ(h.observedMin(), 2.0);
  ASSERT_FALSE(static_cast<bool>(h.add({-2.0f})));
  EXPECT_EQ(h.total(), 4);
  EXPECT_EQ(h.binCounts().front(), 1);
  EXPECT_EQ(h.binCounts().back(), 3);
}

TEST(StreamingHistogram, RejectsNonFinite) {
  StreamingHistogram h(16);
  llvm::Error err = h.add({1.0f, NAN, 2.0f});
  ASSERT_TRUE(static_cast<bool>(err));
  EXPECT_EQ(llvm::toString(std::move(err)), "value 1 of the batch is NaN");
  err = h.add({-INFINITY});
  EXPECT_EQ(llvm::toString(std::move(err)), "value 0 of the batch is -inf");
  EXPECT_TRUE(h.empty());
}

TEST(StreamingHistogram, MergeKeepsCounts) {
  StreamingHistogram a(32), b(32);
  ASSERT_FALSE(static_cast<bool>(a.add({0.0f, 1.0f, 2.0f})));
  ASSERT_FALSE(static_cast<bool>(b.add({5.0f, 6.0f})));
  a.merge(b);
  EXPECT_EQ(a.total(), 5);
  EXPECT_EQ(a.observedMax(), 6.0);
  EXPECT_GE(a.upper(), 6.0);
}

ObserverOptions minmaxOptions() {
  ObserverOptions options;
  options.kind = ObserverKind::minmax;
  return options;
}

TEST(Observer, MinMax) {
  Observer o(minmaxOptions());
  ASSERT_FALSE(static_cast<bool>(o.observe({1.0f, -3.0f})));
  ASSERT_FALSE(static_cast<bool>(o.observe({7.5f})));
  auto r = o.range();
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->min, -3.0);
  EXPECT_EQ(r->max, 7.5);
}

TEST(Observer, EmptyIsAnError) {
  Observer o(minmaxOptions());
  auto r = o.range();
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(llvm::toString(r.takeError()), "no values were observed");
}

// Against PyTorch 1.13's MovingAverageMinMaxObserver(averaging_constant=0.01)
// fed the same 20 batches:
//   x[b][i] = ((i * 37 + b * 11) % 101) / 10 - 5 + b * 0.25, i < 64
// It gives min_val = -4.545888900756836 (0xc09177ec), max_val =
// 5.440475940704346 (0x40ae1861).
TEST(Observer, MovingAverageMatchesPyTorch) {
  ObserverOptions options;
  options.kind = ObserverKind::moving_average;
  Observer o(options);
  for (int b = 0; b < 20; ++b) {
    std::vector<float> x;
    for (int i = 0; i < 64; ++i)
      x.push_back(static_cast<float>(((i * 37 + b * 11) % 101) / 10.0 - 5.0 +
                                     b * 0.25));
    ASSERT_FALSE(static_cast<bool>(o.observe(x)));
  }
  auto r = o.range();
  ASSERT_TRUE(static_cast<bool>(r));
  float lo = static_cast<float>(r->min), hi = static_cast<float>(r->max);
  uint32_t loBits, hiBits;
  std::memcpy(&loBits, &lo, 4);
  std::memcpy(&hiBits, &hi, 4);
  EXPECT_EQ(loBits, 0xc09177ecu) << lo;
  EXPECT_EQ(hiBits, 0x40ae1861u) << hi;
}

TEST(Observer, PercentileClipsTails) {
  // 0..9999 once each (non-negative: one-sided): the 99% range ends near
  // 9900, within one bin of the 2048-bin histogram.
  ObserverOptions options;
  options.kind = ObserverKind::percentile;
  options.percentile = 0.99;
  Observer o(options);
  std::vector<float> x;
  for (int i = 0; i < 10000; ++i)
    x.push_back(static_cast<float>(i));
  ASSERT_FALSE(static_cast<bool>(o.observe(x)));
  auto r = o.range();
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->min, 0.0);
  EXPECT_NEAR(r->max, 9900.0, o.histogram().binWidth() + 1.0);
  // Two-sided data clips both tails by half the excluded mass.
  Observer two(options);
  for (float &v : x)
    v -= 5000.0f;
  ASSERT_FALSE(static_cast<bool>(two.observe(x)));
  auto r2 = two.range();
  EXPECT_NEAR(r2->min, -4950.0, two.histogram().binWidth() + 1.0);
  EXPECT_NEAR(r2->max, 4950.0, two.histogram().binWidth() + 1.0);
}

/// Gaussian data with a few far outliers: min-max keeps them; entropy
/// (which ignores how far outliers are) clips them at 8 bits; MSE clips them
/// when quantization noise dominates, i.e. at 4 bits (at 8 bits the squared
/// clipping error of a 60-sigma outlier outweighs the finer step).
std::vector<float> gaussianWithOutliers() {
  std::mt19937 rng(9);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(20000);
  for (float &v : x)
    v = dist(rng);
  x[0] = 60.0f;
  x[1] = -55.0f;
  return x;
}

TEST(Observer, MseAndEntropyClipOutliers) {
  std::vector<float> x = gaussianWithOutliers();
  x[0] = 12.0f;
  x[1] = -11.0f;
  for (ObserverKind kind : {ObserverKind::mse, ObserverKind::entropy}) {
    ObserverOptions options;
    options.kind = kind;
    options.scheme.bits = kind == ObserverKind::mse ? 4 : 8;
    options.scheme.isSigned = true;
    options.scheme.symmetric = true;
    Observer o(options);
    ASSERT_FALSE(static_cast<bool>(o.observe(x)));
    auto r = o.range();
    ASSERT_TRUE(static_cast<bool>(r));
    EXPECT_LT(r->max, 8.0) << stringifyObserverKind(kind).str();
    EXPECT_GT(r->max, 2.0) << stringifyObserverKind(kind).str();
    EXPECT_LT(r->min, -2.0) << stringifyObserverKind(kind).str();
  }
}

// On uniform data nothing is an outlier: MSE keeps (nearly) the full range.
TEST(Observer, MseKeepsUniformRange) {
  ObserverOptions options;
  options.kind = ObserverKind::mse;
  options.scheme.bits = 8;
  options.scheme.isSigned = false;
  options.scheme.symmetric = false;
  Observer o(options);
  std::vector<float> x;
  for (int i = 0; i <= 1000; ++i)
    x.push_back(i / 1000.0f);
  ASSERT_FALSE(static_cast<bool>(o.observe(x)));
  auto r = o.range();
  EXPECT_GT(r->max, 0.95);
}

TEST(Observer, ParseKinds) {
  for (ObserverKind k :
       {ObserverKind::minmax, ObserverKind::moving_average,
        ObserverKind::percentile, ObserverKind::mse, ObserverKind::entropy}) {
    auto parsed = parseObserverKind(stringifyObserverKind(k));
    ASSERT_TRUE(static_cast<bool>(parsed));
    EXPECT_EQ(*parsed, k);
  }
  auto bad = parseObserverKind("kl");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("unknown observer 'kl'"),
            std::string::npos);
}

} // namespace
