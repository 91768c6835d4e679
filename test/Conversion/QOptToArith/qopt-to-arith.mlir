// RUN: qopt %s -split-input-file --convert-qopt-to-arith --canonicalize -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file --convert-qopt-to-arith="force-int64" --canonicalize 2>/dev/null | FileCheck %s --check-prefix=INT64

// double_round, shift >= 31: the int32-only form is valid for any int32
// input: high/low multiply, nudge 2^30 with carry, bits 31..62, then
// rounding divide by 2^(s - 31) = 2^7, saturate, add the zero point.
// CHECK-LABEL: func @double_round_int32
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: i32, %{{.*}}: i8):
// CHECK: %[[LOW:.*]], %[[HIGH:.*]] = arith.mulsi_extended %[[X]], %{{.*}} : i32
// CHECK: %[[SUM:.*]] = arith.addi %[[LOW]], %{{.*}} : i32
// CHECK: arith.cmpi ult, %[[SUM]], %[[LOW]] : i32
// CHECK: arith.shrui %[[SUM]]
// CHECK: arith.shrsi
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK-NOT: i64
// INT64-LABEL: func @double_round_int32
// INT64: arith.extsi %{{.*}} : i32 to i64
// INT64: arith.muli %{{.*}} : i64
// INT64-NOT: mulsi_extended
func.func @double_round_int32(%x: tensor<16xi32>) -> tensor<16xi8> {
  // expected-remark @+1 {{int32-only rescale: input minus its zero point lies in [-2147483648, 2147483647], where every intermediate fits in 32 bits}}
  %0 = qopt.rescale %x multiplier [1518500250] shift [38] rounding double_round {output_zp = -3 : i64} : tensor<16xi32> -> tensor<16xi8>
  return %0 : tensor<16xi8>
}

// -----

// single_round with shift < 32 on arbitrary int32 inputs can produce values
// beyond 32 bits: the int64 reference form is required.
// CHECK-LABEL: func @single_round_needs_int64
// CHECK: arith.muli %{{.*}} : i64
// CHECK-NOT: mulsi_extended
func.func @single_round_needs_int64(%x: tensor<2x?xi32>) -> tensor<2x?xi16> {
  // expected-remark @+1 {{int64 rescale: channel 0: single_round with shift 20 produces values beyond 32 bits for inputs in [-2147483648, 2147483647]}}
  %0 = qopt.rescale %x multiplier [1518500250, 1073741824] shift [20, 40] axis 0 rounding single_round : tensor<2x?xi32> -> tensor<2x?xi16>
  return %0 : tensor<2x?xi16>
}

// -----

// The same rescale on values the range analysis bounds (extended from i8):
// the int32-only form is proven equal.
// CHECK-LABEL: func @single_round_narrow_input
// CHECK: arith.mulsi_extended
// CHECK-NOT: i64
func.func @single_round_narrow_input(%x8: tensor<16xi8>) -> tensor<16xi8> {
  %x = arith.extsi %x8 : tensor<16xi8> to tensor<16xi32>
  // expected-remark @+1 {{int32-only rescale: input minus its zero point lies in [-128, 127]}}
  %0 = qopt.rescale %x multiplier [1518500250] shift [20] rounding single_round : tensor<16xi32> -> tensor<16xi8>
  return %0 : tensor<16xi8>
}

// -----

// double_round with a left shift (shift 20 < 31) on full-range int32 inputs.
// CHECK-LABEL: func @double_round_left_shift
// CHECK: arith.muli %{{.*}} : i64
func.func @double_round_left_shift(%x: tensor<16xi32>) -> tensor<16xi8> {
  // expected-remark @+1 {{int64 rescale: double_round with shift 20 left-shifts inputs in [-2147483648, 2147483647] beyond 32 bits}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [20] rounding double_round : tensor<16xi32> -> tensor<16xi8>
  return %0 : tensor<16xi8>
}

// -----

// Per channel: multipliers and shifts are constant tensors indexed along the
// axis; unsigned input with a zero point.
// CHECK-LABEL: func @per_channel_unsigned
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[1073741824, 2147483647, 1518500250]> : tensor<3xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[32, 40, 47]> : tensor<3xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[CHANNEL:.*]], #[[CHANNEL]], #{{.*}}]
// CHECK-SAME: ins(%{{.*}}, %[[M]], %[[S]] : tensor<4x3xi8>, tensor<3xi32>, tensor<3xi32>)
// CHECK: arith.extui %{{.*}} : i8 to i32
func.func @per_channel_unsigned(%x: tensor<4x3xi8>) -> tensor<4x3xi8> {
  // expected-remark @+1 {{int32-only rescale: input minus its zero point lies in [-128, 127]}}
  %0 = qopt.rescale %x multiplier [1073741824, 2147483647, 1518500250] shift [32, 40, 47] axis 1 rounding single_round {input_unsigned, input_zp = 128 : i64} : tensor<4x3xi8> -> tensor<4x3xi8>
  return %0 : tensor<4x3xi8>
}

// -----

// A non-zero zero point on an int32 output would push the saturation bounds
// out of 32 bits.
// CHECK-LABEL: func @wide_output_zero_point
// CHECK: i64
func.func @wide_output_zero_point(%x: tensor<16xi32>) -> tensor<16xi32> {
  // expected-remark @+1 {{int64 rescale: saturation bounds minus the output zero point leave 32 bits}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [40] rounding double_round {output_zp = -5 : i64} : tensor<16xi32> -> tensor<16xi32>
  return %0 : tensor<16xi32>
}

// -----

// double_round per channel (shifts >= 31): int32-only with per-channel
// multiplier and shift tensors.
// CHECK-LABEL: func @double_round_per_channel
// CHECK-DAG: arith.constant dense<[1073741824, 2147483647]> : tensor<2xi32>
// CHECK-DAG: arith.constant dense<[31, 62]> : tensor<2xi32>
// CHECK: arith.mulsi_extended
// CHECK-NOT: i64
func.func @double_round_per_channel(%x: tensor<2x8xi32>) -> tensor<2x8xi8> {
  // expected-remark @+1 {{int32-only rescale}}
  %0 = qopt.rescale %x multiplier [1073741824, 2147483647] shift [31, 62] axis 0 rounding double_round : tensor<2x8xi32> -> tensor<2x8xi8>
  return %0 : tensor<2x8xi8>
}

// -----

// fp32_rne requantize: float32 arithmetic and round-half-to-even, as
// XNNPACK and PyTorch's quantized kernels; per-channel factors are the
// float32 quotients float(s_in[c]) / float(s_out). The integer parts are
// int32: an int32 input with zero point 0 and an 8-bit output cannot
// overflow it.
// CHECK-LABEL: func @fp32_rne_requantize
// CHECK-DAG: quant.scast %{{.*}} to tensor<2x3xi32>
// CHECK-DAG: arith.constant dense<[0.0200000014, 0.0400000028, 5.000000e-01]> : tensor<3xf32>
// CHECK: linalg.generic
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.mulf
// CHECK: math.roundeven
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi
// CHECK: quant.scast %{{.*}} : tensor<2x3xi8> to tensor<2x3x!quant.uniform<u8:f32, 5.000000e-02:128>>
// INT64-LABEL: func @fp32_rne_requantize
func.func @fp32_rne_requantize(%acc: tensor<2x3x!quant.uniform<i32:f32:1, {1.0e-3, 2.0e-3, 0.025}>>) -> tensor<2x3x!quant.uniform<u8:f32, 0.05:128>> {
  %0 = qopt.requantize %acc rounding fp32_rne : tensor<2x3x!quant.uniform<i32:f32:1, {1.0e-3, 2.0e-3, 0.025}>> -> tensor<2x3x!quant.uniform<u8:f32, 0.05:128>>
  return %0 : tensor<2x3x!quant.uniform<u8:f32, 0.05:128>>
}

// -----

// A 32-bit output (an add's int32 accumulator) from int8: |q - zp| <= 131
// times the factor 1e6 stays far below 2^31, so the clamp never acts and
// int32 arithmetic is exact.
// CHECK-LABEL: func @fp32_rne_requantize_to_int32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.fptosi %{{.*}} : f32 to i32
func.func @fp32_rne_requantize_to_int32(%x: tensor<4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<4x!quant.uniform<i32:f32, 1.0e-7>> {
  %0 = qopt.requantize %x rounding fp32_rne : tensor<4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<4x!quant.uniform<i32:f32, 1.0e-7>>
  return %0 : tensor<4x!quant.uniform<i32:f32, 1.0e-7>>
}

// -----

// With a factor of 1e8, 131 * 1e8 can saturate int32: int64 arithmetic, the
// clamp at 2^31 - 1 (2^31 in float32) converted through int64.
// CHECK-LABEL: func @fp32_rne_requantize_to_int32_saturating
// CHECK: arith.extsi %{{.*}} : i8 to i64
// CHECK: arith.fptosi %{{.*}} : f32 to i64
func.func @fp32_rne_requantize_to_int32_saturating(%x: tensor<4x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<4x!quant.uniform<i32:f32, 1.0e-9>> {
  %0 = qopt.requantize %x rounding fp32_rne : tensor<4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<4x!quant.uniform<i32:f32, 1.0e-9>>
  return %0 : tensor<4x!quant.uniform<i32:f32, 1.0e-9>>
}
