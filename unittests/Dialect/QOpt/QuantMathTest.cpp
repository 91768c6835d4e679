//===- QuantMathTest.cpp - rounding, saturation, scale derivation ---------===//

#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace qopt;

namespace {

constexpr RoundingMode kAway = RoundingMode::half_away_from_zero;
constexpr RoundingMode kEven = RoundingMode::half_to_even;
constexpr RoundingMode kUp = RoundingMode::half_up;

QuantScheme intScheme(unsigned bits, bool isSigned, bool symmetric,
                      bool narrow = false) {
  QuantScheme s;
  s.bits = bits;
  s.isSigned = isSigned;
  s.symmetric = symmetric;
  s.narrowRange = narrow;
  return s;
}

TEST(QuantMath, RoundingTiesPerMode) {
  struct Case {
    double x, away, even, up;
  } cases[] = {
      {0.5, 1, 0, 1},    {1.5, 2, 2, 2},    {2.5, 3, 2, 3},
      {-0.5, -1, 0, 0},  {-1.5, -2, -2, -1}, {-2.5, -3, -2, -2},
      {0.4, 0, 0, 0},    {-0.6, -1, -1, -1}, {7.0, 7, 7, 7},
      // Largest double below 0.5: floor(x + 0.5) would wrongly give 1.
      {0.49999999999999994, 0, 0, 0},
      {-0.49999999999999994, 0, 0, 0},
      // 2^52 + 0.5 is not representable; large values are already integral.
      {4503599627370497.0, 4503599627370497.0, 4503599627370497.0,
       4503599627370497.0},
  };
  for (const Case &c : cases) {
    EXPECT_EQ(roundToIntegral(c.x, kAway), c.away) << c.x;
    EXPECT_EQ(roundToIntegral(c.x, kEven), c.even) << c.x;
    EXPECT_EQ(roundToIntegral(c.x, kUp), c.up) << c.x;
  }
}

TEST(QuantMath, StorageRanges) {
  auto range = [](QuantScheme s) {
    StorageRange r = s.getStorageRange();
    return std::make_pair(r.min, r.max);
  };
  EXPECT_EQ(range(intScheme(8, true, true)), std::make_pair(-128L, 127L));
  EXPECT_EQ(range(intScheme(8, true, true, true)), std::make_pair(-127L, 127L));
  EXPECT_EQ(range(intScheme(8, false, false)), std::make_pair(0L, 255L));
  EXPECT_EQ(range(intScheme(8, false, false, true)), std::make_pair(1L, 255L));
  EXPECT_EQ(range(intScheme(2, true, true)), std::make_pair(-2L, 1L));
  EXPECT_EQ(range(intScheme(4, true, true)), std::make_pair(-8L, 7L));
  EXPECT_EQ(range(intScheme(16, true, true)), std::make_pair(-32768L, 32767L));
  EXPECT_EQ(range(intScheme(16, false, true)), std::make_pair(0L, 65535L));
  QuantScheme ternary;
  ternary.kind = StorageKind::ternary;
  EXPECT_EQ(range(ternary), std::make_pair(-1L, 1L));
  QuantScheme binary;
  binary.kind = StorageKind::binary;
  EXPECT_EQ(range(binary), std::make_pair(0L, 1L));
}

// m * q must stay an int8 for every stored q: m <= 128 / |min| and
// m <= 127 / max.
TEST(QuantMath, GroupMultiplierKeepsProductsInt8) {
  EXPECT_EQ(maxGroupMultiplier({-8, 7}), 16);    // int4
  EXPECT_EQ(maxGroupMultiplier({-7, 7}), 18);    // narrow int4
  EXPECT_EQ(maxGroupMultiplier({-2, 1}), 64);    // int2
  EXPECT_EQ(maxGroupMultiplier({-1, 1}), 127);   // ternary
  EXPECT_EQ(maxGroupMultiplier({-4, 3}), 32);    // int3
  EXPECT_EQ(maxGroupMultiplier({-16, 15}), 8);   // int5
  EXPECT_EQ(maxGroupMultiplier({-64, 63}), 2);   // int7
  EXPECT_EQ(maxGroupMultiplier({-128, 127}), 1); // int8: no room
  for (int64_t bits = 2; bits <= 8; ++bits) {
    StorageRange r = intScheme(bits, true, true).getStorageRange();
    int64_t m = maxGroupMultiplier(r);
    EXPECT_GE(m * r.min, -128) << bits;
    EXPECT_LE(m * r.max, 127) << bits;
    EXPECT_TRUE((m + 1) * r.min < -128 || (m + 1) * r.max > 127) << bits;
  }
}

TEST(QuantMath, QuantizeSaturatesAtBothEnds) {
  StorageRange i8{-128, 127};
  QuantParams p{0.5, 10};
  EXPECT_EQ(quantizeValue(1e9, p, i8, kEven), 127);
  EXPECT_EQ(quantizeValue(-1e9, p, i8, kEven), -128);
  EXPECT_EQ(quantizeValue(INFINITY, p, i8, kEven), 127);
  EXPECT_EQ(quantizeValue(-INFINITY, p, i8, kEven), -128);
  EXPECT_EQ(quantizeValue(std::numeric_limits<double>::max(), p, i8, kAway), 127);
  // 58.5 + 10 = 68.5 -> ties. x/scale = 58.5 exactly.
  EXPECT_EQ(quantizeValue(29.25, p, i8, kEven), 68);
  EXPECT_EQ(quantizeValue(29.25, p, i8, kAway), 69);
  EXPECT_EQ(quantizeValue(-29.25, p, i8, kEven), -48);
  EXPECT_EQ(quantizeValue(-29.25, p, i8, kAway), -49);
  EXPECT_EQ(quantizeValue(-29.25, p, i8, kUp), -48);
  // Just inside / at the boundary with the zero point applied: 117 + 10.
  EXPECT_EQ(quantizeValue(58.5, p, i8, kEven), 127);
  EXPECT_EQ(quantizeValue(58.75, p, i8, kAway), 127);
  // Narrow range never produces -128.
  StorageRange narrow{-127, 127};
  EXPECT_EQ(quantizeValue(-1000.0, {1.0, 0}, narrow, kEven), -127);
}

TEST(QuantMath, DequantizeAndRequantize) {
  EXPECT_DOUBLE_EQ(dequantizeValue(-128, {0.25, -3}), -31.25);
  EXPECT_DOUBLE_EQ(dequantizeValue(255, {0.5, 128}), 63.5);
  StorageRange i8{-128, 127};
  // (7 - 1) * (0.25 / 1.0) = 1.5 -> ties.
  EXPECT_EQ(requantizeValue(7, {0.25, 1}, {1.0, 0}, i8, kEven), 2);
  EXPECT_EQ(requantizeValue(7, {0.25, 1}, {1.0, 0}, i8, kAway), 2);
  EXPECT_EQ(requantizeValue(3, {0.25, 1}, {1.0, 0}, i8, kEven), 0);
  EXPECT_EQ(requantizeValue(3, {0.25, 1}, {1.0, 0}, i8, kAway), 1);
  EXPECT_EQ(requantizeValue(-3, {0.25, -1}, {1.0, 0}, i8, kUp), 0);
  // int32 accumulator extremes saturate, with a non-zero output zero point.
  EXPECT_EQ(requantizeValue(INT32_MAX, {1e-3, 0}, {0.1, -5}, i8, kEven), 127);
  EXPECT_EQ(requantizeValue(INT32_MIN, {1e-3, 0}, {0.1, -5}, i8, kEven), -128);
}

// fp32_rne evaluates the scaling in float32, then ties to even.
TEST(QuantMath, Fp32RneUsesFloat32) {
  StorageRange i8{-128, 127};
  // 2^24 + 1 has no float32 image: fp32_rne sees 2^24.
  EXPECT_EQ(quantizeValue(16777217.0, {1.0, 0}, {-(1 << 30), 1 << 30},
                          RoundingMode::fp32_rne),
            16777216);
  EXPECT_EQ(quantizeValue(16777217.0, {1.0, 0}, {-(1 << 30), 1 << 30},
                          RoundingMode::half_to_even),
            16777217);
  // Ties go to even: (4 - 1) * 0.5 = 1.5, (6 - 1) * 0.5 = 2.5,
  // (-4 + 1) * 0.5 = -1.5.
  EXPECT_EQ(requantizeValue(4, {0.25, 1}, {0.5, 0}, i8, RoundingMode::fp32_rne), 2);
  EXPECT_EQ(requantizeValue(6, {0.25, 1}, {0.5, 0}, i8, RoundingMode::fp32_rne), 2);
  EXPECT_EQ(requantizeValue(-4, {0.25, -1}, {0.5, 0}, i8, RoundingMode::fp32_rne), -2);
}

// Hand-computed derivations, including degenerate ranges.
TEST(QuantMath, ScaleAndZeroPointByHand) {
  // Asymmetric u8 over [0, 255]: scale 1, zp 0.
  QuantParams p = computeQuantParams(0.0f, 255.0f, intScheme(8, false, false));
  EXPECT_EQ(p.scale, 1.0);
  EXPECT_EQ(p.zeroPoint, 0);
  // Asymmetric i8 over [-2.55, 0]: scale 0.01, zp = -128 - round(-255) = 127.
  p = computeQuantParams(-2.55f, 0.0f, intScheme(8, true, false));
  EXPECT_FLOAT_EQ(p.scale, 0.01f);
  EXPECT_EQ(p.zeroPoint, 127);
  // Symmetric narrow i8 over [-3, 1.27]: scale 3/127, zp 0.
  p = computeQuantParams(-3.0f, 1.27f, intScheme(8, true, true, true));
  EXPECT_EQ(p.scale, static_cast<double>(3.0f / 127.0f));
  EXPECT_EQ(p.zeroPoint, 0);
  // Symmetric u8 uses the midpoint 128.
  p = computeQuantParams(-1.0f, 1.0f, intScheme(8, false, true));
  EXPECT_EQ(p.zeroPoint, 128);
  // Symmetric signed 4-bit: [-8, 7] -> divisor 7.5.
  p = computeQuantParams(-1.5f, 0.0f, intScheme(4, true, true));
  EXPECT_EQ(p.scale, static_cast<double>(1.5f / 7.5f));
  // Range excluding zero is widened to include it: [2, 5] acts as [0, 5].
  p = computeQuantParams(2.0f, 5.0f, intScheme(8, false, false));
  EXPECT_EQ(p.scale, static_cast<double>(5.0f / 255.0f));
  EXPECT_EQ(p.zeroPoint, 0);
  p = computeQuantParams(-5.0f, -2.0f, intScheme(8, false, false));
  EXPECT_EQ(p.zeroPoint, 255);
  // All-zero tensor: minimum scale, zero exactly representable.
  p = computeQuantParams(0.0f, 0.0f, intScheme(8, true, false));
  EXPECT_EQ(p.scale, static_cast<double>(kMinScale));
  EXPECT_EQ(p.zeroPoint, -128);
  // min == max != 0.
  p = computeQuantParams(1.5f, 1.5f, intScheme(8, true, true, true));
  EXPECT_EQ(p.scale, static_cast<double>(1.5f / 127.0f));
  // Ternary: levels {-1, 0, 1}, scale = max |x|.
  QuantScheme ternary;
  ternary.kind = StorageKind::ternary;
  ternary.bits = 2;
  ternary.narrowRange = true;
  p = computeQuantParams(-0.75f, 0.5f, ternary);
  EXPECT_EQ(p.scale, 0.75);
  EXPECT_EQ(p.zeroPoint, 0);
  // Real 0.0 quantizes to the zero point exactly, for every scheme above.
  for (QuantScheme s : {intScheme(8, true, false), intScheme(8, false, false),
                        intScheme(4, false, false), intScheme(16, true, false)}) {
    QuantParams q = computeQuantParams(-0.37f, 11.3f, s);
    EXPECT_EQ(quantizeValue(0.0, q, s.getStorageRange(), kEven), q.zeroPoint);
    EXPECT_EQ(dequantizeValue(q.zeroPoint, q), 0.0);
  }
}

// Against PyTorch's observers (torch.ao.quantization, float32 arithmetic).
enum class Scheme {
  per_tensor_affine_qint8,
  per_tensor_affine_quint8,
  per_tensor_symmetric_qint8,
  per_tensor_symmetric_quint8,
  per_channel_symmetric_qint8,
};

struct GoldenCase {
  Scheme scheme;
  double min, max;
  uint32_t scaleBits;
  int64_t zeroPoint;
};

const GoldenCase kPyTorchGolden[] = {
#include "PyTorchObserverGolden.inc"
};

TEST(QuantMath, MatchesPyTorchObservers) {
  int checked = 0;
  for (const GoldenCase &c : kPyTorchGolden) {
    QuantScheme scheme;
    switch (c.scheme) {
    case Scheme::per_tensor_affine_qint8:
      scheme = intScheme(8, true, false);
      break;
    case Scheme::per_tensor_affine_quint8:
      scheme = intScheme(8, false, false);
      break;
    case Scheme::per_tensor_symmetric_qint8:
    case Scheme::per_channel_symmetric_qint8:
      scheme = intScheme(8, true, true);
      break;
    case Scheme::per_tensor_symmetric_quint8:
      scheme = intScheme(8, false, true);
      break;
    }
    QuantParams p = computeQuantParams(static_cast<float>(c.min),
                                       static_cast<float>(c.max), scheme);
    float scale = static_cast<float>(p.scale);
    uint32_t bits;
    std::memcpy(&bits, &scale, sizeof(bits));
    EXPECT_EQ(bits, c.scaleBits)
        << "scheme " << static_cast<int>(c.scheme) << " range [" << c.min
        << ", " << c.max << "]: qopt scale " << scale;
    EXPECT_EQ(p.zeroPoint, c.zeroPoint)
        << "scheme " << static_cast<int>(c.scheme) << " range [" << c.min
        << ", " << c.max << "]";
    ++checked;
  }
  EXPECT_GT(checked, 250);
}

} // namespace
