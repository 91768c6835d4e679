//===- QuantMath.cpp - context-free quantization numerics -----------------===//

#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include <algorithm>
#include <cassert>
#include <cmath>

using namespace qopt;

StorageRange QuantScheme::getStorageRange() const {
  if (kind == StorageKind::binary)
    return {0, 1};
  if (kind == StorageKind::ternary)
    return {-1, 1};
  int64_t lo = isSigned ? -(int64_t(1) << (bits - 1)) : 0;
  int64_t hi = isSigned ? (int64_t(1) << (bits - 1)) - 1
                        : (int64_t(1) << bits) - 1;
  if (narrowRange)
    ++lo;
  return {lo, hi};
}

StorageRange qopt::getIntegerRange(unsigned width, bool isUnsigned) {
  QuantScheme scheme;
  scheme.bits = width;
  scheme.isSigned = !isUnsigned;
  return scheme.getStorageRange();
}

double qopt::roundToIntegral(double x, RoundingMode mode) {
  if (!std::isfinite(x))
    return x;
  // Work on the magnitude: for a >= 0, a - floor(a) is exact, so ties are
  // detected exactly (x - floor(x) is not for negative x, and floor(x + 0.5)
  // rounds 0.49999999999999994 up).
  double magnitude = std::fabs(x);
  double lower = std::floor(magnitude);
  double fraction = magnitude - lower;
  bool up;
  if (fraction != 0.5) {
    up = fraction > 0.5;
  } else {
    switch (mode) {
    case RoundingMode::half_away_from_zero:
      up = true;
      break;
    case RoundingMode::half_to_even:
    case RoundingMode::fp32_rne:
      up = std::fmod(lower, 2.0) != 0.0;
      break;
    case RoundingMode::half_up:
      up = x > 0;
      break;
    case RoundingMode::double_round:
    case RoundingMode::single_round:
      assert(false && "dyadic rounding profiles do not round doubles");
      up = false;
      break;
    }
  }
  double rounded = up ? lower + 1.0 : lower;
  return x < 0 ? -rounded : rounded;
}

int64_t qopt::roundAndSaturate(double x, RoundingMode mode,
                               StorageRange range) {
  assert(!std::isnan(x) && "NaN has no integer image");
  double rounded = roundToIntegral(x, mode);
  if (rounded <= static_cast<double>(range.min))
    return range.min;
  if (rounded >= static_cast<double>(range.max))
    return range.max;
  return static_cast<int64_t>(rounded);
}

int64_t qopt::quantizeValue(double x, QuantParams params, StorageRange range,
                            RoundingMode mode) {
  assert(!std::isnan(x) && "NaN has no integer image");
  double scaled =
      mode == RoundingMode::fp32_rne
          ? static_cast<double>(static_cast<float>(x) /
                                static_cast<float>(params.scale))
          : x / params.scale;
  double rounded = roundToIntegral(scaled, mode);
  // Saturate before adding the zero point so huge values cannot overflow.
  double lo = static_cast<double>(range.min - params.zeroPoint);
  double hi = static_cast<double>(range.max - params.zeroPoint);
  if (rounded <= lo)
    return range.min;
  if (rounded >= hi)
    return range.max;
  return static_cast<int64_t>(rounded) + params.zeroPoint;
}

double qopt::dequantizeValue(int64_t q, QuantParams params) {
  return params.scale * static_cast<double>(q - params.zeroPoint);
}

int64_t qopt::requantizeValue(int64_t q, QuantParams in, QuantParams out,
                              StorageRange outRange, RoundingMode mode) {
  double real;
  if (mode == RoundingMode::fp32_rne) {
    float factor = static_cast<float>(in.scale) / static_cast<float>(out.scale);
    real = static_cast<double>(static_cast<float>(q - in.zeroPoint) * factor);
  } else {
    real = static_cast<double>(q - in.zeroPoint) * (in.scale / out.scale);
  }
  return roundAndSaturate(roundToIntegral(real, mode) +
                              static_cast<double>(out.zeroPoint),
                          mode, outRange);
}

QuantParams qopt::computeQuantParams(float min, float max,
                                     const QuantScheme &scheme) {
  assert(std::isfinite(min) && std::isfinite(max) && min <= max &&
         "range must be finite and ordered");
  // Everything below mirrors PyTorch's float32 arithmetic step by step so
  // that results agree bit for bit.
  float minNeg = std::min(min, 0.0f);
  float maxPos = std::max(max, 0.0f);
  StorageRange range = scheme.getStorageRange();
  QuantParams params;
  if (scheme.kind == StorageKind::binary) {
    params.scale = std::max(std::max(-minNeg, maxPos), kMinScale);
    params.zeroPoint = 0;
    return params;
  }
  if (scheme.symmetric || scheme.kind == StorageKind::ternary) {
    float absMax = std::max(-minNeg, maxPos);
    float halfLevels = static_cast<float>(
        static_cast<double>(range.max - range.min) / 2.0);
    params.scale = std::max(absMax / halfLevels, kMinScale);
    params.zeroPoint = scheme.isSigned ? 0 : (range.min + range.max + 1) / 2;
    return params;
  }
  float scale = (maxPos - minNeg) / static_cast<float>(range.max - range.min);
  scale = std::max(scale, kMinScale);
  float shifted = minNeg / scale;
  int64_t zeroPoint =
      range.min - static_cast<int64_t>(
                      roundToIntegral(shifted, RoundingMode::half_to_even));
  params.scale = scale;
  params.zeroPoint = range.clamp(zeroPoint);
  return params;
}

int64_t qopt::maxGroupMultiplier(StorageRange range) {
  int64_t fromMin = range.min < 0 ? 128 / -range.min : 127;
  int64_t fromMax = range.max > 0 ? 127 / range.max : 127;
  return std::max<int64_t>(1, std::min(fromMin, fromMax));
}
