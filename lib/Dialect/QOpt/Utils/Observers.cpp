//===- Observers.cpp - streaming range observers for calibration ----------===//

#include "qopt/Dialect/QOpt/Utils/Observers.h"
#include "qopt/Support/Error.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace qopt;

//===----------------------------------------------------------------------===//
// StreamingHistogram
//===----------------------------------------------------------------------===//

StreamingHistogram::StreamingHistogram(int64_t bins)
    : counts(std::max<int64_t>(2, bins + (bins % 2)), 0) {}

void StreamingHistogram::addBin(double value, int64_t n) {
  int64_t bins = numBins();
  int64_t index =
      width > 0.0 ? static_cast<int64_t>(std::floor((value - lo) / width)) : 0;
  counts[std::clamp<int64_t>(index, 0, bins - 1)] += n;
}

void StreamingHistogram::cover(double value) {
  int64_t bins = numBins();
  if (width == 0.0) {
    if (value == lo)
      return;
    // The first two distinct values fix the initial grid; everything seen so
    // far equals `lo`.
    int64_t previous = count;
    double newLo = std::min(lo, value), newHi = std::max(lo, value);
    double old = lo;
    std::fill(counts.begin(), counts.end(), 0);
    lo = newLo;
    width = (newHi - newLo) / bins;
    if (previous)
      addBin(old, previous);
    return;
  }
  // Double the width toward the value until it is covered: adjacent bins
  // merge exactly (bin counts stay exact).
  while (value < lo || value >= lo + width * bins) {
    std::vector<int64_t> merged(bins, 0);
    if (value < lo) {
      for (int64_t i = 0; i < bins; ++i)
        merged[(bins + i) / 2] += counts[i];
      lo -= width * bins;
    } else {
      for (int64_t i = 0; i < bins; ++i)
        merged[i / 2] += counts[i];
    }
    counts = std::move(merged);
    width *= 2.0;
  }
}

llvm::Error StreamingHistogram::add(llvm::ArrayRef<float> values) {
  if (values.empty())
    return llvm::Error::success();
  float batchMin = std::numeric_limits<float>::infinity();
  float batchMax = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < values.size(); ++i) {
    float v = values[i];
    if (!std::isfinite(v))
      return fail("value " + llvm::Twine(i) + " of the batch is " +
                  (std::isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf"));
    batchMin = std::min(batchMin, v);
    batchMax = std::max(batchMax, v);
  }
  if (count == 0) {
    lo = batchMin;
    width = 0.0;
    seenMin = batchMin;
    seenMax = batchMax;
  }
  cover(batchMin);
  cover(batchMax);
  seenMin = std::min<double>(seenMin, batchMin);
  seenMax = std::max<double>(seenMax, batchMax);
  for (float v : values)
    addBin(v, 1);
  count += values.size();
  return llvm::Error::success();
}

void StreamingHistogram::merge(const StreamingHistogram &other) {
  if (other.count == 0)
    return;
  int64_t bins = other.numBins();
  for (int64_t i = 0; i < bins; ++i) {
    if (!other.counts[i])
      continue;
    double center = other.width > 0.0 ? other.lo + (i + 0.5) * other.width
                                      : other.lo;
    if (count == 0) {
      lo = center;
      width = 0.0;
      seenMin = other.seenMin;
      seenMax = other.seenMax;
    }
    cover(center);
    addBin(center, other.counts[i]);
    count += other.counts[i];
  }
  seenMin = std::min(seenMin, other.seenMin);
  seenMax = std::max(seenMax, other.seenMax);
}

//===----------------------------------------------------------------------===//
// Range selection
//===----------------------------------------------------------------------===//

/// Bin centers and counts of the occupied part of a histogram.
static void occupied(const StreamingHistogram &h, std::vector<double> &centers,
                     std::vector<int64_t> &counts) {
  llvm::ArrayRef<int64_t> bins = h.binCounts();
  for (size_t i = 0; i < bins.size(); ++i) {
    if (!bins[i])
      continue;
    centers.push_back(h.binWidth() > 0.0 ? h.lower() + (i + 0.5) * h.binWidth()
                                         : h.lower());
    counts.push_back(bins[i]);
  }
}

ObservedRange qopt::percentileRange(const StreamingHistogram &h,
                                    double percentile) {
  ObservedRange r{h.observedMin(), h.observedMax()};
  if (h.binWidth() == 0.0 || percentile >= 1.0)
    return r;
  llvm::ArrayRef<int64_t> bins = h.binCounts();
  bool oneSided = h.observedMin() >= 0.0;
  double tail = oneSided ? 1.0 - percentile : (1.0 - percentile) / 2.0;
  double cut = tail * h.total();
  if (!oneSided) {
    double seen = 0;
    for (size_t i = 0; i < bins.size(); ++i) {
      seen += bins[i];
      if (seen > cut) {
        r.min = std::max(h.observedMin(), h.lower() + i * h.binWidth());
        break;
      }
    }
  }
  double seen = 0;
  for (size_t i = bins.size(); i-- > 0;) {
    seen += bins[i];
    if (seen > cut) {
      r.max = std::min(h.observedMax(), h.lower() + (i + 1) * h.binWidth());
      break;
    }
  }
  return r;
}

/// Expected squared error of quantizing the histogram with [lo, hi].
static double quantizationError(const std::vector<double> &centers,
                                const std::vector<int64_t> &counts, double lo,
                                double hi, const QuantScheme &scheme) {
  QuantParams p = computeQuantParams(static_cast<float>(lo),
                                     static_cast<float>(hi), scheme);
  StorageRange range = scheme.getStorageRange();
  double error = 0.0;
  for (size_t i = 0; i < centers.size(); ++i) {
    int64_t q = quantizeValue(centers[i], p, range, RoundingMode::half_to_even);
    double d = centers[i] - dequantizeValue(q, p);
    error += counts[i] * d * d;
  }
  return error;
}

ObservedRange qopt::mseRange(const StreamingHistogram &h,
                             const QuantScheme &scheme) {
  ObservedRange best{h.observedMin(), h.observedMax()};
  if (h.binWidth() == 0.0)
    return best;
  std::vector<double> centers;
  std::vector<int64_t> counts;
  occupied(h, centers, counts);
  double bestError = quantizationError(centers, counts, best.min, best.max,
                                       scheme);
  // Shrink the range toward zero in 1% steps; keep the best.
  for (int step = 99; step >= 5; --step) {
    double t = step / 100.0;
    double lo = h.observedMin() * t, hi = h.observedMax() * t;
    double error = quantizationError(centers, counts, lo, hi, scheme);
    if (error < bestError) {
      bestError = error;
      best.min = lo;
      best.max = hi;
    }
  }
  return best;
}

ObservedRange qopt::entropyRange(const StreamingHistogram &h,
                                 const QuantScheme &scheme) {
  ObservedRange r{h.observedMin(), h.observedMax()};
  if (h.binWidth() == 0.0)
    return r;
  // TensorRT's calibration on the histogram of |x|: choose the threshold T
  // minimizing KL(P || Q), where P is the distribution clipped at T and Q
  // is P quantized to the available levels.
  bool oneSided = h.observedMin() >= 0.0;
  double absMax = std::max(std::fabs(h.observedMin()), std::fabs(h.observedMax()));
  const int64_t bins = 2048;
  std::vector<double> absHist(bins, 0.0);
  std::vector<double> centers;
  std::vector<int64_t> counts;
  occupied(h, centers, counts);
  for (size_t i = 0; i < centers.size(); ++i) {
    int64_t b = std::min<int64_t>(
        bins - 1, static_cast<int64_t>(std::fabs(centers[i]) / absMax * bins));
    absHist[b] += counts[i];
  }
  StorageRange storage = scheme.getStorageRange();
  int64_t levels = oneSided ? storage.max - storage.min + 1
                            : (storage.max - storage.min + 1) / 2;
  levels = std::max<int64_t>(levels, 2);
  double bestKL = std::numeric_limits<double>::infinity();
  int64_t bestI = bins;
  for (int64_t i = std::min(levels, bins); i <= bins; ++i) {
    std::vector<double> p(absHist.begin(), absHist.begin() + i);
    for (int64_t j = i; j < bins; ++j)
      p[i - 1] += absHist[j];
    // Q: the first i bins *without* the clipped mass, merged into
    // `levels` groups and spread back over each group's non-empty bins.
    // Clipping heavily therefore shows up as P's last bin lacking in Q.
    std::vector<double> q(i, 0.0);
    for (int64_t l = 0; l < levels; ++l) {
      int64_t start = l * i / levels, stop = (l + 1) * i / levels;
      double mass = 0;
      int64_t nonZero = 0;
      for (int64_t j = start; j < stop; ++j) {
        mass += absHist[j];
        nonZero += absHist[j] > 0;
      }
      for (int64_t j = start; j < stop; ++j)
        if (absHist[j] > 0)
          q[j] = mass / nonZero;
    }
    double pSum = 0, qSum = 0;
    for (int64_t j = 0; j < i; ++j) {
      pSum += p[j];
      qSum += q[j];
    }
    if (pSum == 0 || qSum == 0)
      continue;
    double kl = 0;
    for (int64_t j = 0; j < i; ++j) {
      if (p[j] == 0)
        continue;
      double pj = p[j] / pSum, qj = q[j] / qSum;
      kl += pj * std::log(pj / std::max(qj, 1e-12));
    }
    if (kl < bestKL) {
      bestKL = kl;
      bestI = i;
    }
  }
  double threshold = std::min(absMax, (bestI + 0.5) * absMax / bins);
  r.max = std::min(h.observedMax(), threshold);
  r.min = oneSided ? h.observedMin() : std::max(h.observedMin(), -threshold);
  return r;
}

//===----------------------------------------------------------------------===//
// Observer
//===----------------------------------------------------------------------===//

llvm::Expected<ObserverKind> qopt::parseObserverKind(llvm::StringRef name) {
  std::optional<ObserverKind> kind =
      llvm::StringSwitch<std::optional<ObserverKind>>(name)
          .Case("minmax", ObserverKind::minmax)
          .Case("moving-average", ObserverKind::moving_average)
          .Case("percentile", ObserverKind::percentile)
          .Case("mse", ObserverKind::mse)
          .Case("entropy", ObserverKind::entropy)
          .Default(std::nullopt);
  if (!kind)
    return fail("unknown observer '" + name +
                "' (expected minmax, moving-average, percentile, mse or "
                "entropy)");
  return *kind;
}

llvm::StringRef qopt::stringifyObserverKind(ObserverKind kind) {
  switch (kind) {
  case ObserverKind::minmax:
    return "minmax";
  case ObserverKind::moving_average:
    return "moving-average";
  case ObserverKind::percentile:
    return "percentile";
  case ObserverKind::mse:
    return "mse";
  case ObserverKind::entropy:
    return "entropy";
  }
  return "minmax";
}

Observer::Observer(const ObserverOptions &options)
    : options(options), hist(options.bins) {}

llvm::Error Observer::observe(llvm::ArrayRef<float> batch) {
  if (batch.empty())
    return llvm::Error::success();
  if (auto err = hist.add(batch))
    return err;
  if (options.kind == ObserverKind::moving_average) {
    // PyTorch's MovingAverageMinMaxObserver, in float32.
    float lo = *std::min_element(batch.begin(), batch.end());
    float hi = *std::max_element(batch.begin(), batch.end());
    if (!emaStarted) {
      emaMin = lo;
      emaMax = hi;
      emaStarted = true;
    } else {
      float c = static_cast<float>(options.averagingConstant);
      emaMin = static_cast<float>(emaMin) + c * (lo - static_cast<float>(emaMin));
      emaMax = static_cast<float>(emaMax) + c * (hi - static_cast<float>(emaMax));
    }
  }
  return llvm::Error::success();
}

llvm::Expected<ObservedRange> Observer::range() const {
  if (hist.empty())
    return fail("no values were observed");
  ObservedRange r;
  switch (options.kind) {
  case ObserverKind::minmax:
    r = {hist.observedMin(), hist.observedMax()};
    break;
  case ObserverKind::moving_average:
    r = {emaMin, emaMax};
    break;
  case ObserverKind::percentile:
    r = percentileRange(hist, options.percentile);
    break;
  case ObserverKind::mse:
    r = mseRange(hist, options.scheme);
    break;
  case ObserverKind::entropy:
    r = entropyRange(hist, options.scheme);
    break;
  }
  return r;
}
