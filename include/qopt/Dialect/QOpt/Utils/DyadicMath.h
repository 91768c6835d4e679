//===- DyadicMath.h - dyadic (integer multiplier + shift) scales -*- C++
//-*-===//
//
// A real rescale factor m becomes an int32 multiplier M and a right shift s
// with m ~= M * 2^-s, the form qopt.rescale carries (TOSA's convention).
// Computed exactly as TFLite's QuantizeMultiplier, then mapped to TOSA's
// shift range. Context-free; used by qopt-requant-to-dyadic, the rescale
// folder and the tests.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_UTILS_DYADICMATH_H
#define QOPT_DIALECT_QOPT_UTILS_DYADICMATH_H

#include "qopt/Dialect/QOpt/IR/QOptEnums.h"

#include <cstdint>

namespace qopt {

/// TOSA's limits for a 32-bit multiplier's shift.
inline constexpr int32_t kMinRescaleShift = 2;
inline constexpr int32_t kMaxRescaleShift = 62;

/// m ~= multiplier * 2^-shift.
struct DyadicScale {
  int32_t multiplier = 0;
  int32_t shift = kMaxRescaleShift;
};

/// TFLite's QuantizeMultiplier(m): frexp(m) = q * 2^e,
/// M = round_half_away(q * 2^31); if M == 2^31 then M = 2^30, e += 1;
/// if e < -31 flush to (0, 0). So m ~= M * 2^(e - 31), M in [2^30, 2^31).
struct TFLiteMultiplier {
  int32_t multiplier = 0;
  int exponent = 0;
};
/// Requires m finite and > 0.
TFLiteMultiplier quantizeMultiplierTFLite(double m);

enum class DyadicStatus {
  /// Representable: shift = 31 - exponent lies in [2, 62].
  exact,
  /// m < 2^-32 (TFLite's exponent < -31): TFLite flushes the multiplier to
  /// zero, and so does qopt (multiplier 0, shift 62): the rescale then
  /// outputs the zero point for every input.
  flushedToZero,
  /// m >= 2^29: the shift would be below 2, outside TOSA's range.
  tooLarge,
};

struct DyadicConversion {
  DyadicScale scale;
  DyadicStatus status = DyadicStatus::exact;
};

/// m > 0 finite -> (M, s) per TFLite, mapped to TOSA's shift convention.
DyadicConversion toDyadicScale(double m);

/// The 16-bit multiplier form (TOSA RESCALE with scale32 = false, the only
/// form TOSA allows for an int48 input): TFLite's reduction of the 32-bit
/// multiplier for its int64 accumulators (MultiplyByQuantizedMultiplier on
/// int64_t): M16 = (M + 2^15) >> 16, or 2^15 - 1 when M >= 0x7FFF0000, and
/// shift = 15 - exponent. flushedToZero below 2^-32, as TFLite's
/// QuantizeMultiplier; tooLarge for m >= 2^13 (shift below 2).
DyadicConversion toDyadicScale16(double m);

/// Shift-only form: M = 2^30 and the shift making 2^(30 - s) the power of
/// two nearest to m in log2. `relativeError` receives |M*2^-s - m| / m.
DyadicConversion toPowerOfTwoScale(double m, double &relativeError);

/// The real value M * 2^-s.
double dyadicValue(DyadicScale scale);

/// Reference semantics of qopt.rescale for one value `x` (the input minus
/// its zero point), before the output zero point and saturation, computed
/// exactly (128-bit intermediates):
/// * double_round: with e = 31 - s,
///   RDBPOT(SRDHM(x * 2^max(e, 0), M), max(-e, 0)) where
///   SRDHM(a, b) = (a*b + 2^30) >> 31 and RDBPOT rounds half away from
///   zero; gemmlowp's MultiplyByQuantizedMultiplier whenever x * 2^e fits in
///   int32 (gemmlowp's precondition; qopt does not wrap beyond it).
/// * single_round: (x * M + 2^(s-1)) >> s.
int64_t applyDyadicScale(int64_t x, DyadicScale scale, RoundingMode profile);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_UTILS_DYADICMATH_H
