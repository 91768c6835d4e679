//===- RequantizeFp32ExecutionTest.cpp - compiled fp32_rne requantize -----===//
//
// qopt.requantize with rounding fp32_rne, lowered by convert-qopt-to-arith
// and JIT-compiled, against the constant folder's evaluation
// (QuantMath's requantizeValue) on random int32 accumulators, including
// values beyond 2^24 where float32 conversion itself rounds, per tensor and
// per channel, with saturation at both ends of u8.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QOpt/Utils/QuantMath.h"
#include "qopt/ExecutionEngine/JitKernel.h"

#include "gtest/gtest.h"

#include <random>

using namespace qopt;

namespace {

// The JIT pipelines name upstream and qopt passes.
const bool kPassesRegistered = (qopt::registerJitPasses(), true);

TEST(RequantizeFp32Execution, MatchesFloat32Reference) {
  const int64_t channels = 3, perChannel = 100000;
  const double inScales[] = {1.0e-3, 2.0e-3, 0.025};
  const double outScale = 0.05;
  const int64_t outZp = 128;
  std::string source = R"mlir(
    func.func @kernel(%in: memref<?x3xi32>, %out: memref<?x3xi8>) attributes {llvm.emit_c_interface} {
      %t = bufferization.to_tensor %in restrict : memref<?x3xi32> to tensor<?x3xi32>
      %q = quant.scast %t : tensor<?x3xi32> to tensor<?x3x!quant.uniform<i32:f32:1, {1.0e-3, 2.0e-3, 0.025}>>
      %r = qopt.requantize %q rounding fp32_rne : tensor<?x3x!quant.uniform<i32:f32:1, {1.0e-3, 2.0e-3, 0.025}>> -> tensor<?x3x!quant.uniform<u8:f32, 0.05:128>>
      %s = quant.scast %r : tensor<?x3x!quant.uniform<u8:f32, 0.05:128>> to tensor<?x3xi8>
      bufferization.materialize_in_destination %s in restrict writable %out : (tensor<?x3xi8>, memref<?x3xi8>) -> ()
      return
    })mlir";
  JitKernel kernel(source, std::string("convert-qopt-to-arith,canonicalize,") +
                               kLowerToLLVM);
  ASSERT_TRUE(kernel.ok()) << kernel.error();

  std::mt19937_64 rng(21);
  std::uniform_int_distribution<int32_t> small(-20000, 20000);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  std::vector<int32_t> input(perChannel * channels);
  for (size_t i = 0; i < input.size(); ++i)
    input[i] = i % 4 == 0 ? any(rng) : small(rng);
  // Exact ties for channel 2 (factor 0.5): odd accumulators.
  for (int64_t r = 0; r < 64; ++r)
    input[r * channels + 2] = static_cast<int32_t>(2 * r - 63);
  input[0] = INT32_MIN;
  input[channels] = INT32_MAX;
  std::vector<int8_t> output(input.size());
  auto in = viewAs2D(input.data(), perChannel, channels);
  auto out = viewAs2D(output.data(), perChannel, channels);
  ASSERT_TRUE(kernel.call("kernel", &in, &out)) << kernel.error();

  int64_t mismatches = 0;
  for (size_t i = 0; i < input.size(); ++i) {
    int64_t c = static_cast<int64_t>(i) % channels;
    int64_t expected =
        requantizeValue(input[i], {inScales[c], 0}, {outScale, outZp},
                        StorageRange{0, 255}, RoundingMode::fp32_rne);
    int64_t got = static_cast<uint8_t>(output[i]);
    if (got != expected && ++mismatches <= 5)
      ADD_FAILURE() << "acc " << input[i] << " channel " << c << ": expected "
                    << expected << ", got " << got;
  }
  EXPECT_EQ(mismatches, 0);
}

} // namespace
