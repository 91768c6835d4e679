//===- RescaleExecutionTest.cpp - compiled qopt.rescale vs gemmlowp -------===//
//
// qopt.rescale is lowered by qopt (convert-qopt-to-arith, both the
// int32-only and the int64 form), JIT-compiled, and run on >= 10 million
// random inputs plus edge cases. The double_round results are compared with
// gemmlowp's SaturatingRoundingDoublingHighMul + RoundingDivideByPOT from
// Debian's libgemmlowp-dev (TFLite's MultiplyByQuantizedMultiplier), then
// the output zero point and saturation; single_round compares the two forms
// with each other (upstream tosa.rescale is its oracle, in the lit suite).
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"
#include "qopt/ExecutionEngine/JitKernel.h"

#include "gemmlowp/fixedpoint/fixedpoint.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <limits>
#include <random>
#include <sstream>

using namespace qopt;

namespace {

// The JIT pipelines name upstream and qopt passes.
const bool kPassesRegistered = (qopt::registerJitPasses(), true);

struct ChannelScale {
  int32_t multiplier;
  int32_t shift;
};

struct KernelSpec {
  std::vector<ChannelScale> channels;
  const char *rounding = "double_round";
  int inWidth = 32;
  int64_t inputZp = 0;
  int outWidth = 8;
  bool outUnsigned = false;
  int64_t outputZp = 0;
};

/// A per-channel rescale kernel over memref<C x ? x i<in>> -> i<out>.
std::string kernelSource(const KernelSpec &spec) {
  std::ostringstream os;
  size_t c = spec.channels.size();
  std::string in = "tensor<" + std::to_string(c) + "x?xi" +
                   std::to_string(spec.inWidth) + ">";
  std::string out = "tensor<" + std::to_string(c) + "x?xi" +
                    std::to_string(spec.outWidth) + ">";
  std::string inMem = "memref" + in.substr(6),
              outMem = "memref" + out.substr(6);
  os << "func.func @kernel(%in: " << inMem << ", %out: " << outMem
     << ") attributes {llvm.emit_c_interface} {\n"
     << "  %t = bufferization.to_tensor %in restrict : " << inMem << " to "
     << in << "\n"
     << "  %r = qopt.rescale %t multiplier [";
  for (size_t i = 0; i < c; ++i)
    os << (i ? ", " : "") << spec.channels[i].multiplier;
  os << "] shift [";
  for (size_t i = 0; i < c; ++i)
    os << (i ? ", " : "") << spec.channels[i].shift;
  os << "]" << (c > 1 ? " axis 0" : "") << " rounding " << spec.rounding
     << " {input_zp = " << spec.inputZp
     << " : i64, output_zp = " << spec.outputZp << " : i64"
     << (spec.outUnsigned ? ", output_unsigned" : "") << "} : " << in << " -> "
     << out << "\n"
     << "  bufferization.materialize_in_destination %r in restrict writable "
        "%out : ("
     << out << ", " << outMem << ") -> ()\n"
     << "  return\n}\n";
  return os.str();
}

std::string pipeline(bool forceInt64) {
  return std::string("convert-qopt-to-arith") +
         (forceInt64 ? "{force-int64}" : "") + ",canonicalize," + kLowerToLLVM;
}

/// TFLite's MultiplyByQuantizedMultiplier from gemmlowp primitives, with
/// qopt's (M, s) mapped back to TFLite's exponent e = 31 - s.
int64_t gemmlowpRescale(int32_t x, ChannelScale scale) {
  int exponent = 31 - scale.shift;
  int left = exponent > 0 ? exponent : 0;
  int right = exponent > 0 ? 0 : -exponent;
  int32_t shifted =
      static_cast<int32_t>(static_cast<int64_t>(x) * (int64_t(1) << left));
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(shifted, scale.multiplier),
      right);
}

int64_t saturate(int64_t v, int width, bool isUnsigned) {
  int64_t lo = isUnsigned ? 0 : -(int64_t(1) << (width - 1));
  int64_t hi =
      isUnsigned ? (int64_t(1) << width) - 1 : (int64_t(1) << (width - 1)) - 1;
  return std::clamp(v, lo, hi);
}

/// Largest |x| a channel accepts so that gemmlowp's left shift x * 2^e stays
/// in int32 (its precondition, and TOSA's).
int64_t inputLimit(ChannelScale scale) {
  return scale.shift >= 31 ? int64_t(INT32_MAX)
                           : (int64_t(1) << scale.shift) - 1;
}

/// Inputs for one channel: edges (INT32 limits, 0, +-1), exact ties of both
/// signs for every right shift, then uniform random values in the channel's
/// valid range.
std::vector<int32_t> channelInputs(ChannelScale scale, int64_t count,
                                   std::mt19937_64 &rng, int64_t inLo,
                                   int64_t inHi) {
  std::vector<int32_t> values;
  int64_t limit = inputLimit(scale);
  int64_t lo = std::max(inLo, -limit - (scale.shift >= 31 ? 1 : 1));
  int64_t hi = std::min(inHi, limit);
  auto push = [&](int64_t v) {
    if (v >= lo && v <= hi && static_cast<int64_t>(values.size()) < count)
      values.push_back(static_cast<int32_t>(v));
  };
  for (int64_t v :
       {lo, hi, int64_t(0), int64_t(1), int64_t(-1), lo + 1, hi - 1})
    push(v);
  // With M = 2^30, SRDHM(2t, M) = t exactly: x = 2t puts RDBPOT on a tie
  // t = q*2^k + 2^(k-1) of either sign.
  if (scale.multiplier == (int32_t(1) << 30) && scale.shift > 31) {
    int k = scale.shift - 31;
    for (int64_t q : {0, 1, 2, 3, 7, 100}) {
      int64_t t = q * (int64_t(1) << k) + (int64_t(1) << (k - 1));
      push(2 * t);
      push(-2 * t);
    }
  }
  std::uniform_int_distribution<int64_t> dist(lo, hi);
  while (static_cast<int64_t>(values.size()) < count)
    values.push_back(static_cast<int32_t>(dist(rng)));
  return values;
}

struct RunResult {
  std::vector<int64_t> outputs;
  std::string error;
  std::string remarks;
};

/// Compiles `spec` with qopt and runs it on `inputs` (channels x perChannel).
RunResult run(const KernelSpec &spec, bool forceInt64,
              const std::vector<int32_t> &inputs, int64_t perChannel) {
  RunResult result;
  JitKernel kernel(kernelSource(spec), pipeline(forceInt64));
  result.remarks = kernel.remarks();
  if (!kernel.ok()) {
    result.error = kernel.error();
    return result;
  }
  int64_t channels = static_cast<int64_t>(spec.channels.size());
  auto runTyped = [&](auto inTag, auto outTag) {
    using In = decltype(inTag);
    using Out = decltype(outTag);
    std::vector<In> in(inputs.begin(), inputs.end());
    std::vector<Out> out(inputs.size());
    auto inDesc = viewAs2D(in.data(), channels, perChannel);
    auto outDesc = viewAs2D(out.data(), channels, perChannel);
    if (!kernel.call("kernel", &inDesc, &outDesc)) {
      result.error = kernel.error();
      return;
    }
    for (Out v : out)
      result.outputs.push_back(
          spec.outUnsigned
              ? static_cast<int64_t>(static_cast<std::make_unsigned_t<Out>>(v))
              : static_cast<int64_t>(v));
  };
  auto withOut = [&](auto inTag) {
    switch (spec.outWidth) {
    case 8:
      return runTyped(inTag, int8_t{});
    case 16:
      return runTyped(inTag, int16_t{});
    default:
      return runTyped(inTag, int32_t{});
    }
  };
  switch (spec.inWidth) {
  case 8:
    withOut(int8_t{});
    break;
  case 16:
    withOut(int16_t{});
    break;
  default:
    withOut(int32_t{});
    break;
  }
  return result;
}

enum class Form { int32Only, int64 };

/// Builds inputs, runs the automatically chosen form (which must be
/// `expectedForm`) and the forced int64 form, and compares both against
/// gemmlowp (double_round) or each other (single_round). Returns the number
/// of values checked.
int64_t checkKernel(const KernelSpec &spec, int64_t perChannel, uint64_t seed,
                    Form expectedForm) {
  std::mt19937_64 rng(seed);
  int64_t inLo = -(int64_t(1) << (spec.inWidth - 1));
  int64_t inHi = (int64_t(1) << (spec.inWidth - 1)) - 1;
  std::vector<int32_t> inputs;
  for (const ChannelScale &scale : spec.channels) {
    ChannelScale effective = scale;
    // Inputs are offset by the zero point before scaling.
    std::vector<int32_t> values = channelInputs(
        effective, perChannel, rng, inLo - spec.inputZp, inHi - spec.inputZp);
    for (int32_t v : values)
      inputs.push_back(static_cast<int32_t>(v + spec.inputZp));
  }
  RunResult auto32 = run(spec, /*forceInt64=*/false, inputs, perChannel);
  RunResult ref64 = run(spec, /*forceInt64=*/true, inputs, perChannel);
  EXPECT_TRUE(auto32.error.empty()) << auto32.error;
  EXPECT_TRUE(ref64.error.empty()) << ref64.error;
  if (!auto32.error.empty() || !ref64.error.empty())
    return 0;
  const char *expectedRemark =
      expectedForm == Form::int32Only ? "int32-only rescale" : "int64 rescale";
  EXPECT_NE(auto32.remarks.find(expectedRemark), std::string::npos)
      << auto32.remarks;
  bool doubleRound = std::string(spec.rounding) == "double_round";
  int64_t mismatches = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ChannelScale &scale = spec.channels[i / perChannel];
    int64_t x = static_cast<int64_t>(inputs[i]) - spec.inputZp;
    int64_t expected = ref64.outputs[i];
    if (doubleRound)
      expected = saturate(gemmlowpRescale(static_cast<int32_t>(x), scale) +
                              spec.outputZp,
                          spec.outWidth, spec.outUnsigned);
    if ((auto32.outputs[i] != expected || ref64.outputs[i] != expected) &&
        ++mismatches <= 5)
      ADD_FAILURE() << spec.rounding << " M=" << scale.multiplier
                    << " s=" << scale.shift << " x=" << x << ": expected "
                    << expected << ", auto form " << auto32.outputs[i]
                    << ", int64 form " << ref64.outputs[i];
  }
  EXPECT_EQ(mismatches, 0);
  return static_cast<int64_t>(inputs.size());
}

std::vector<ChannelScale> randomScales(std::mt19937_64 &rng, int count,
                                       int minShift) {
  std::uniform_int_distribution<int32_t> m(int32_t(1) << 30, INT32_MAX);
  std::uniform_int_distribution<int32_t> s(minShift, kMaxRescaleShift);
  std::vector<ChannelScale> scales;
  for (int i = 0; i < count; ++i)
    scales.push_back({m(rng), s(rng)});
  return scales;
}

// Every right shift 0..31 (qopt shift 31..62) with M = 2^30 (exact ties) and
// M = 2^31 - 1; i8 output with a non-zero zero point (saturates both ends).
TEST(RescaleExecution, DoubleRoundEveryShiftEdgeMultipliers) {
  KernelSpec spec;
  for (int k = 0; k < 32; ++k)
    spec.channels.push_back({int32_t(1) << 30, 31 + k});
  for (int k = 0; k < 32; ++k)
    spec.channels.push_back({INT32_MAX, 31 + k});
  spec.outputZp = -3;
  EXPECT_EQ(checkKernel(spec, 32768, 1, Form::int32Only), 64 * 32768);
}

// Random multipliers and right shifts on full-range int32 inputs: the
// int32-only form applies; u8 output. Together with the other tests: more
// than 10 million values.
TEST(RescaleExecution, DoubleRoundRandomScalesU8) {
  std::mt19937_64 rng(2);
  KernelSpec spec;
  spec.channels = randomScales(rng, 64, 31);
  spec.outUnsigned = true;
  spec.outputZp = 128;
  EXPECT_EQ(checkKernel(spec, 65536, 3, Form::int32Only), 64 * 65536);
}

// Random scales including left shifts (shift < 31) on int32 inputs: the
// left shift could overflow 32 bits for some inputs, so the pass must pick
// the int64 form; inputs stay inside gemmlowp's precondition. i16 output.
TEST(RescaleExecution, DoubleRoundRandomScalesWithLeftShiftsI16) {
  std::mt19937_64 rng(4);
  KernelSpec spec;
  spec.channels = randomScales(rng, 64, 2);
  spec.outWidth = 16;
  spec.outputZp = 5;
  EXPECT_EQ(checkKernel(spec, 65536, 5, Form::int64), 64 * 65536);
}

// Left shifts on i16 inputs: provably inside 32 bits, so int32-only.
TEST(RescaleExecution, DoubleRoundLeftShiftsOnI16Inputs) {
  std::mt19937_64 rng(12);
  KernelSpec spec;
  std::uniform_int_distribution<int32_t> m(int32_t(1) << 30, INT32_MAX);
  for (int32_t s = 16; s <= 30; ++s)
    spec.channels.push_back({m(rng), s});
  spec.inWidth = 16;
  spec.outWidth = 16;
  spec.outputZp = -100;
  EXPECT_EQ(checkKernel(spec, 16384, 13, Form::int32Only), 15 * 16384);
}

// i8 input with an input zero point; per tensor.
TEST(RescaleExecution, DoubleRoundI8InputWithZeroPoint) {
  KernelSpec spec;
  spec.channels = {{1518500250, 33}};
  spec.inWidth = 8;
  spec.inputZp = -7;
  spec.outputZp = 10;
  EXPECT_EQ(checkKernel(spec, 4096, 6, Form::int32Only), 4096);
}

// single_round: the int32-only form (where proven) against the int64 form.
TEST(RescaleExecution, SingleRoundInt32MatchesInt64) {
  std::mt19937_64 rng(7);
  KernelSpec spec;
  spec.rounding = "single_round";
  spec.channels = randomScales(rng, 32, 32);
  spec.outputZp = -1;
  EXPECT_EQ(checkKernel(spec, 65536, 8, Form::int32Only), 32 * 65536);
}

// i16 inputs make small shifts provably safe for the int32-only form.
TEST(RescaleExecution, SingleRoundSmallShiftsI16) {
  std::mt19937_64 rng(9);
  KernelSpec spec;
  spec.rounding = "single_round";
  spec.inWidth = 16;
  spec.channels = randomScales(rng, 16, 17);
  spec.outWidth = 16;
  EXPECT_EQ(checkKernel(spec, 65536, 10, Form::int32Only), 16 * 65536);
}

} // namespace
