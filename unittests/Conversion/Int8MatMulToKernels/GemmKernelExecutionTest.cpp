//===- GemmKernelExecutionTest.cpp - VNNI microkernels vs tosa.matmul -----===//
//
// The same int8 matmul (random activations, zero point and constant
// weights) is compiled twice and run through the JIT: by upstream's
// tosa-to-linalg (the reference integer lowering) and by
// convert-int8-matmul-to-kernels (packed weights, vpdpbusd microkernels). The
// int32 results must be equal, on shapes that are not multiples of the
// register tile (M, N, K odd; K = 1; M = 1), at the extremes of int8 and
// for every tile size; then with the dots lowered for AVX-VNNI and for no
// VNNI at all (generic), which must give the same results.
//
//===----------------------------------------------------------------------===//

#include "qopt/ExecutionEngine/JitKernel.h"
#include "qopt/InitAllPasses.h"

#include "llvm/TargetParser/Host.h"

#include "llvm/ADT/StringExtras.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

using namespace qopt;

namespace {

const bool kPassesRegistered = (qopt::registerJitPasses(), true);

bool hostHasVnni() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512vnni") && features.lookup("avx512bw");
}

struct Case {
  int64_t m, k, n;
  int zeroPoint;
  enum { Random, AllMin, AllMax, SmallWeights } values = Random;
  /// Bits of the weights: 8, or TOSA int4 weights in [-8, 7] (4), which
  /// the kernels pack two per byte, or in [-2, 1] (2), four per byte.
  int weightBits = 8;
  /// With a group size, TOSA int8 weights m * q: q of `weightBits` bits,
  /// one m in [1, 16] per column and group of K (16 for the extremes), as
  /// per-group int4 weights become in the integer graph. The kernels store
  /// q packed and m per group.
  int groupSize = 0;
};

std::string source(const Case &c, const std::vector<int8_t> &weights) {
  bool tosaInt4 = c.weightBits < 8 && !c.groupSize;
  return int8MatMulSource(c.m, c.n, c.k, weights, c.zeroPoint,
                          tosaInt4 ? "i4" : "i8");
}

/// Whether lowered IR scales per-group dot products: sign-extends 16
/// multiplier bytes to int32 lanes.
bool hasGroupMultipliers(llvm::StringRef ir) {
  return ir.contains("llvm.sext") &&
         ir.contains("vector<16xi8> to vector<16xi32>");
}

/// A row-major memref descriptor of `shape` over `data`.
template <typename T, int Rank>
StridedMemRefType<T, Rank> view(T *data, llvm::ArrayRef<int64_t> shape) {
  StridedMemRefType<T, Rank> d;
  d.basePtr = d.data = data;
  d.offset = 0;
  int64_t stride = 1;
  for (int i = Rank - 1; i >= 0; --i) {
    d.sizes[i] = shape[i];
    d.strides[i] = stride;
    stride *= shape[i];
  }
  return d;
}

/// Runs `fn` of both kernels on the NHWC int8 `input` and checks that their
/// rank-4 outputs of element type T are equal element by element; `what`
/// names the case in failures.
template <typename T>
void expectSameOutputs(JitKernel &reference, JitKernel &fast,
                       const std::string &fn, std::vector<int8_t> &input,
                       llvm::ArrayRef<int64_t> inShape,
                       llvm::ArrayRef<int64_t> outShape,
                       const std::string &what) {
  int64_t size = 1;
  for (int64_t d : outShape)
    size *= d;
  std::vector<T> expected(size), actual(size);
  auto x = view<int8_t, 4>(input.data(), inShape);
  auto yRef = view<T, 4>(expected.data(), outShape);
  auto yFast = view<T, 4>(actual.data(), outShape);
  ASSERT_TRUE(reference.call(fn, &x, &yRef)) << reference.error();
  ASSERT_TRUE(fast.call(fn, &x, &yFast)) << fast.error();
  for (int64_t i = 0; i < size; ++i)
    ASSERT_EQ(int64_t(actual[i]), int64_t(expected[i])) << what << " at " << i;
}

/// Instruction sets the dots are lowered for (convert-qopt-dot-to-llvm).
bool hostHasAvxVnni() {
  return llvm::sys::getHostCPUFeatures().lookup("avxvnni");
}

bool hostHasAmx() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("amx-tile") && features.lookup("amx-int8");
}

/// Whether lowered IR unpacks `bits`-bit weights: shifts i8 lanes right
/// (nothing else does) by the highest field's offset, 4 for int4 and 6
/// for int2.
bool hasPackedUnpack(llvm::StringRef ir, int bits) {
  llvm::SmallVector<llvm::StringRef> lines;
  ir.split(lines, '\n');
  bool shifts = llvm::any_of(lines, [](llvm::StringRef line) {
    return line.contains("llvm.lshr") && line.contains("vector<64xi8>");
  });
  std::string highest =
      "dense<" + std::to_string(8 - bits) + "> : vector<64xi8>";
  return shifts && ir.contains(highest) &&
         (bits == 4 || !ir.contains("dense<15> : vector<64xi8>"));
}

void runCase(const Case &c, const std::string &tileOptions,
             const std::string &isa = "avx512-vnni") {
  std::mt19937 rng(c.m * 131 + c.k * 17 + c.n);
  std::uniform_int_distribution<int> byte(-128, 127);
  auto value = [&](bool weight) -> int8_t {
    if (weight && c.weightBits < 8)
      return c.values == Case::AllMin ? -(1 << (c.weightBits - 1))
             : c.values == Case::AllMax
                 ? (1 << (c.weightBits - 1)) - 1
                 : int8_t(byte(rng) >> (8 - c.weightBits));
    if (c.values == Case::AllMin)
      return weight ? -127 : -128;
    if (c.values == Case::AllMax)
      return 127;
    if (c.values == Case::SmallWeights && weight)
      return int8_t(byte(rng) / 2); // |w0| + |w1| <= 128
    return int8_t(weight ? std::max(byte(rng), -127) : byte(rng));
  };
  std::vector<int8_t> weights(c.k * c.n), a(c.m * c.k);
  for (int8_t &w : weights)
    w = value(true);
  if (c.groupSize) {
    std::uniform_int_distribution<int> multiplier(1, 16);
    for (int64_t g = 0; g < c.k / c.groupSize; ++g)
      for (int64_t n = 0; n < c.n; ++n) {
        int m = c.values == Case::Random ? multiplier(rng) : 16;
        for (int64_t k = g * c.groupSize; k < (g + 1) * c.groupSize; ++k)
          weights[k * c.n + n] = int8_t(weights[k * c.n + n] * m);
      }
  }
  for (int8_t &x : a)
    x = value(false);
  std::string src = source(c, weights);
  const std::string tosaToLinalg =
      "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),"
      "canonicalize,";
  JitKernel reference(src, tosaToLinalg + kLowerToLLVM);
  ASSERT_TRUE(reference.ok()) << reference.error();
  // The dots are lowered after bufferization, where kLowerToLLVM does it
  // for the host; name the instruction set there instead.
  std::string lower = withDotIsa(kLowerToLLVM, isa);
  JitKernel vnni(src, "func.func(convert-int8-matmul-to-kernels" + tileOptions +
                          ")," + tosaToLinalg + lower);
  ASSERT_TRUE(vnni.ok()) << vnni.error();
  if (c.groupSize)
    ASSERT_TRUE(hasGroupMultipliers(vnni.loweredIR()) &&
                (hasPackedUnpack(vnni.loweredIR(), 4) ||
                 hasPackedUnpack(vnni.loweredIR(), 2)))
        << "per-group weights are not stored packed with multipliers";
  else if (c.weightBits < 8)
    ASSERT_TRUE(hasPackedUnpack(vnni.loweredIR(), c.weightBits))
        << c.weightBits << "-bit weights are not unpacked in registers";
  else if (tileOptions.find("amx") != std::string::npos)
    // Fewer rows than an AMX tile take the register tiles.
    ASSERT_EQ(vnni.loweredIR().find("tdpbssd") != std::string::npos, c.m >= 16);
  else if (isa == "avx2")
    ASSERT_EQ(vnni.loweredIR().find("pmadd.ub.sw") != std::string::npos,
              c.values == Case::SmallWeights)
        << "vpmaddubsw exactly where the weights prove the pairs fit";
  else
    ASSERT_EQ(vnni.loweredIR().find("vpdpbusd") != std::string::npos,
              isa != "generic")
        << "unexpected instruction selection for " << isa;
  std::vector<int32_t> expected(c.m * c.n), actual(c.m * c.n, 12345);
  auto in = view<int8_t, 3>(a.data(), {1, c.m, c.k});
  auto outRef = view<int32_t, 3>(expected.data(), {1, c.m, c.n});
  auto outVnni = view<int32_t, 3>(actual.data(), {1, c.m, c.n});
  ASSERT_TRUE(reference.call("mm", &in, &outRef)) << reference.error();
  ASSERT_TRUE(vnni.call("mm", &in, &outVnni)) << vnni.error();
  for (int64_t i = 0; i < c.m * c.n; ++i)
    ASSERT_EQ(actual[i], expected[i])
        << "M=" << c.m << " K=" << c.k << " N=" << c.n << " zp=" << c.zeroPoint
        << " at (" << i / c.n << ", " << i % c.n << ")";
}

class VnniMatMul : public ::testing::Test {
protected:
  void SetUp() override {
    if (!hostHasVnni())
      GTEST_SKIP() << "host has no AVX-512 VNNI";
  }
};

TEST_F(VnniMatMul, OddShapes) {
  for (Case c :
       {Case{1, 1, 1, 0}, Case{1, 64, 64, 3}, Case{7, 5, 18, -3},
        Case{13, 33, 47, 100}, Case{6, 4, 64, -128}, Case{25, 130, 97, 127},
        Case{64, 64, 64, 1}, Case{3, 1, 200, -7}, Case{13, 64, 150, 9}})
    runCase(c, "");
}

TEST_F(VnniMatMul, Extremes) {
  // |sum| reaches 128 * 127 * K (K = 600: 9.8e6) without overflow; the
  // zero point shifts every product.
  for (auto values : {Case::AllMin, Case::AllMax})
    for (int zp : {-128, 0, 127})
      runCase(Case{7, 600, 35, zp, values}, "");
}

TEST_F(VnniMatMul, EveryTileShape) {
  for (const char *tile :
       {"{tile-rows=1 tile-vectors=1}", "{tile-rows=4 tile-vectors=2}",
        "{tile-rows=8 tile-vectors=3}", "{tile-rows=2 tile-vectors=6}"}) {
    runCase(Case{11, 21, 83, -5}, tile);
    // In place (rows flipped in registers), with several panels.
    runCase(Case{11, 84, 83, -5}, tile);
  }
}

TEST_F(VnniMatMul, KBlocks) {
  // K split into cache blocks: whole blocks only (21 -> 24 = 3 x 8), and
  // whole blocks plus a shorter last one (602 -> 604 = 6 x 100 + 4).
  runCase(Case{11, 21, 83, -5}, "{tile-rows=3 tile-vectors=2 k-block=8}");
  runCase(Case{9, 602, 40, 17}, "{k-block=100}");
  runCase(Case{9, 602, 40, 17, Case::AllMin}, "{k-block=100}");
  // K a multiple of 4: activations read in place, flipped in registers.
  runCase(Case{9, 600, 40, 17}, "{k-block=100}");
  runCase(Case{9, 600, 40, -128, Case::AllMin}, "{k-block=64}");
  // Several panels share one buffer of partial sums.
  runCase(Case{11, 600, 100, -7}, "{k-block=100}");
  runCase(Case{11, 600, 100, 5, Case::AllMax}, "{tile-vectors=1 k-block=64}");
  runCase(Case{5, 1000, 17, 127, Case::AllMax}, "");
}

/// Packed weights of `bits` bits (TOSA i4 holding values that fit): odd
/// shapes (K = 1, M = 1, K not a multiple of the groups sharing bytes),
/// the extreme values everywhere, one and several column blocks per panel,
/// K blocks, one more configuration, and the AMX configuration (which takes
/// the VNNI kernels for them).
void runPackedWeightCases(int bits, const char *otherConfig) {
  for (Case c :
       {Case{1, 1, 1, 0}, Case{1, 64, 64, 3}, Case{7, 5, 18, -3},
        Case{13, 33, 47, 100}, Case{6, 4, 64, -128}, Case{25, 130, 97, 127},
        Case{3, 1, 200, -7}, Case{1, 4096, 64, 5}}) {
    c.weightBits = bits;
    runCase(c, "");
  }
  for (auto values : {Case::AllMin, Case::AllMax})
    for (int zp : {-128, 0, 127})
      runCase(Case{7, 600, 35, zp, values, bits}, "");
  for (const char *tile :
       {"{tile-rows=1 tile-vectors=1}", "{tile-rows=8 tile-vectors=3}",
        "{tile-rows=3 tile-vectors=2 k-block=8}", "{k-block=100}", otherConfig,
        "{kernel=amx}"})
    for (Case c : {Case{11, 21, 83, -5, Case::Random, bits},
                   Case{9, 602, 40, 17, Case::AllMin, bits},
                   Case{9, 70, 40, 17, Case::AllMax, bits}})
      runCase(c, tile);
}

// int4 weights, packed two per byte and unpacked in registers.
TEST_F(VnniMatMul, Int4Weights) { runPackedWeightCases(4, "{depth-unroll=4}"); }

// int2 weights (values in [-2, 1]: 2-bit and ternary quantization), packed
// four per byte.
TEST_F(VnniMatMul, Int2Weights) {
  runPackedWeightCases(2, "{tile-rows=2 tile-vectors=6}");
}

Case grouped(Case c, int groupSize) {
  c.weightBits = 4;
  c.groupSize = groupSize;
  return c;
}

/// Per-group weights (int8 m * q, q int4, groups of 16 to 64 along K) in
/// the default configuration lowered for `isa`: M = 1 and odd M and N, the
/// extremes (-8 x 16 = -128 everywhere: stored as 64 x -2; 7 x 16 = 112)
/// with every zero point; then odd shapes through each of `otherConfigs`.
void runGroupedWeightCases(const std::vector<std::string> &otherConfigs,
                           const std::string &isa) {
  for (Case c :
       {grouped(Case{1, 64, 64, 3}, 32), grouped(Case{7, 32, 18, -3}, 16),
        grouped(Case{1, 4096, 64, 5}, 64)})
    runCase(c, "", isa);
  for (auto values : {Case::AllMin, Case::AllMax})
    for (int zp : {-128, 127})
      runCase(grouped(Case{7, 640, 35, zp, values}, 32), "", isa);
  for (const std::string &config : otherConfigs)
    for (Case c : {grouped(Case{13, 96, 47, 100}, 32),
                   grouped(Case{25, 256, 97, 127}, 64)})
      runCase(c, config, isa);
}

TEST_F(VnniMatMul, GroupedWeights) {
  // K blocks of 100 depths hold whole groups only (96 and 128).
  runGroupedWeightCases({"{tile-rows=1 tile-vectors=1}",
                         "{tile-rows=8 tile-vectors=3}", "{k-block=100}",
                         "{depth-unroll=4}", "{kernel=amx}"},
                        "avx512-vnni");
}

} // namespace

namespace {

// The same microkernels with the dots lowered for other targets: identical
// results. The generic form runs on any x86-64 host.
TEST(Int8MatMulOtherTargets, GenericDots) {
  for (Case c : {Case{7, 5, 18, -3}, Case{13, 33, 47, 100},
                 Case{7, 600, 35, -128, Case::AllMin},
                 Case{7, 600, 35, 127, Case::AllMax}})
    runCase(c, "", "generic");
}

// AVX2: vpmaddubsw where the weights prove the int16 pair sums cannot
// saturate (|w0| + |w1| <= 128 against unsigned activations), widening
// multiplies elsewhere; the same results either way, at the extremes too.
TEST(Int8MatMulOtherTargets, Avx2Dots) {
  if (!llvm::sys::getHostCPUFeatures().lookup("avx2"))
    GTEST_SKIP() << "host has no AVX2";
  const std::string options = "{int16-pairs=true tile-rows=4 tile-vectors=1}";
  for (Case c : {Case{7, 5, 18, -3, Case::SmallWeights},
                 Case{13, 64, 47, 100, Case::SmallWeights},
                 Case{9, 600, 40, -128, Case::SmallWeights},
                 Case{13, 33, 47, 100}, Case{7, 600, 35, -128, Case::AllMin},
                 Case{7, 600, 35, 127, Case::AllMax}})
    runCase(c, options, "avx2");
}

// int4 and int2 weights through the generic and AVX2 dots, and through
// AArch64's sdot kernels (smmla configurations take them for packed
// weights).
TEST(Int8MatMulOtherTargets, Int4Weights) {
  std::vector<std::pair<std::string, std::string>> configs = {
      {"", "generic"},
      {"{kernel=sdot tile-rows=4 tile-vectors=1 depth-unroll=4}", "generic"},
      {"{kernel=smmla tile-rows=4 tile-vectors=1 depth-unroll=4}", "generic"}};
  if (llvm::sys::getHostCPUFeatures().lookup("avx2"))
    configs.push_back(
        {"{int16-pairs=true tile-rows=4 tile-vectors=1}", "avx2"});
  for (auto &[options, isa] : configs)
    for (Case c : {Case{1, 1, 1, 0}, Case{7, 5, 18, -3}, Case{13, 33, 47, 100},
                   Case{7, 600, 35, -128, Case::AllMin},
                   Case{7, 600, 35, 127, Case::AllMax}, Case{9, 602, 40, 17}}) {
      c.weightBits = 4;
      runCase(c, options, isa);
    }
  for (auto &[options, isa] : configs)
    for (Case c : {Case{7, 5, 18, -3}, Case{7, 600, 35, -128, Case::AllMin},
                   Case{9, 602, 40, 17}}) {
      c.weightBits = 2;
      runCase(c, options, isa);
    }
}

// Per-group weights through the generic and AVX2 dots and AArch64's sdot
// kernels.
TEST(Int8MatMulOtherTargets, GroupedWeights) {
  runGroupedWeightCases(
      {"{kernel=sdot tile-rows=4 tile-vectors=1 depth-unroll=4}"}, "generic");
  if (llvm::sys::getHostCPUFeatures().lookup("avx2"))
    for (Case c : {grouped(Case{13, 96, 47, 100}, 32),
                   grouped(Case{7, 640, 35, -128, Case::AllMin}, 32)})
      runCase(c, "{int16-pairs=true tile-rows=4 tile-vectors=1}", "avx2");
}

TEST(Int8MatMulOtherTargets, AvxVnniDots) {
  if (!hostHasAvxVnni())
    GTEST_SKIP() << "host has no AVX-VNNI";
  for (Case c : {Case{7, 5, 18, -3}, Case{25, 130, 97, 127}})
    runCase(c, "", "avx-vnni");
}

// AArch64's kernels (signed activations: sdot register tiles, smmla 2 x 2
// blocks over depth octets) with their dot and mmla ops lowered
// generically, so that their packing, blocking and corrections run here;
// the same kernels run with sdot / smmla under qemu-aarch64
// (test/Target/AArch64).
/// The x86 tests' odd shapes, extremes and K blocks on one AArch64 kernel
/// configuration.
void runOddShapesAndExtremes(const std::string &kernel) {
  for (Case c : {Case{1, 1, 1, 0}, Case{1, 64, 64, 3}, Case{7, 5, 18, -3},
                 Case{13, 33, 47, 100}, Case{6, 8, 64, -128},
                 Case{25, 130, 97, 127}, Case{3, 1, 200, -7}})
    runCase(c, kernel, "generic");
  for (auto values : {Case::AllMin, Case::AllMax})
    for (int zp : {-128, 127})
      runCase(Case{7, 600, 35, zp, values}, kernel, "generic");
  // K split into cache blocks, whole and with a shorter last one.
  runCase(Case{9, 602, 40, 17}, std::string(kernel).insert(1, "k-block=96 "),
          "generic");
}

// The targets' configurations (AArch64Target).
TEST(Int8MatMulAArch64Kernels, SdotOddShapesAndExtremes) {
  runOddShapesAndExtremes(
      "{kernel=sdot tile-rows=4 tile-vectors=1 depth-unroll=4}");
}

TEST(Int8MatMulAArch64Kernels, SmmlaOddShapesAndExtremes) {
  runOddShapesAndExtremes(
      "{kernel=smmla tile-rows=4 tile-vectors=1 depth-unroll=4}");
}

TEST(Int8MatMulAArch64Kernels, OtherTiles) {
  // Odd tile rows (smmla pairs the last row with itself), two column
  // blocks per panel, one and two depth groups per step.
  for (const char *kernel :
       {"{kernel=sdot tile-rows=4 tile-vectors=1}",
        "{kernel=sdot tile-rows=3 tile-vectors=2 depth-unroll=2}",
        "{kernel=smmla tile-rows=4 tile-vectors=1}",
        "{kernel=smmla tile-rows=3 tile-vectors=2 depth-unroll=2}"})
    for (Case c : {Case{7, 5, 18, -3}, Case{13, 33, 47, 100},
                   Case{7, 600, 35, -128, Case::AllMin}})
      runCase(c, kernel, "generic");
}

// AMX tiles (tdpbssd): rows and depths that are not whole 16 x 64-byte
// tiles (A copied and padded), whole tiles read in place, one or two
// column tiles per panel, the extremes of int8.
class AmxMatMul : public ::testing::Test {
protected:
  void SetUp() override {
    if (!hostHasAmx())
      GTEST_SKIP() << "host has no AMX-INT8";
  }
};

TEST_F(AmxMatMul, OddShapes) {
  for (Case c :
       {Case{1, 1, 1, 0}, Case{1, 64, 64, 3}, Case{7, 5, 18, -3},
        Case{13, 33, 47, 100}, Case{16, 64, 16, -128}, Case{25, 130, 97, 127},
        Case{64, 128, 64, 1}, Case{33, 192, 48, -9}, Case{3, 1, 200, -7}})
    runCase(c, "{kernel=amx}");
}

TEST_F(AmxMatMul, Extremes) {
  for (auto values : {Case::AllMin, Case::AllMax})
    for (int zp : {-128, 0, 127}) {
      runCase(Case{7, 600, 35, zp, values}, "{kernel=amx}");
      runCase(Case{32, 640, 32, zp, values}, "{kernel=amx}");
    }
}

} // namespace

namespace {

struct ConvCase {
  int64_t n, h, w, c, o, kh, kw, stride, pad, dilation;
  int zeroPoint;
  /// With a group size, int8 weights m * q: int4 q, one m in [1, 16] per
  /// output channel, tap and group of input channels.
  int groupSize = 0;
  /// The horizontal dilation when it differs from the vertical one.
  int64_t dilationX = 0;
  int64_t dx() const { return dilationX ? dilationX : dilation; }
};

/// A tosa.conv2d through tosa-to-linalg (reference) and through
/// convert-int8-matmul-to-kernels (GEMM kernels reading the padded input in
/// place, or im2col): equal int32 outputs.
void runConv(const ConvCase &c, const std::string &isa,
             const std::string &options = "") {
  int64_t ho = (c.h + 2 * c.pad - c.dilation * (c.kh - 1) - 1) / c.stride + 1;
  int64_t wo = (c.w + 2 * c.pad - c.dx() * (c.kw - 1) - 1) / c.stride + 1;
  std::mt19937 rng(c.c * 7 + c.o * 3 + c.kh);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> weights(c.o * c.kh * c.kw * c.c),
      input(c.n * c.h * c.w * c.c);
  std::uniform_int_distribution<int> multiplier(1, 16);
  int m = 1; // the current group's, drawn at its first channel
  for (int64_t i = 0; i < int64_t(weights.size()); ++i) {
    if (!c.groupSize) {
      weights[i] = int8_t(std::max(byte(rng), -127));
      continue;
    }
    if (i % c.groupSize == 0)
      m = multiplier(rng);
    weights[i] = int8_t((byte(rng) >> 4) * m);
  }
  for (int8_t &v : input)
    v = int8_t(byte(rng));
  std::vector<int32_t> bias(c.o);
  for (int32_t &v : bias)
    v = byte(rng) * 1000;
  auto dims = [](std::initializer_list<int64_t> d, const char *e) {
    std::string s;
    for (int64_t x : d)
      s += std::to_string(x) + "x";
    return s + e;
  };
  std::string in = "tensor<" + dims({c.n, c.h, c.w, c.c}, "i8") + ">";
  std::string inM = "memref<" + dims({c.n, c.h, c.w, c.c}, "i8") + ">";
  std::string wt = "tensor<" + dims({c.o, c.kh, c.kw, c.c}, "i8") + ">";
  std::string out = "tensor<" + dims({c.n, ho, wo, c.o}, "i32") + ">";
  std::string outM = "memref<" + dims({c.n, ho, wo, c.o}, "i32") + ">";
  std::ostringstream biasText;
  for (size_t i = 0; i < bias.size(); ++i)
    biasText << (i ? ", " : "") << bias[i];
  std::ostringstream os;
  os << "func.func @conv(%im: " << inM << ", %out: " << outM
     << ") attributes {llvm.emit_c_interface} {\n"
     << "  %x = bufferization.to_tensor %im restrict : " << inM << " to " << in
     << "\n  %w = \"tosa.const\"() {values = dense<" << denseHexLiteral(weights)
     << "> : " << wt << "} : () -> " << wt << "\n"
     << "  %b = \"tosa.const\"() {values = dense<[" << biasText.str()
     << "]> : tensor<" << c.o << "xi32>} : () -> tensor<" << c.o << "xi32>\n"
     << "  %xzp = \"tosa.const\"() {values = dense<" << c.zeroPoint
     << "> : tensor<1xi8>} : () -> tensor<1xi8>\n"
     << "  %wzp = \"tosa.const\"() {values = dense<0> : tensor<1xi8>} : () -> "
        "tensor<1xi8>\n"
     << "  %y = tosa.conv2d %x, %w, %b, %xzp, %wzp {acc_type = i32, dilation "
        "= array<i64: "
     << c.dilation << ", " << c.dx() << ">, pad = array<i64: " << c.pad << ", "
     << c.pad << ", " << c.pad << ", " << c.pad
     << ">, stride = array<i64: " << c.stride << ", " << c.stride << ">} : ("
     << in << ", " << wt << ", tensor<" << c.o
     << "xi32>, tensor<1xi8>, tensor<1xi8>) -> " << out << "\n"
     << "  bufferization.materialize_in_destination %y in restrict writable "
        "%out : ("
     << out << ", " << outM << ") -> ()\n  return\n}\n";
  const std::string tosaToLinalg =
      "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),"
      "canonicalize,";
  JitKernel reference(os.str(), tosaToLinalg + kLowerToLLVM);
  ASSERT_TRUE(reference.ok()) << reference.error();
  std::string lower = withDotIsa(kLowerToLLVM, isa);
  JitKernel fast(os.str(), "func.func(convert-int8-matmul-to-kernels" +
                               options + ")," + tosaToLinalg + lower);
  ASSERT_TRUE(fast.ok()) << fast.error();
  if (c.groupSize)
    ASSERT_TRUE(hasGroupMultipliers(fast.loweredIR()));
  else if (options.find("amx") != std::string::npos)
    ASSERT_NE(fast.loweredIR().find("tdpbssd"), std::string::npos);
  else if (isa == "avx2")
    ASSERT_TRUE(fast.loweredIR().find("pmadd.wd") != std::string::npos &&
                fast.loweredIR().find("vpdpbusd") == std::string::npos)
        << "AVX2's dots are not vpmaddwd";
  else
    ASSERT_EQ(fast.loweredIR().find("vpdpbusd") != std::string::npos,
              isa != "generic");
  expectSameOutputs<int32_t>(
      reference, fast, "conv", input, {c.n, c.h, c.w, c.c}, {c.n, ho, wo, c.o},
      "conv " + std::to_string(c.kh) + "x" + std::to_string(c.kw) +
          " C=" + std::to_string(c.c) + " O=" + std::to_string(c.o) +
          " stride " + std::to_string(c.stride) + " pad " +
          std::to_string(c.pad) + " " + options);
}

// Kernel rows of whole depth quads (KW x C a multiple of 4, or C = 3
// padded to 4 channels) and a horizontal dilation of 1 are read in place
// from the padded input by the four-byte dot kernels (VNNI, sdot); the
// others (and AMX, smmla) take im2col.
const ConvCase kConvCases[] = {
    {1, 8, 8, 16, 32, 3, 3, 1, 1, 1, -3},      // 3x3 same padding
    {1, 9, 9, 8, 24, 3, 3, 2, 1, 1, 5},        // stride 2
    {2, 6, 5, 32, 20, 1, 1, 1, 0, 1, 0},       // pointwise, batch 2 (no copy)
    {1, 9, 9, 16, 16, 1, 1, 2, 0, 1, 7},       // pointwise stride 2
    {1, 10, 10, 3, 17, 3, 3, 1, 1, 1, -128},   // RGB: C = 3, padded to 4
    {1, 11, 37, 3, 20, 7, 7, 2, 3, 1, 9},      // a 7x7/2 RGB stem
    {1, 9, 9, 5, 12, 3, 3, 1, 1, 1, 3},        // C = 5: im2col (K = 45)
    {1, 7, 7, 80, 12, 3, 3, 1, 1, 1, 127},     // C > 64: two chunks
    {1, 11, 11, 8, 8, 3, 3, 1, 2, 2, 1},       // dilation 2
    {2, 7, 5, 12, 20, 3, 3, 1, 1, 1, -7},      // batch 2, KW x C = 36
    {1, 10, 9, 8, 16, 3, 2, 1, 1, 3, 4, 0, 1}, // dilation 3 x 1, 3x2 kernel
};

TEST_F(VnniMatMul, Convolutions) {
  for (const ConvCase &c : kConvCases)
    runConv(c, "avx512-vnni");
  // K split into several cache blocks: blocks within a kernel row (3 x 16
  // channels = 12 quads, blocks of 6; 3 x 80 = 60 quads, blocks of 15;
  // 3 x 4 padded channels = 3 quads, blocks of 3), and im2col rows built
  // block by block while the partial sums cross row blocks (C = 5).
  runConv(kConvCases[0], "avx512-vnni", "{k-block=32}");
  runConv(kConvCases[7], "avx512-vnni", "{k-block=64 tile-rows=4}");
  runConv(kConvCases[4], "avx512-vnni", "{k-block=16}");
  runConv(kConvCases[6], "avx512-vnni", "{k-block=16}");
}

// Per-group weights: groups of 16 or 32 input channels within each tap
// (K = 9 x 32 and 9 x 48), with padding and with stride 2.
TEST_F(VnniMatMul, GroupedConvolutions) {
  for (const ConvCase &c : {ConvCase{1, 8, 8, 32, 24, 3, 3, 1, 1, 1, -3, 32},
                            ConvCase{1, 9, 9, 48, 20, 3, 3, 2, 1, 1, 5, 16}}) {
    runConv(c, "avx512-vnni");
    runConv(c, "generic", "{kernel=sdot tile-rows=4 tile-vectors=1}");
  }
}

TEST_F(AmxMatMul, Convolutions) {
  for (const ConvCase &c : kConvCases)
    runConv(c, "avx512-vnni", "{kernel=amx}");
}

TEST(Int8MatMulOtherTargets, GenericConvolutions) {
  for (const ConvCase &c : kConvCases)
    runConv(c, "generic");
}

// AVX2's kernels with full-range weights: exact pair dots (vpmaddwd on
// widened bytes) on 2-row tiles, rows read in place, from im2col and
// across K blocks.
TEST(Int8MatMulOtherTargets, Avx2Convolutions) {
  if (!llvm::sys::getHostCPUFeatures().lookup("avx2"))
    GTEST_SKIP() << "host has no AVX2";
  const std::string options = "{int16-pairs=true tile-rows=4 tile-vectors=1}";
  for (const ConvCase &c : kConvCases)
    runConv(c, "avx2", options);
  runConv(kConvCases[7], "avx2",
          "{int16-pairs=true tile-rows=4 tile-vectors=1 k-block=64}");
}

TEST(Int8MatMulAArch64Kernels, Convolutions) {
  for (const char *kernel :
       {"{kernel=sdot tile-rows=4 tile-vectors=1 depth-unroll=4}",
        "{kernel=smmla tile-rows=4 tile-vectors=1 depth-unroll=4}"})
    for (const ConvCase &c : kConvCases)
      runConv(c, "generic", kernel);
}

} // namespace

namespace {

/// conv2d -> fp32_rne requantize to int8, through the reference lowering
/// and with the requantization fused into the microkernels (one K block,
/// or several with `options`): equal int8 outputs.
void runFusedRequantize(int64_t k, int64_t o, const std::string &options,
                        const std::string &dyadicRounding = "") {
  const int64_t h = 6, w = 5;
  std::mt19937 rng(k * 31 + o);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> weights(o * k), input(h * w * k);
  for (int8_t &v : weights)
    v = int8_t(std::max(byte(rng), -127));
  for (int8_t &v : input)
    v = int8_t(byte(rng));
  std::ostringstream biasText, scales;
  for (int64_t i = 0; i < o; ++i) {
    biasText << (i ? ", " : "") << byte(rng) * 50;
    // Per-channel accumulator scales spanning two decades.
    scales << (i ? ", " : "") << 1e-4 * (1 + i % 7) * (i % 2 ? 10 : 1);
  }
  std::string dims = "1x" + std::to_string(h) + "x" + std::to_string(w) + "x";
  std::string in = "tensor<" + dims + std::to_string(k) + "xi8>";
  std::string inM = "memref<" + dims + std::to_string(k) + "xi8>";
  std::string wt =
      "tensor<" + std::to_string(o) + "x1x1x" + std::to_string(k) + "xi8>";
  std::string acc = "tensor<" + dims + std::to_string(o) + "xi32>";
  std::string accQ = "tensor<" + dims + std::to_string(o) +
                     "x!quant.uniform<i32:f32:3, {" + scales.str() + "}>>";
  std::string outQ = "tensor<" + dims + std::to_string(o) +
                     "x!quant.uniform<i8:f32, 0.05:-7>>";
  std::string out = "tensor<" + dims + std::to_string(o) + "xi8>";
  std::string outM = "memref<" + dims + std::to_string(o) + "xi8>";
  std::ostringstream os;
  os << "func.func @f(%im: " << inM << ", %out: " << outM
     << ") attributes {llvm.emit_c_interface} {\n"
     << "  %x = bufferization.to_tensor %im restrict : " << inM << " to " << in
     << "\n  %w = \"tosa.const\"() {values = dense<" << denseHexLiteral(weights)
     << "> : " << wt << "} : () -> " << wt << "\n"
     << "  %b = \"tosa.const\"() {values = dense<[" << biasText.str()
     << "]> : tensor<" << o << "xi32>} : () -> tensor<" << o << "xi32>\n"
     << "  %zp = \"tosa.const\"() {values = dense<9> : tensor<1xi8>} : () -> "
        "tensor<1xi8>\n"
     << "  %wzp = \"tosa.const\"() {values = dense<0> : tensor<1xi8>} : () -> "
        "tensor<1xi8>\n"
     << "  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = "
        "array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: "
        "1, 1>} : ("
     << in << ", " << wt << ", tensor<" << o
     << "xi32>, tensor<1xi8>, tensor<1xi8>) -> " << acc << "\n"
     << "\n";
  if (dyadicRounding.empty()) {
    os << "  %q = quant.scast %y : " << acc << " to " << accQ << "\n"
       << "  %r = qopt.requantize %q rounding fp32_rne : " << accQ << " -> "
       << outQ << "\n"
       << "  %s = quant.scast %r : " << outQ << " to " << out << "\n";
  } else {
    // Per-channel dyadic multipliers in [2^30, 2^31) and shifts 31..40.
    std::ostringstream multipliers, shifts;
    std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
    for (int64_t i = 0; i < o; ++i) {
      multipliers << (i ? ", " : "") << mult(rng);
      shifts << (i ? ", " : "") << 31 + i % 10;
    }
    os << "  %s = qopt.rescale %y multiplier [" << multipliers.str()
       << "] shift [" << shifts.str() << "] axis 3 rounding " << dyadicRounding
       << " {output_zp = -7 : i64} : " << acc << " -> " << out << "\n";
  }
  os << "  bufferization.materialize_in_destination %s in restrict writable "
        "%out : ("
     << out << ", " << outM << ") -> ()\n  return\n}\n";
  const std::string rest =
      "convert-qopt-to-arith,canonicalize,"
      "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),"
      "canonicalize," +
      std::string(kLowerToLLVM);
  JitKernel reference(os.str(), rest);
  ASSERT_TRUE(reference.ok()) << reference.error();
  JitKernel fused(os.str(), "func.func(convert-int8-matmul-to-kernels" +
                                options + ")," + rest);
  ASSERT_TRUE(fused.ok()) << fused.error();
  expectSameOutputs<int8_t>(
      reference, fused, "f", input, {1, h, w, k}, {1, h, w, o},
      "K=" + std::to_string(k) + " O=" + std::to_string(o) + " " + options +
          " " + dyadicRounding);
}

TEST_F(VnniMatMul, FusedRequantize) {
  runFusedRequantize(64, 48, "");               // one K block
  runFusedRequantize(600, 37, "{k-block=128}"); // five blocks, N padded
  runFusedRequantize(20, 16, "{k-block=8}");    // three blocks, short last
}

// Dyadic rescales (gemmlowp's double rounding, TOSA's single rounding) in
// the stores: equal to convert-qopt-to-arith's lowering of the same op.
TEST_F(VnniMatMul, FusedRescale) {
  for (const char *rounding : {"double_round", "single_round"}) {
    runFusedRequantize(64, 48, "", rounding);
    runFusedRequantize(600, 37, "{k-block=128}", rounding);
  }
}

TEST(Int8MatMulAArch64Kernels, FusedRequantize) {
  for (const char *kernel :
       {"{kernel=sdot tile-rows=4 tile-vectors=1 depth-unroll=4}",
        "{kernel=smmla tile-rows=4 tile-vectors=1 depth-unroll=4}"}) {
    runFusedRequantize(64, 48, kernel);
    runFusedRequantize(600, 37, std::string(kernel).insert(1, "k-block=128 "));
    runFusedRequantize(600, 37, kernel, "double_round");
    runFusedRequantize(20, 16, kernel, "single_round");
  }
}

TEST_F(AmxMatMul, FusedRequantize) {
  runFusedRequantize(64, 48, "{kernel=amx}");  // whole tiles: A in place
  runFusedRequantize(600, 37, "{kernel=amx}"); // depth tail, N padded
  runFusedRequantize(600, 37, "{kernel=amx}", "double_round");
  runFusedRequantize(64, 48, "{kernel=amx}", "single_round");
}

} // namespace

namespace {

struct DepthwiseCase {
  int64_t h, w, c, k, stride, pad, dilation;
  int zeroPoint;
};

/// tosa.depthwise_conv2d (channel multiplier 1) through tosa-to-linalg
/// (reference) and through convert-int8-matmul-to-kernels's vector kernel:
/// equal int32 outputs, or equal int8 outputs of a fused per-channel
/// rescale with `rounding`.
void runDepthwise(const DepthwiseCase &c, const std::string &rounding = "") {
  int64_t ho = (c.h + 2 * c.pad - c.dilation * (c.k - 1) - 1) / c.stride + 1;
  int64_t wo = (c.w + 2 * c.pad - c.dilation * (c.k - 1) - 1) / c.stride + 1;
  std::mt19937 rng(c.c * 5 + c.k * 3 + c.stride);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> weights(c.k * c.k * c.c), input(c.h * c.w * c.c);
  for (int8_t &v : weights)
    v = int8_t(std::max(byte(rng), -127));
  for (int8_t &v : input)
    v = int8_t(byte(rng));
  std::ostringstream bias, multipliers, shifts;
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  for (int64_t i = 0; i < c.c; ++i) {
    bias << (i ? ", " : "") << byte(rng) * 300;
    multipliers << (i ? ", " : "") << mult(rng);
    shifts << (i ? ", " : "") << 31 + i % 9;
  }
  auto dims = [](std::initializer_list<int64_t> d, const char *e) {
    std::string s;
    for (int64_t x : d)
      s += std::to_string(x) + "x";
    return s + e;
  };
  bool fused = !rounding.empty();
  std::string in = "tensor<" + dims({1, c.h, c.w, c.c}, "i8") + ">";
  std::string inM = "memref<" + dims({1, c.h, c.w, c.c}, "i8") + ">";
  std::string wt = "tensor<" + dims({c.k, c.k, c.c, 1}, "i8") + ">";
  std::string acc = "tensor<" + dims({1, ho, wo, c.c}, "i32") + ">";
  const char *element = fused ? "i8" : "i32";
  std::string out = "tensor<" + dims({1, ho, wo, c.c}, element) + ">";
  std::string outM = "memref<" + dims({1, ho, wo, c.c}, element) + ">";
  std::ostringstream os;
  os << "func.func @dw(%im: " << inM << ", %out: " << outM
     << ") attributes {llvm.emit_c_interface} {\n"
     << "  %x = bufferization.to_tensor %im restrict : " << inM << " to " << in
     << "\n  %w = \"tosa.const\"() {values = dense<" << denseHexLiteral(weights)
     << "> : " << wt << "} : () -> " << wt << "\n"
     << "  %b = \"tosa.const\"() {values = dense<[" << bias.str()
     << "]> : tensor<" << c.c << "xi32>} : () -> tensor<" << c.c << "xi32>\n"
     << "  %xzp = \"tosa.const\"() {values = dense<" << c.zeroPoint
     << "> : tensor<1xi8>} : () -> tensor<1xi8>\n"
     << "  %wzp = \"tosa.const\"() {values = dense<0> : tensor<1xi8>} : () -> "
        "tensor<1xi8>\n"
     << "  %y = tosa.depthwise_conv2d %x, %w, %b, %xzp, %wzp {acc_type = i32, "
        "dilation = array<i64: "
     << c.dilation << ", " << c.dilation << ">, pad = array<i64: " << c.pad
     << ", " << c.pad << ", " << c.pad << ", " << c.pad
     << ">, stride = array<i64: " << c.stride << ", " << c.stride << ">} : ("
     << in << ", " << wt << ", tensor<" << c.c
     << "xi32>, tensor<1xi8>, tensor<1xi8>) -> " << acc << "\n";
  if (fused)
    os << "  %z = qopt.rescale %y multiplier [" << multipliers.str()
       << "] shift [" << shifts.str() << "] axis 3 rounding " << rounding
       << " {output_zp = 5 : i64} : " << acc << " -> " << out << "\n";
  else
    os << "  %z = tensor.cast %y : " << acc << " to " << out << "\n";
  os << "  bufferization.materialize_in_destination %z in restrict writable "
        "%out : ("
     << out << ", " << outM << ") -> ()\n  return\n}\n";
  const std::string rest =
      "convert-qopt-to-arith,canonicalize,"
      "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),"
      "canonicalize," +
      std::string(kLowerToLLVM);
  JitKernel reference(os.str(), rest);
  ASSERT_TRUE(reference.ok()) << reference.error();
  JitKernel fast(os.str(), "func.func(convert-int8-matmul-to-kernels)," + rest);
  ASSERT_TRUE(fast.ok()) << fast.error();
  std::string what = "depthwise " + std::to_string(c.k) + "x" +
                     std::to_string(c.k) + " C=" + std::to_string(c.c) +
                     " stride " + std::to_string(c.stride) + " pad " +
                     std::to_string(c.pad) + " " + rounding;
  if (fused)
    expectSameOutputs<int8_t>(reference, fast, "dw", input, {1, c.h, c.w, c.c},
                              {1, ho, wo, c.c}, what);
  else
    expectSameOutputs<int32_t>(reference, fast, "dw", input, {1, c.h, c.w, c.c},
                               {1, ho, wo, c.c}, what);
}

// Vector depthwise kernel: channel counts with and without a 16-lane tail,
// padding, stride 2, dilation 2, 5x5, zero points at the extremes; then
// with a fused per-channel rescale.
TEST(Int8Depthwise, MatchesReference) {
  for (const DepthwiseCase &c : {DepthwiseCase{8, 8, 16, 3, 1, 1, 1, -3},
                                 DepthwiseCase{9, 9, 20, 3, 2, 1, 1, 127},
                                 DepthwiseCase{7, 6, 69, 3, 1, 0, 1, -128},
                                 DepthwiseCase{11, 11, 32, 5, 1, 2, 1, 0},
                                 DepthwiseCase{12, 12, 8, 3, 1, 2, 2, 9},
                                 DepthwiseCase{5, 5, 3, 1, 1, 0, 1, 4}})
    runDepthwise(c);
}

TEST(Int8Depthwise, FusedRescale) {
  for (const char *rounding : {"double_round", "single_round"}) {
    runDepthwise(DepthwiseCase{8, 8, 16, 3, 1, 1, 1, -3}, rounding);
    runDepthwise(DepthwiseCase{9, 9, 20, 3, 2, 1, 1, 127}, rounding);
  }
}

} // namespace
