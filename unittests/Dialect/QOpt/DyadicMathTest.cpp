//===- DyadicMathTest.cpp - multiplier/shift computation ------------------===//

#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"

#include "gemmlowp/fixedpoint/fixedpoint.h"
#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace qopt;

namespace {

TEST(DyadicMath, QuantizeMultiplierLikeTFLite) {
  // 0.5 = 0.5 * 2^0 -> M = 2^30, e = 0.
  TFLiteMultiplier t = quantizeMultiplierTFLite(0.5);
  EXPECT_EQ(t.multiplier, int32_t(1) << 30);
  EXPECT_EQ(t.exponent, 0);
  // 0.02 = 0.64 * 2^-5 -> M = round_half_away(0.64 * 2^31).
  t = quantizeMultiplierTFLite(0.02);
  EXPECT_EQ(t.multiplier, 1374389535);
  EXPECT_EQ(t.exponent, -5);
  // q * 2^31 rounds up to 2^31: the carry gives M = 2^30 and e + 1.
  t = quantizeMultiplierTFLite(1.0 - std::ldexp(1.0, -33));
  EXPECT_EQ(t.multiplier, int32_t(1) << 30);
  EXPECT_EQ(t.exponent, 1);
  // Largest representable multiplier mantissa.
  t = quantizeMultiplierTFLite(1.0 - std::ldexp(1.0, -31));
  EXPECT_EQ(t.multiplier, INT32_MAX);
  EXPECT_EQ(t.exponent, 0);
  // 2^-32 is the smallest that survives (e = -31); 2^-33 flushes.
  t = quantizeMultiplierTFLite(std::ldexp(1.0, -32));
  EXPECT_EQ(t.multiplier, int32_t(1) << 30);
  EXPECT_EQ(t.exponent, -31);
  t = quantizeMultiplierTFLite(std::ldexp(1.0, -33));
  EXPECT_EQ(t.multiplier, 0);
  EXPECT_EQ(t.exponent, 0);
  // Multipliers >= 1 have positive exponents (left shifts).
  t = quantizeMultiplierTFLite(3.0);
  EXPECT_EQ(t.multiplier, int32_t(3) << 29);
  EXPECT_EQ(t.exponent, 2);
}

TEST(DyadicMath, TosaShiftRange) {
  DyadicConversion c = toDyadicScale(0.02);
  EXPECT_EQ(c.status, DyadicStatus::exact);
  EXPECT_EQ(c.scale.shift, 36);
  c = toDyadicScale(std::ldexp(1.0, -32));
  EXPECT_EQ(c.status, DyadicStatus::exact);
  EXPECT_EQ(c.scale.shift, kMaxRescaleShift);
  c = toDyadicScale(std::ldexp(1.0, -33));
  EXPECT_EQ(c.status, DyadicStatus::flushedToZero);
  EXPECT_EQ(c.scale.multiplier, 0);
  // Just below 2^29: shift 2, the smallest TOSA allows.
  c = toDyadicScale(std::ldexp(1.0, 29) * 0.75);
  EXPECT_EQ(c.status, DyadicStatus::exact);
  EXPECT_EQ(c.scale.shift, 2);
  c = toDyadicScale(std::ldexp(1.0, 29));
  EXPECT_EQ(c.status, DyadicStatus::tooLarge);
}

// TFLite's 16-bit reduction, MultiplyByQuantizedMultiplier(int64_t, ...):
// M16 = (M + 2^15) >> 16 (0x7FFF when M >= 0x7FFF0000), shift 15 - e.
TEST(DyadicMath, SixteenBitMultipliers) {
  // 0.02: M = 1374389535 -> (M + 32768) >> 16 = 20972, e = -5 -> shift 20.
  DyadicConversion c = toDyadicScale16(0.02);
  EXPECT_EQ(c.status, DyadicStatus::exact);
  EXPECT_EQ(c.scale.multiplier, 20972);
  EXPECT_EQ(c.scale.shift, 20);
  // M >= 0x7FFF0000 saturates to 0x7FFF instead of carrying into 2^15.
  c = toDyadicScale16(1.0 - std::ldexp(1.0, -20));
  EXPECT_EQ(c.scale.multiplier, 0x7FFF);
  EXPECT_EQ(c.scale.shift, 15);
  // The 32-bit carry (M = 2^30, e + 1) reaches the 16-bit form as 2^14.
  c = toDyadicScale16(1.0 - std::ldexp(1.0, -33));
  EXPECT_EQ(c.scale.multiplier, 1 << 14);
  EXPECT_EQ(c.scale.shift, 14);
  // As TFLite, m below 2^-32 flushes (QuantizeMultiplier's e < -31), though
  // TOSA's shifts would reach 2^-48; m just below 2^13 takes shift 2, the
  // smallest TOSA allows, and 2^13 is too large.
  c = toDyadicScale16(std::ldexp(1.0, -32));
  EXPECT_EQ(c.status, DyadicStatus::exact);
  EXPECT_EQ(c.scale.multiplier, 1 << 14);
  EXPECT_EQ(c.scale.shift, 46);
  c = toDyadicScale16(std::ldexp(1.0, -33));
  EXPECT_EQ(c.status, DyadicStatus::flushedToZero);
  EXPECT_EQ(c.scale.multiplier, 0);
  c = toDyadicScale16(std::ldexp(1.0, 13) * 0.75);
  EXPECT_EQ(c.status, DyadicStatus::exact);
  EXPECT_EQ(c.scale.shift, 2);
  c = toDyadicScale16(std::ldexp(1.0, 13));
  EXPECT_EQ(c.status, DyadicStatus::tooLarge);
  // The 16-bit form is within 2^-14 of m, relatively.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-31.0, 12.0);
  for (int i = 0; i < 1000; ++i) {
    double m = std::exp2(exponent(rng));
    c = toDyadicScale16(m);
    ASSERT_EQ(c.status, DyadicStatus::exact) << m;
    EXPECT_LE(std::fabs(dyadicValue(c.scale) - m) / m, std::ldexp(1.0, -14))
        << m;
  }
}

TEST(DyadicMath, PowerOfTwoReportsError) {
  double error = 0.0;
  DyadicConversion c = toPowerOfTwoScale(0.25, error);
  EXPECT_EQ(c.scale.multiplier, int32_t(1) << 30);
  EXPECT_EQ(c.scale.shift, 32);
  EXPECT_EQ(error, 0.0);
  c = toPowerOfTwoScale(0.3, error);
  EXPECT_EQ(c.scale.shift, 32); // log2(0.3) = -1.74 -> -2
  EXPECT_NEAR(error, std::fabs(0.25 - 0.3) / 0.3, 1e-12);
}

// The C++ evaluator (used by folding) against gemmlowp on random values and
// edges, for every right shift.
TEST(DyadicMath, ApplyMatchesGemmlowp) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<int32_t> mult(int32_t(1) << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> value(INT32_MIN, INT32_MAX);
  for (int s = 31; s <= 62; ++s) {
    for (int trial = 0; trial < 2000; ++trial) {
      int32_t m = trial == 0 ? (int32_t(1) << 30) : trial == 1 ? INT32_MAX : mult(rng);
      int32_t x = trial < 4 ? (trial % 2 ? INT32_MIN : INT32_MAX) : value(rng);
      int32_t expected = gemmlowp::RoundingDivideByPOT(
          gemmlowp::SaturatingRoundingDoublingHighMul(x, m), s - 31);
      ASSERT_EQ(applyDyadicScale(x, {m, s}, RoundingMode::double_round),
                expected)
          << "x=" << x << " M=" << m << " s=" << s;
    }
  }
  // Left shifts: x * 2^(31 - s) within int32.
  for (int s = 2; s < 31; ++s) {
    int64_t limit = (int64_t(1) << s) - 1;
    std::uniform_int_distribution<int64_t> small(-limit, limit);
    for (int trial = 0; trial < 500; ++trial) {
      int32_t m = mult(rng);
      int32_t x = static_cast<int32_t>(small(rng));
      int32_t expected = gemmlowp::SaturatingRoundingDoublingHighMul(
          static_cast<int32_t>(x * (int64_t(1) << (31 - s))), m);
      ASSERT_EQ(applyDyadicScale(x, {m, s}, RoundingMode::double_round),
                expected)
          << "x=" << x << " M=" << m << " s=" << s;
    }
  }
}

TEST(DyadicMath, SingleRoundTies) {
  // 3 * 2^30 >> 31 = 1.5 -> 2; -3 * 2^30 -> -1.5 -> -1 (half up).
  EXPECT_EQ(applyDyadicScale(3, {int32_t(1) << 30, 31}, RoundingMode::single_round), 2);
  EXPECT_EQ(applyDyadicScale(-3, {int32_t(1) << 30, 31}, RoundingMode::single_round), -1);
  // double_round at s = 31 is the same single rounding (ties up).
  EXPECT_EQ(applyDyadicScale(-3, {int32_t(1) << 30, 31}, RoundingMode::double_round), -1);
  // At s = 32 double_round ties away from zero: -3 * 2^30 / 2^32 = -0.75:
  // SRDHM gives -1 (-1.5 rounded up), then RDBPOT(-1, 1) = -0.5 -> -1.
  EXPECT_EQ(applyDyadicScale(-3, {int32_t(1) << 30, 32}, RoundingMode::double_round), -1);
  EXPECT_EQ(applyDyadicScale(-3, {int32_t(1) << 30, 32}, RoundingMode::single_round), -1);
  // Where double and single rounding differ: x = -5, M = 2^30, s = 33:
  // exact -0.625; single -> -1; double: SRDHM -2.5 -> -2, RDBPOT(-2, 2) =
  // -0.5 -> -1. And x = 5: single 0.625 -> 1; double SRDHM 2.5 -> 3,
  // 3/4 = 0.75 -> 1. x = 6, s = 34: exact 0.375; single 0; double SRDHM 3,
  // 3/8 -> 0. x = 10, s = 34: 0.625 -> single 1; double SRDHM 5, 5/8 -> 1.
  EXPECT_EQ(applyDyadicScale(-5, {int32_t(1) << 30, 33}, RoundingMode::double_round), -1);
  EXPECT_EQ(applyDyadicScale(-5, {int32_t(1) << 30, 33}, RoundingMode::single_round), -1);
  // 1 * (2^31 - 1) >> 32 = 0.49999999977: single -> 0; double: SRDHM(1, M)
  // = 1 (0.99999999953 rounds up), RDBPOT(1, 1) = 0.5 -> 1. One LSB apart.
  EXPECT_EQ(applyDyadicScale(1, {INT32_MAX, 32}, RoundingMode::single_round), 0);
  EXPECT_EQ(applyDyadicScale(1, {INT32_MAX, 32}, RoundingMode::double_round), 1);
}

} // namespace
