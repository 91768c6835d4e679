// RUN: qopt %s -split-input-file --qopt-requant-to-dyadic | FileCheck %s
// RUN: qopt %s -split-input-file --qopt-requant-to-dyadic="rounding=single_round" | FileCheck %s --check-prefix=SINGLE

// Per tensor: m = 3.1e-4 / 0.1 = 0.0031 = 0.7936 * 2^-8, so M =
// round_half_away(0.7936 * 2^31) = 1704243023, shift = 31 + 8 = 39.
// CHECK-LABEL: func @per_tensor
// CHECK: %[[I:.*]] = quant.scast %{{.*}} : tensor<4x!quant.uniform<i32:f32, 3.100000e-04>> to tensor<4xi32>
// CHECK: %[[R:.*]] = qopt.rescale %[[I]] multiplier [1704243023] shift [39] rounding double_round {output_zp = -3 : i64} : tensor<4xi32> -> tensor<4xi8>
// CHECK: quant.scast %[[R]] : tensor<4xi8> to tensor<4x!quant.uniform<i8:f32, 1.000000e-01:-3>>
// SINGLE-LABEL: func @per_tensor
// SINGLE: qopt.rescale %{{.*}} multiplier [1704243023] shift [39] rounding single_round
func.func @per_tensor(%acc: tensor<4x!quant.uniform<i32:f32, 0.00031>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>> {
  %0 = qopt.requantize %acc rounding half_away_from_zero : tensor<4x!quant.uniform<i32:f32, 0.00031>> -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
}

// -----

// Per channel (int32 accumulator at s_in * s_w[c]) to a per-tensor u8 output.
// CHECK-LABEL: func @per_channel
// CHECK: qopt.rescale %{{.*}} multiplier [1374389535, 1374389535, 1073741824] shift [36, 35, 31] axis 1 rounding double_round {output_unsigned, output_zp = 128 : i64} : tensor<2x3xi32> -> tensor<2x3xi8>
func.func @per_channel(%acc: tensor<2x3x!quant.uniform<i32:f32:1, {1.0e-3, 2.0e-3, 0.025}>>) -> tensor<2x3x!quant.uniform<u8:f32, 0.05:128>> {
  %0 = qopt.requantize %acc rounding half_to_even : tensor<2x3x!quant.uniform<i32:f32:1, {1.0e-3, 2.0e-3, 0.025}>> -> tensor<2x3x!quant.uniform<u8:f32, 0.05:128>>
  return %0 : tensor<2x3x!quant.uniform<u8:f32, 0.05:128>>
}

// -----

// A factor >= 1 gives a shift below 31 (a left shift in gemmlowp's terms):
// m = 6 = 0.75 * 2^3, shift 28. The M == 2^31 carry: m = 1 - 2^-33 rounds
// to M = 2^30 with shift 30.
// CHECK-LABEL: func @left_shift_and_carry
// CHECK: qopt.rescale %{{.*}} multiplier [1610612736] shift [28]
// CHECK: qopt.rescale %{{.*}} multiplier [1073741824] shift [30]
func.func @left_shift_and_carry(%a: tensor<4x!quant.uniform<i16:f32, 0.6>>, %b: tensor<4x!quant.uniform<i32:f32, 0.99999999988358467817>>) -> (tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 1.0>>) {
  %0 = qopt.requantize %a rounding half_away_from_zero : tensor<4x!quant.uniform<i16:f32, 0.6>> -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  %1 = qopt.requantize %b rounding half_away_from_zero : tensor<4x!quant.uniform<i32:f32, 0.99999999988358467817>> -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  return %0, %1 : tensor<4x!quant.uniform<i8:f32, 0.1>>, tensor<4x!quant.uniform<i8:f32, 1.0>>
}

// -----

// fp32_rne requantizes stay float-scale (XNNPACK / PyTorch semantics).
// CHECK-LABEL: func @fp32_rne_kept
// CHECK: qopt.requantize %{{.*}} rounding fp32_rne
// CHECK-NOT: qopt.rescale
func.func @fp32_rne_kept(%acc: tensor<4x!quant.uniform<i32:f32, 0.00031>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>> {
  %0 = qopt.requantize %acc rounding fp32_rne : tensor<4x!quant.uniform<i32:f32, 0.00031>> -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
}
