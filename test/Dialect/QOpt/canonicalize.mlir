// RUN: qopt %s -split-input-file -canonicalize | FileCheck %s

// Constant folding of qopt.quantize with each rounding mode. Scale 0.5,
// zero point 1: x / 0.5 = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5] are all ties.

// CHECK-LABEL: func @quantize_ties_half_to_even
// CHECK: qopt.constant dense<[1, 3, 3, 1, -1, -1]> : tensor<6xi8>
func.func @quantize_ties_half_to_even() -> tensor<6x!quant.uniform<i8:f32, 0.5:1>> {
  %cst = arith.constant dense<[0.25, 0.75, 1.25, -0.25, -0.75, -1.25]> : tensor<6xf32>
  %0 = qopt.quantize %cst rounding half_to_even : tensor<6xf32> -> tensor<6x!quant.uniform<i8:f32, 0.5:1>>
  return %0 : tensor<6x!quant.uniform<i8:f32, 0.5:1>>
}

// -----

// CHECK-LABEL: func @quantize_ties_half_away_from_zero
// CHECK: qopt.constant dense<[2, 3, 4, 0, -1, -2]> : tensor<6xi8>
func.func @quantize_ties_half_away_from_zero() -> tensor<6x!quant.uniform<i8:f32, 0.5:1>> {
  %cst = arith.constant dense<[0.25, 0.75, 1.25, -0.25, -0.75, -1.25]> : tensor<6xf32>
  %0 = qopt.quantize %cst rounding half_away_from_zero : tensor<6xf32> -> tensor<6x!quant.uniform<i8:f32, 0.5:1>>
  return %0 : tensor<6x!quant.uniform<i8:f32, 0.5:1>>
}

// -----

// CHECK-LABEL: func @quantize_ties_half_up
// CHECK: qopt.constant dense<[2, 3, 4, 1, 0, -1]> : tensor<6xi8>
func.func @quantize_ties_half_up() -> tensor<6x!quant.uniform<i8:f32, 0.5:1>> {
  %cst = arith.constant dense<[0.25, 0.75, 1.25, -0.25, -0.75, -1.25]> : tensor<6xf32>
  %0 = qopt.quantize %cst rounding half_up : tensor<6xf32> -> tensor<6x!quant.uniform<i8:f32, 0.5:1>>
  return %0 : tensor<6x!quant.uniform<i8:f32, 0.5:1>>
}

// -----

// Saturation at both ends, with a non-zero zero point, incl. +/-inf.
// CHECK-LABEL: func @quantize_saturates
// CHECK: qopt.constant dense<[127, -128, 127, -128, 127, -128]> : tensor<6xi8>
func.func @quantize_saturates() -> tensor<6x!quant.uniform<i8:f32, 1.0:-20>> {
  %cst = arith.constant dense<[1.0e10, -1.0e10, 0x7F800000, 0xFF800000, 147.0, -108.5]> : tensor<6xf32>
  %0 = qopt.quantize %cst rounding half_to_even : tensor<6xf32> -> tensor<6x!quant.uniform<i8:f32, 1.0:-20>>
  return %0 : tensor<6x!quant.uniform<i8:f32, 1.0:-20>>
}

// -----

// Unsigned storage: codes 0..255 kept as the 8-bit pattern (255 prints as -1).
// CHECK-LABEL: func @quantize_unsigned
// CHECK: qopt.constant dense<[-1, 0, -128, -127]> : tensor<4xi8> -> tensor<4x!quant.uniform<u8:f32, 1.000000e+00:128>>
func.func @quantize_unsigned() -> tensor<4x!quant.uniform<u8:f32, 1.0:128>> {
  %cst = arith.constant dense<[500.0, -500.0, 0.0, 0.5]> : tensor<4xf32>
  %0 = qopt.quantize %cst rounding half_away_from_zero : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 1.0:128>>
  return %0 : tensor<4x!quant.uniform<u8:f32, 1.0:128>>
}

// -----

// Narrow range saturates at -127, per channel along axis 1.
// CHECK-LABEL: func @quantize_per_channel_narrow
// CHECK: qopt.constant dense<{{\[}}[2, 4], [-127, 0]]> : tensor<2x2xi8>
func.func @quantize_per_channel_narrow() -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25}>> {
  %cst = arith.constant dense<[[1.0, 1.0], [-100.0, -0.125]]> : tensor<2x2xf32>
  %0 = qopt.quantize %cst rounding half_to_even : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25}>>
  return %0 : tensor<2x2x!quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25}>>
}

// -----

// Per group: blocks of 2 along axis 1, scales [[1, 2], [4, 8]].
// CHECK-LABEL: func @quantize_per_group
// CHECK: qopt.constant dense<{{\[}}[3, -3, 2, -2], [1, 2, 7, -8]]> : tensor<2x4xi4>
func.func @quantize_per_group() -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{1.0, 2.0}, {4.0, 8.0}}>> {
  %cst = arith.constant dense<[[3.0, -3.0, 4.0, -4.0], [4.0, 6.0, 1000.0, -1000.0]]> : tensor<2x4xf32>
  %0 = qopt.quantize %cst rounding half_to_even : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{1.0, 2.0}, {4.0, 8.0}}>>
  return %0 : tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{1.0, 2.0}, {4.0, 8.0}}>>
}

// -----

// Ternary and binary weights.
// CHECK-LABEL: func @quantize_ternary_binary
// CHECK-DAG: qopt.constant dense<[-1, -1, 0, 0, 1, 1]> : tensor<6xi2>
// CHECK-DAG: qopt.constant dense<[false, false, false, true, true, true]> : tensor<6xi1>
func.func @quantize_ternary_binary() -> (tensor<6x!quant.uniform<i2<-1:1>:f32, 1.0>>, tensor<6x!qopt.binary<f32, 0.5>>) {
  %cst = arith.constant dense<[-3.0, -0.5, -0.25, 0.0, 0.5, 2.0]> : tensor<6xf32>
  %0 = qopt.quantize %cst rounding half_away_from_zero : tensor<6xf32> -> tensor<6x!quant.uniform<i2<-1:1>:f32, 1.0>>
  %1 = qopt.quantize %cst rounding half_to_even : tensor<6xf32> -> tensor<6x!qopt.binary<f32, 0.5>>
  return %0, %1 : tensor<6x!quant.uniform<i2<-1:1>:f32, 1.0>>, tensor<6x!qopt.binary<f32, 0.5>>
}

// -----

// NaN has no integer image: the quantize stays.
// CHECK-LABEL: func @quantize_nan_not_folded
// CHECK: qopt.quantize
func.func @quantize_nan_not_folded() -> tensor<2x!quant.uniform<i8:f32, 1.0>> {
  %cst = arith.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  %0 = qopt.quantize %cst rounding half_to_even : tensor<2xf32> -> tensor<2x!quant.uniform<i8:f32, 1.0>>
  return %0 : tensor<2x!quant.uniform<i8:f32, 1.0>>
}

// -----

// Splat input over per-channel scales gives a different code per channel.
// CHECK-LABEL: func @quantize_splat_per_channel
// CHECK: qopt.constant dense<{{\[}}[2, 4], [2, 4]]> : tensor<2x2xi8>
func.func @quantize_splat_per_channel() -> tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>> {
  %cst = arith.constant dense<1.0> : tensor<2x2xf32>
  %0 = qopt.quantize %cst rounding half_to_even : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
  return %0 : tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.25}>>
}

// -----

// Requantize of an int32 accumulator at scale 0.25 to scale 1, zp -3:
// 6 * 0.25 = 1.5 and -2 * 0.25 = -0.5 are ties.
// CHECK-LABEL: func @requantize_folds
// CHECK-DAG: qopt.constant dense<[-1, -3, 127, -128]> : tensor<4xi8>
// CHECK-DAG: qopt.constant dense<[-1, -4, 127, -128]> : tensor<4xi8>
func.func @requantize_folds() -> (tensor<4x!quant.uniform<i8:f32, 1.0:-3>>, tensor<4x!quant.uniform<i8:f32, 1.0:-3>>) {
  %acc = qopt.constant dense<[6, -2, 2147483647, -2147483648]> : tensor<4xi32> -> tensor<4x!quant.uniform<i32:f32, 0.25>>
  %0 = qopt.requantize %acc rounding half_to_even : tensor<4x!quant.uniform<i32:f32, 0.25>> -> tensor<4x!quant.uniform<i8:f32, 1.0:-3>>
  %1 = qopt.requantize %acc rounding half_away_from_zero : tensor<4x!quant.uniform<i32:f32, 0.25>> -> tensor<4x!quant.uniform<i8:f32, 1.0:-3>>
  return %0, %1 : tensor<4x!quant.uniform<i8:f32, 1.0:-3>>, tensor<4x!quant.uniform<i8:f32, 1.0:-3>>
}

// -----

// Dequantize of a constant is kept: quantized weights stay integers.
// CHECK-LABEL: func @dequantize_kept
// CHECK: %[[W:.*]] = qopt.constant
// CHECK: qopt.dequantize %[[W]]
func.func @dequantize_kept() -> tensor<2xf32> {
  %w = qopt.constant dense<[1, -1]> : tensor<2xi8> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  %0 = qopt.dequantize %w : tensor<2x!quant.uniform<i8:f32, 0.5>> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Rescale folding with each profile. M = 2^31 - 1, shift 32 (m ~ 0.5): for
// x = 1 the exact product is 0.49999999977. single_round gives 0;
// double_round first rounds at bit 31 (SRDHM gives 1), then 1 / 2 = 0.5
// rounds away from zero to 1: the one-LSB double-rounding difference.
// x = -3: -1.4999999993 -> single -1, double: SRDHM -3 (round half up of
// -2.9999999986), -3 / 2 = -1.5 -> -2.
// CHECK-LABEL: func @rescale_folds
// CHECK-DAG: arith.constant dense<[0, -1, 127, -128]> : tensor<4xi8>
// CHECK-DAG: arith.constant dense<[1, -2, 127, -128]> : tensor<4xi8>
func.func @rescale_folds() -> (tensor<4xi8>, tensor<4xi8>) {
  %x = arith.constant dense<[1, -3, 2147483647, -2147483648]> : tensor<4xi32>
  %0 = qopt.rescale %x multiplier [2147483647] shift [32] rounding single_round : tensor<4xi32> -> tensor<4xi8>
  %1 = qopt.rescale %x multiplier [2147483647] shift [32] rounding double_round : tensor<4xi32> -> tensor<4xi8>
  return %0, %1 : tensor<4xi8>, tensor<4xi8>
}

// -----

// Per channel along axis 0 with zero points and unsigned output: channel 0
// (m = 1/8): (10 - 10, 12 - 10) -> (0, 0.25) -> 0 + 128; channel 1 (m =
// 1/2): (0, 20) -> (0, 10) -> 128, 138. Unsigned 128 and 138 print as the
// i8 bit patterns -128 and -118.
// CHECK-LABEL: func @rescale_folds_per_channel
// CHECK: arith.constant dense<{{\[}}[-128, -128], [-128, -118]]> : tensor<2x2xi8>
func.func @rescale_folds_per_channel() -> tensor<2x2xi8> {
  %x = arith.constant dense<[[10, 12], [10, 30]]> : tensor<2x2xi32>
  %0 = qopt.rescale %x multiplier [1073741824, 1073741824] shift [33, 31] axis 0 rounding single_round {input_zp = 10 : i64, output_unsigned, output_zp = 128 : i64} : tensor<2x2xi32> -> tensor<2x2xi8>
  return %0 : tensor<2x2xi8>
}
