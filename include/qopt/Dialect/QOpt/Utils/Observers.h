//===- Observers.h - streaming range observers for calibration --*- C++ -*-===//
//
// Calibration runs the float model over many batches and summarizes each
// tensor's values in constant memory. A StreamingHistogram keeps a fixed
// number of equal-width bins whose range grows by exact bin merging, so its
// memory is independent of the number of samples and two histograms of the
// same tensor merge exactly. Observers turn the summary into a range:
// min-max, moving-average min-max (PyTorch's), percentile, MSE-optimal and
// KL/entropy (TensorRT's calibration).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_UTILS_OBSERVERS_H
#define QOPT_DIALECT_QOPT_UTILS_OBSERVERS_H

#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qopt {

/// Equal-width histogram over [min, max] that widens by merging adjacent
/// bins (so counts stay exact and memory stays `bins` counters). The range
/// always covers every value seen; each widening doubles the bin width.
class StreamingHistogram {
public:
  explicit StreamingHistogram(int64_t bins = 2048);

  /// Adds finite values; returns an error naming the first non-finite one.
  llvm::Error add(llvm::ArrayRef<float> values);
  /// Adds another histogram of the same bin count.
  void merge(const StreamingHistogram &other);

  bool empty() const { return count == 0; }
  int64_t numBins() const { return static_cast<int64_t>(counts.size()); }
  double lower() const { return lo; }
  double upper() const { return lo + width * counts.size(); }
  double binWidth() const { return width; }
  double observedMin() const { return seenMin; }
  double observedMax() const { return seenMax; }
  int64_t total() const { return count; }
  llvm::ArrayRef<int64_t> binCounts() const { return counts; }

private:
  void cover(double value);
  void addBin(double value, int64_t n);

  std::vector<int64_t> counts;
  double lo = 0.0;
  double width = 0.0; // 0 until two distinct values were seen
  double seenMin = 0.0, seenMax = 0.0;
  int64_t count = 0;
};

enum class ObserverKind { minmax, moving_average, percentile, mse, entropy };

/// Parses "minmax", "moving-average", "percentile", "mse" or "entropy".
llvm::Expected<ObserverKind> parseObserverKind(llvm::StringRef name);
llvm::StringRef stringifyObserverKind(ObserverKind kind);

struct ObserverOptions {
  ObserverKind kind = ObserverKind::minmax;
  int64_t bins = 2048;
  /// moving_average: weight of each new batch (PyTorch's averaging_constant).
  double averagingConstant = 0.01;
  /// percentile: fraction of values kept inside the range, e.g. 0.9999.
  double percentile = 0.9999;
  /// mse / entropy: the scheme the range will be quantized with.
  QuantScheme scheme;
};

/// The range an observer chose.
struct ObservedRange {
  double min = 0.0;
  double max = 0.0;
};

/// Observes one tensor over many batches in constant memory.
class Observer {
public:
  explicit Observer(const ObserverOptions &options);

  /// Observes one batch of values (any shape, flattened).
  llvm::Error observe(llvm::ArrayRef<float> batch);
  /// The range to quantize with. Fails when nothing was observed.
  llvm::Expected<ObservedRange> range() const;

  const StreamingHistogram &histogram() const { return hist; }

private:
  ObserverOptions options;
  StreamingHistogram hist;
  double emaMin = 0.0, emaMax = 0.0;
  bool emaStarted = false;
};

/// Range selection on a histogram (exposed for tests).
ObservedRange percentileRange(const StreamingHistogram &h, double percentile);
ObservedRange mseRange(const StreamingHistogram &h, const QuantScheme &scheme);
ObservedRange entropyRange(const StreamingHistogram &h,
                           const QuantScheme &scheme);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_UTILS_OBSERVERS_H
