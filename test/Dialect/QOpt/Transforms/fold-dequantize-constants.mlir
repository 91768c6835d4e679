// RUN: qopt %s -split-input-file --qopt-fold-dequantize-constants | FileCheck %s

// dequantize(constant) becomes a float constant: scale * (q - zp).
// CHECK-LABEL: func @per_tensor
// CHECK: %[[C:.*]] = arith.constant dense<[-6.450000e+01, 0.000000e+00, 6.300000e+01]> : tensor<3xf32>
// CHECK-NOT: qopt.
// CHECK: return %[[C]]
func.func @per_tensor() -> tensor<3xf32> {
  %w = qopt.constant dense<[-128, 1, 127]> : tensor<3xi8> -> tensor<3x!quant.uniform<i8:f32, 0.5:1>>
  %0 = qopt.dequantize %w : tensor<3x!quant.uniform<i8:f32, 0.5:1>> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Unsigned storage is read as unsigned; per channel along axis 0.
// CHECK-LABEL: func @per_channel_unsigned
// CHECK: arith.constant dense<{{\[}}[6.350000e+01, -6.400000e+01], [2.540000e+02, -2.560000e+02]]> : tensor<2x2xf32>
func.func @per_channel_unsigned() -> tensor<2x2xf32> {
  %w = qopt.constant dense<[[255, 0], [255, 0]]> : tensor<2x2xi8> -> tensor<2x2x!quant.uniform<u8:f32:0, {0.5:128, 2.0:128}>>
  %0 = qopt.dequantize %w : tensor<2x2x!quant.uniform<u8:f32:0, {0.5:128, 2.0:128}>> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Binary codes map to -scale / +scale.
// CHECK-LABEL: func @binary
// CHECK: arith.constant dense<[-2.500000e-01, 2.500000e-01]> : tensor<2xf32>
func.func @binary() -> tensor<2xf32> {
  %w = qopt.constant dense<[false, true]> : tensor<2xi1> -> tensor<2x!qopt.binary<f32, 0.25>>
  %0 = qopt.dequantize %w : tensor<2x!qopt.binary<f32, 0.25>> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A dequantize of a non-constant is left alone.
// CHECK-LABEL: func @not_constant
// CHECK: qopt.dequantize
func.func @not_constant(%q: tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2xf32> {
  %0 = qopt.dequantize %q : tensor<2x!quant.uniform<i8:f32, 0.5>> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
