// Shift-only requantization: every multiplier is 2^30 and a remark reports
// the scale error it costs. Channel 0: m = 1.5625e-3 / 0.05 = 2^-5 exactly
// (shift 35, no error). Channel 1: m = 2.5e-3 / 0.05 = 0.05, log2 = -4.32,
// nearest power 2^-4 (shift 34), error |0.0625 - 0.05| / 0.05 = 25%.
// RUN: qopt %s --qopt-requant-to-dyadic="power-of-two" -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @power_of_two
// CHECK: qopt.rescale %{{.*}} multiplier [1073741824, 1073741824] shift [35, 34] axis 0
func.func @power_of_two(%acc: tensor<2x4x!quant.uniform<i32:f32:0, {1.5625e-3, 2.5e-3}>>) -> tensor<2x4x!quant.uniform<i8:f32, 0.05>> {
  // expected-remark @+1 {{power-of-two rescale: largest relative scale error 25.00% (channel 1)}}
  %0 = qopt.requantize %acc rounding half_away_from_zero : tensor<2x4x!quant.uniform<i32:f32:0, {1.5625e-3, 2.5e-3}>> -> tensor<2x4x!quant.uniform<i8:f32, 0.05>>
  return %0 : tensor<2x4x!quant.uniform<i8:f32, 0.05>>
}
