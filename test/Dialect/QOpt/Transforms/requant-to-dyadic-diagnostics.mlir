// RUN: qopt %s -split-input-file --qopt-requant-to-dyadic -verify-diagnostics | FileCheck %s

// A factor below 2^-32 flushes to zero like TFLite, with a warning naming
// the channel; the other channel is unaffected.
// CHECK-LABEL: func @flush
// CHECK: qopt.rescale %{{.*}} multiplier [1073741824, 0] shift [35, 62] axis 0
func.func @flush(%acc: tensor<2x4x!quant.uniform<i32:f32:0, {1.5625e-3, 1.0e-12}>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.05>> {
  // expected-warning @+1 {{rescale factor 2.000000e-11 (channel 1) is below 2^-32 and flushes to zero, as in TFLite: the output is the zero point}}
  %0 = qopt.requantize %acc rounding half_away_from_zero : tensor<2x4x!quant.uniform<i32:f32:0, {1.5625e-3, 1.0e-12}>> -> tensor<2x4x!quant.uniform<i8:f32, 0.05>>
  return %0 : tensor<2x4x!quant.uniform<i8:f32, 0.05>>
}

// -----

func.func @too_large(%acc: tensor<4x!quant.uniform<i32:f32, 1.0e6>>) -> tensor<4x!quant.uniform<i8:f32, 1.0e-3>> {
  // expected-error @+1 {{rescale factor 1.000000e+09 is 2^29 or more: its dyadic form needs a shift below 2, outside TOSA's range [2, 62]}}
  %0 = qopt.requantize %acc rounding half_away_from_zero : tensor<4x!quant.uniform<i32:f32, 1.0e6>> -> tensor<4x!quant.uniform<i8:f32, 1.0e-3>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 1.0e-3>>
}

// -----

func.func @zero_points_differ(%acc: tensor<2x!quant.uniform<i8:f32:0, {0.5:1, 0.5:2}>>) -> tensor<2x!quant.uniform<i8:f32, 1.0>> {
  // expected-error @+1 {{per-channel zero points differ across channels; a dyadic rescale carries one zero point per side}}
  %0 = qopt.requantize %acc rounding half_away_from_zero : tensor<2x!quant.uniform<i8:f32:0, {0.5:1, 0.5:2}>> -> tensor<2x!quant.uniform<i8:f32, 1.0>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 1.0>>
}

