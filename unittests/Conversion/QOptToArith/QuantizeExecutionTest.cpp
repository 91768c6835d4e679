//===- QuantizeExecutionTest.cpp - compiled quantize / dequantize ---------===//
//
// qopt.quantize and qopt.dequantize lowered by convert-qopt-to-arith and
// JIT-compiled, against QuantMath's definitions (the constant folder's), for
// every float-scale rounding mode, per channel, on random values, exact ties
// of both signs, infinities and values far outside the range.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QOpt/Utils/QuantMath.h"
#include "qopt/ExecutionEngine/JitKernel.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace qopt;

namespace {

// The JIT pipelines name upstream and qopt passes.
const bool kPassesRegistered = (qopt::registerJitPasses(), true);

const double kScales[] = {0.5, 0.03125, 1.0 / 3.0};
const int64_t kZeroPoints[] = {3, -7, 0};

std::string kernelSource(const char *rounding) {
  std::string type = "tensor<?x3x!quant.uniform<i8:f32:1, {0.5:3, "
                     "0.03125:-7, 0.33333333333333331:0}>>";
  return std::string(R"mlir(
    func.func @kernel(%in: memref<?x3xf32>, %q: memref<?x3xi8>, %back: memref<?x3xf32>) attributes {llvm.emit_c_interface} {
      %t = bufferization.to_tensor %in restrict : memref<?x3xf32> to tensor<?x3xf32>
      %quant = qopt.quantize %t rounding )mlir") +
         rounding + " : tensor<?x3xf32> -> " + type + R"mlir(
      %stored = quant.scast %quant : )mlir" +
         type + R"mlir( to tensor<?x3xi8>
      %deq = qopt.dequantize %quant : )mlir" +
         type + R"mlir( -> tensor<?x3xf32>
      bufferization.materialize_in_destination %stored in restrict writable %q : (tensor<?x3xi8>, memref<?x3xi8>) -> ()
      bufferization.materialize_in_destination %deq in restrict writable %back : (tensor<?x3xf32>, memref<?x3xf32>) -> ()
      return
    })mlir";
}

void check(const char *name, RoundingMode mode) {
  JitKernel kernel(kernelSource(name),
                   std::string("convert-qopt-to-arith,canonicalize,") +
                       kLowerToLLVM);
  ASSERT_TRUE(kernel.ok()) << kernel.error();
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-80.0f, 80.0f);
  const int64_t rows = 20000;
  std::vector<float> input(rows * 3);
  for (float &v : input)
    v = dist(rng);
  // Exact ties of both signs for the power-of-two scales, extremes.
  for (int64_t r = 0; r < 64; ++r) {
    input[r * 3] = static_cast<float>((r - 32) * 0.5 + 0.25); // x/0.5 = k + .5
    input[r * 3 + 1] = static_cast<float>((r - 32) * 0.03125 + 0.015625);
  }
  input[300] = std::numeric_limits<float>::infinity();
  input[301] = -std::numeric_limits<float>::infinity();
  input[302] = 1e30f;
  input[303] = -1e30f;
  std::vector<int8_t> stored(input.size());
  std::vector<float> back(input.size());
  auto in = viewAs2D(input.data(), rows, 3);
  auto q = viewAs2D(stored.data(), rows, 3);
  auto b = viewAs2D(back.data(), rows, 3);
  ASSERT_TRUE(kernel.call("kernel", &in, &q, &b)) << kernel.error();
  int64_t mismatches = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    size_t c = i % 3;
    QuantParams params{kScales[c], kZeroPoints[c]};
    int64_t expected = quantizeValue(input[i], params, {-128, 127}, mode);
    float expectedBack = static_cast<float>(dequantizeValue(expected, params));
    if ((stored[i] != expected || back[i] != expectedBack) && ++mismatches <= 5)
      ADD_FAILURE() << name << " x=" << input[i] << " channel " << c
                    << ": expected " << expected << " / " << expectedBack
                    << ", got " << int(stored[i]) << " / " << back[i];
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(QuantizeExecution, HalfToEven) {
  check("half_to_even", RoundingMode::half_to_even);
}
TEST(QuantizeExecution, HalfAwayFromZero) {
  check("half_away_from_zero", RoundingMode::half_away_from_zero);
}
TEST(QuantizeExecution, HalfUp) { check("half_up", RoundingMode::half_up); }
TEST(QuantizeExecution, Fp32Rne) { check("fp32_rne", RoundingMode::fp32_rne); }

} // namespace
