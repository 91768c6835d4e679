//===- QuantMath.h - context-free quantization numerics ---------*- C++ -*-===//
//
// Scalar numerics shared by constant folding, the quantizer and the tests:
// rounding in each declared mode, saturation, quantize / dequantize /
// requantize of one value, and derivation of scale and zero point from a
// range. Nothing here needs an MLIRContext.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_UTILS_QUANTMATH_H
#define QOPT_DIALECT_QOPT_UTILS_QUANTMATH_H

#include "qopt/Dialect/QOpt/IR/QOptEnums.h"

#include <cstdint>

namespace qopt {

/// Inclusive range of stored integers.
struct StorageRange {
  int64_t min = 0;
  int64_t max = 0;
  int64_t clamp(int64_t v) const { return v < min ? min : (v > max ? max : v); }
  bool contains(int64_t v) const { return v >= min && v <= max; }
};

/// The numeric content of a quantization policy.
struct QuantScheme {
  StorageKind kind = StorageKind::integer;
  unsigned bits = 8;
  bool isSigned = true;
  bool symmetric = true;
  bool narrowRange = false;

  /// [-2^(b-1), 2^(b-1)-1] or [0, 2^b-1]; narrow range drops the lowest code.
  /// Binary storage is the one-bit code {0, 1}.
  StorageRange getStorageRange() const;
};

/// Full range of a `width`-bit integer read as signed or unsigned.
StorageRange getIntegerRange(unsigned width, bool isUnsigned);

/// Scale and zero point of one tensor, channel or block.
struct QuantParams {
  double scale = 1.0;
  int64_t zeroPoint = 0;
};

/// Rounds `x` to an integral value per `mode` (a float-scale mode; the
/// dyadic profiles are not defined on doubles and are rejected by assert).
double roundToIntegral(double x, RoundingMode mode);

/// Rounds, then saturates to `range`. +/-inf saturate; NaN must be rejected
/// by the caller (it has no integer image).
int64_t roundAndSaturate(double x, RoundingMode mode, StorageRange range);

/// clamp(round(x / scale) + zp). The division is in double precision, or in
/// float32 for fp32_rne.
int64_t quantizeValue(double x, QuantParams params, StorageRange range,
                      RoundingMode mode);

/// scale * (q - zp) in double precision.
double dequantizeValue(int64_t q, QuantParams params);

/// clamp(round((q - zp_in) * (s_in / s_out)) + zp_out), in double, or for
/// fp32_rne in float32 as float(q - zp_in) * (float(s_in) / float(s_out)).
int64_t requantizeValue(int64_t q, QuantParams in, QuantParams out,
                        StorageRange outRange, RoundingMode mode);

/// Binary code of `x`: 1 (meaning +1) when x >= 0, else 0 (meaning -1).
inline int64_t binarizeValue(double x) { return x >= 0.0 ? 1 : 0; }

/// Smallest scale a derivation returns (float32 machine epsilon), so that a
/// constant tensor still gets a valid, positive scale. Same as PyTorch's
/// observers.
inline constexpr float kMinScale = 1.1920928955078125e-07f;

/// Scale and zero point for the float range [min, max] under `scheme`,
/// bit-compatible with PyTorch's observers (`_calculate_qparams`, float32
/// arithmetic): the range is first widened to contain 0 so that real 0.0
/// is exactly representable; symmetric schemes use
/// `max(|min|, |max|) / ((qmax - qmin) / 2)` with the midpoint zero point
/// (0 signed, 2^(b-1) unsigned); asymmetric schemes use
/// `(max - min) / (qmax - qmin)` and `zp = clamp(qmin - round_half_even(min
/// / scale))`. Scales are at least kMinScale. For binary schemes the scale
/// is max(|min|, |max|) and the zero point 0.
/// Requires finite bounds with min <= max.
QuantParams computeQuantParams(float min, float max, const QuantScheme &scheme);

/// The largest integer sub-scale m for which m * q is an int8 for every q
/// in `range`: 16 for int4 [-8, 7], 64 for int2 [-2, 1], 127 for ternary,
/// 1 for int8. Per-group weight scales are such multiples of one scale per
/// output channel, so that group-scaled weights are exact int8 weights.
int64_t maxGroupMultiplier(StorageRange range);

} // namespace qopt

#endif // QOPT_DIALECT_QOPT_UTILS_QUANTMATH_H
