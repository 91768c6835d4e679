//===- DyadicMath.cpp - dyadic scales -------------------------------------===//

#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"

#include <cassert>
#include <cmath>

using namespace qopt;

TFLiteMultiplier qopt::quantizeMultiplierTFLite(double m) {
  assert(std::isfinite(m) && m > 0.0 && "multiplier must be positive");
  int exponent = 0;
  double q = std::frexp(m, &exponent);
  // std::round rounds half away from zero, as TFLite's TfLiteRound.
  int64_t fixed = static_cast<int64_t>(std::round(q * (int64_t(1) << 31)));
  if (fixed == (int64_t(1) << 31)) {
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31)
    return {0, 0};
  return {static_cast<int32_t>(fixed), exponent};
}

DyadicConversion qopt::toDyadicScale(double m) {
  TFLiteMultiplier t = quantizeMultiplierTFLite(m);
  if (t.multiplier == 0)
    return {{0, kMaxRescaleShift}, DyadicStatus::flushedToZero};
  int32_t shift = 31 - t.exponent;
  if (shift < kMinRescaleShift)
    return {{t.multiplier, shift}, DyadicStatus::tooLarge};
  // exponent >= -31 gives shift <= 62: always inside TOSA's range.
  return {{t.multiplier, shift}, DyadicStatus::exact};
}

DyadicConversion qopt::toDyadicScale16(double m) {
  TFLiteMultiplier t = quantizeMultiplierTFLite(m);
  if (t.multiplier == 0)
    return {{0, kMaxRescaleShift}, DyadicStatus::flushedToZero};
  // exponent >= -31 gives shift <= 46, inside TOSA's range.
  int32_t shift = 15 - t.exponent;
  int32_t reduced =
      t.multiplier < 0x7FFF0000
          ? static_cast<int32_t>((int64_t(t.multiplier) + (1 << 15)) >> 16)
          : 0x7FFF;
  if (shift < kMinRescaleShift)
    return {{reduced, shift}, DyadicStatus::tooLarge};
  return {{reduced, shift}, DyadicStatus::exact};
}

DyadicConversion qopt::toPowerOfTwoScale(double m, double &relativeError) {
  assert(std::isfinite(m) && m > 0.0 && "multiplier must be positive");
  int64_t log2m = static_cast<int64_t>(std::llround(std::log2(m)));
  int64_t shift = 30 - log2m;
  DyadicConversion result;
  if (shift > kMaxRescaleShift) {
    result = {{0, kMaxRescaleShift}, DyadicStatus::flushedToZero};
  } else if (shift < kMinRescaleShift) {
    result = {{int32_t(1) << 30, static_cast<int32_t>(shift)},
              DyadicStatus::tooLarge};
  } else {
    result = {{int32_t(1) << 30, static_cast<int32_t>(shift)},
              DyadicStatus::exact};
  }
  relativeError = std::fabs(dyadicValue(result.scale) - m) / m;
  return result;
}

double qopt::dyadicValue(DyadicScale scale) {
  return std::ldexp(static_cast<double>(scale.multiplier), -scale.shift);
}

/// Arithmetic shift right of a 128-bit value with round-half-away-from-zero
/// (gemmlowp's RoundingDivideByPOT).
static __int128 roundingDivideByPOT(__int128 x, int exponent) {
  if (exponent == 0)
    return x;
  __int128 mask = (__int128(1) << exponent) - 1;
  __int128 remainder = x & mask;
  __int128 threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int64_t qopt::applyDyadicScale(int64_t x, DyadicScale scale,
                               RoundingMode profile) {
  __int128 product = static_cast<__int128>(x) * scale.multiplier;
  int s = scale.shift;
  if (profile == RoundingMode::single_round || s <= 31) {
    // For s <= 31, gemmlowp's (x * 2^e * M + 2^30) >> 31 with e = 31 - s
    // equals the single rounding (x * M + 2^(s-1)) >> s exactly.
    return static_cast<int64_t>((product + (__int128(1) << (s - 1))) >> s);
  }
  assert(profile == RoundingMode::double_round && "not a dyadic profile");
  __int128 high = (product + (__int128(1) << 30)) >> 31;
  return static_cast<int64_t>(roundingDivideByPOT(high, s - 31));
}
