// RUN: qopt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Scales (rejected by upstream !quant.uniform, checked here so a regression
// in either is caught).
//===----------------------------------------------------------------------===//

// expected-error @+1 {{scale -5.000000e-01 out of expressed type range}}
func.func @negative_scale(%x: tensor<4x!quant.uniform<i8:f32, -0.5>>) { return }

// -----

// expected-error @+1 {{scale 0.000000e+00 out of expressed type range}}
func.func @zero_scale(%x: tensor<4x!quant.uniform<i8:f32, 0.0>>) { return }

// -----

// expected-error @+1 {{scale INF out of expressed type range}}
func.func @infinite_scale(%x: tensor<4x!quant.uniform<i8:f32, 0x7FF0000000000000>>) { return }

// -----

// Upstream's type verifier lets a NaN scale through (and such a type is not
// even equal to itself); qopt's ops reject it.
func.func @nan_scale(%x: tensor<4xf32>) {
  // expected-error @+1 {{scale nan must be positive and finite}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0x7FF8000000000000>>
  return
}

// -----

func.func @per_axis_nan_scale(%x: tensor<2xf32>) {
  // expected-error @+1 {{scale nan must be positive and finite}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2xf32> -> tensor<2x!quant.uniform<i8:f32:0, {1.0, 0x7FF8000000000000}>>
  return
}

// -----

// expected-error @+1 {{scale must be positive and finite, got -2.5}}
func.func @binary_negative_scale(%x: tensor<4x!qopt.binary<f32, -2.5>>) { return }

// -----

//===----------------------------------------------------------------------===//
// Zero points, axes, channel counts, blocks (checked by qopt ops).
//===----------------------------------------------------------------------===//

func.func @zero_point_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{zero point 200 is outside the storage range [-128, 127]}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5:200>>
  return
}

// -----

func.func @zero_point_out_of_narrow_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{zero point -128 is outside the storage range [-127, 127]}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:-128>>
  return
}

// -----

func.func @per_axis_zero_point_out_of_range(%x: tensor<2xf32>) {
  // expected-error @+1 {{zero point 16 is outside the storage range [0, 15]}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2xf32> -> tensor<2x!quant.uniform<u4:f32:0, {0.5:3, 0.5:16}>>
  return
}

// -----

func.func @axis_out_of_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{quantized axis 2 is out of range for a tensor of rank 2}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:2, {0.5, 0.5}>>
  return
}

// -----

func.func @scale_count_mismatch(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected 3 scales (size of quantized axis 1), got 2}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2x3xf32> -> tensor<2x3x!quant.uniform<i8:f32:1, {0.5, 0.5}>>
  return
}

// -----

func.func @binary_scale_count_mismatch(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expected 2 scales (size of quantized axis 0), got 3}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2x3xf32> -> tensor<2x3x!qopt.binary<f32:0, {0.5, 0.5, 0.5}>>
  return
}

// -----

func.func @block_does_not_divide(%x: tensor<2x5xf32>) {
  // expected-error @+1 {{block size 2 does not divide dimension 1 of size 5}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2x5xf32> -> tensor<2x5x!quant.uniform<i4:f32:{1:2}, {{0.5, 0.5}}>>
  return
}

// -----

func.func @block_scale_count_mismatch(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expected 2 scales along dimension 1, got 3}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32:{1:2}, {{0.5, 0.5, 0.5}}>>
  return
}

// -----

func.func @block_dimension_out_of_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{quantized dimension 1 is out of range for a tensor of rank 1}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i4:f32:{1:2}, {0.5, 0.5}>>
  return
}

// -----

func.func @expressed_type_mismatch(%x: tensor<4xf16>) {
  // expected-error @+1 {{float type 'f16' does not match the expressed type 'f32'}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf16> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @dequantize_expressed_mismatch(%q: tensor<4x!quant.uniform<i8:f32, 0.5>>) {
  // expected-error @+1 {{float type 'f16' does not match the expressed type 'f32'}}
  %0 = qopt.dequantize %q : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xf16>
  return
}

// -----

func.func @quantize_shape_mismatch(%x: tensor<4xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf32> -> tensor<5x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Rounding: each op accepts only the modes it defines.
//===----------------------------------------------------------------------===//

func.func @quantize_with_dyadic_rounding(%x: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'rounding' failed to satisfy constraint: a float-scale rounding (half_away_from_zero, half_to_even, half_up or fp32_rne)}}
  %0 = qopt.quantize %x rounding double_round : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @rescale_with_float_rounding(%x: tensor<4xi32>) {
  // expected-error @+1 {{attribute 'rounding' failed to satisfy constraint: a dyadic rounding profile (double_round or single_round)}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [31] rounding half_to_even : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @unknown_rounding(%x: tensor<4xf32>) {
  // expected-error @+1 {{unknown rounding mode 'truncate'}}
  %0 = qopt.quantize %x rounding truncate : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Requantize
//===----------------------------------------------------------------------===//

func.func @requantize_sub_channel(%q: tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{0.5, 0.5}, {0.5, 0.5}}>>) {
  // expected-error @+1 {{requantizes per-tensor or per-axis uniform types only}}
  %0 = qopt.requantize %q rounding half_to_even : tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{0.5, 0.5}, {0.5, 0.5}}>> -> tensor<2x4x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @requantize_expressed_mismatch(%q: tensor<4x!quant.uniform<i32:f32, 0.5>>) {
  // expected-error @+1 {{operand and result expressed types differ ('f32' vs 'f16')}}
  %0 = qopt.requantize %q rounding half_to_even : tensor<4x!quant.uniform<i32:f32, 0.5>> -> tensor<4x!quant.uniform<i8:f16, 0.5>>
  return
}

// -----

func.func @requantize_axis_mismatch(%q: tensor<2x2x!quant.uniform<i32:f32:0, {0.5, 0.5}>>) {
  // expected-error @+1 {{operand is quantized along axis 0 but the result along axis 1}}
  %0 = qopt.requantize %q rounding half_to_even : tensor<2x2x!quant.uniform<i32:f32:0, {0.5, 0.5}>> -> tensor<2x2x!quant.uniform<i8:f32:1, {0.5, 0.5}>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Rescale: multiplier / shift ranges, counts, zero points.
//===----------------------------------------------------------------------===//

func.func @rescale_negative_multiplier(%x: tensor<4xi32>) {
  // expected-error @+1 {{multiplier 0 (-5) is outside [0, 2^31 - 1]}}
  %0 = qopt.rescale %x multiplier [-5] shift [31] rounding double_round : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_shift_too_small(%x: tensor<4xi32>) {
  // expected-error @+1 {{shift 0 (1) is outside [2, 62]}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [1] rounding single_round : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_shift_too_large(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{shift 1 (63) is outside [2, 62]}}
  %0 = qopt.rescale %x multiplier [1073741824, 1073741824] shift [31, 63] axis 0 rounding single_round : tensor<2x4xi32> -> tensor<2x4xi8>
  return
}

// -----

func.func @rescale_multiplier_overflows_i32(%x: tensor<4xi32>) {
  // expected-error @+1 {{integer value too large}}
  %0 = qopt.rescale %x multiplier [2147483648] shift [31] rounding single_round : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_count_mismatch(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{has 2 multipliers but 1 shifts}}
  %0 = qopt.rescale %x multiplier [1, 2] shift [31] axis 0 rounding single_round : tensor<2x4xi32> -> tensor<2x4xi8>
  return
}

// -----

func.func @rescale_no_multiplier(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{needs at least one multiplier}}
  %0 = qopt.rescale %x multiplier [] shift [] rounding single_round : tensor<2x4xi32> -> tensor<2x4xi8>
  return
}

// -----

func.func @rescale_per_channel_without_axis(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{per-channel rescale (2 multipliers) needs an axis}}
  %0 = qopt.rescale %x multiplier [1, 2] shift [31, 31] rounding single_round : tensor<2x4xi32> -> tensor<2x4xi8>
  return
}

// -----

func.func @rescale_axis_out_of_rank(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{axis 2 is out of range for a tensor of rank 2}}
  %0 = qopt.rescale %x multiplier [1, 2] shift [31, 31] axis 2 rounding single_round : tensor<2x4xi32> -> tensor<2x4xi8>
  return
}

// -----

func.func @rescale_channel_count(%x: tensor<2x4xi32>) {
  // expected-error @+1 {{expected 4 multipliers (size of axis 1), got 2}}
  %0 = qopt.rescale %x multiplier [1, 2] shift [31, 31] axis 1 rounding single_round : tensor<2x4xi32> -> tensor<2x4xi8>
  return
}

// -----

func.func @rescale_input_zp_out_of_range(%x: tensor<4xi8>) {
  // expected-error @+1 {{input zero point 128 is outside the input range [-128, 127]}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [30] rounding single_round {input_zp = 128 : i64} : tensor<4xi8> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_output_zp_out_of_range(%x: tensor<4xi32>) {
  // expected-error @+1 {{output zero point -1 is outside the output range [0, 255]}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [30] rounding single_round {output_unsigned, output_zp = -1 : i64} : tensor<4xi32> -> tensor<4xi8>
  return
}

// -----

func.func @rescale_bad_width(%x: tensor<4xi64>) {
  // expected-error @+1 {{must be ranked tensor of 8-, 16- or 32-bit integer values}}
  %0 = qopt.rescale %x multiplier [1073741824] shift [30] rounding single_round : tensor<4xi64> -> tensor<4xi8>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

func.func @constant_out_of_narrow_range() {
  // expected-error @+1 {{element 1 (-128) is outside the storage range [-127, 127]}}
  %0 = qopt.constant dense<[0, -128]> : tensor<2xi8> -> tensor<2x!quant.uniform<i8<-127:127>:f32, 0.5>>
  return
}

// -----

func.func @constant_out_of_u4_narrow_range() {
  // expected-error @+1 {{element 1 (0) is outside the storage range [1, 15]}}
  %0 = qopt.constant dense<[15, 0]> : tensor<2xi4> -> tensor<2x!quant.uniform<u4<1:15>:f32, 0.5:8>>
  return
}

// -----

func.func @constant_wrong_width() {
  // expected-error @+1 {{value element type 'i32' must be the storage type 'i8'}}
  %0 = qopt.constant dense<[1, 2]> : tensor<2xi32> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @constant_shape_mismatch() {
  // expected-error @+1 {{value shape ('tensor<3xi8>') does not match result shape}}
  %0 = qopt.constant dense<[1, 2, 3]> : tensor<3xi8> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

func.func @constant_float_value() {
  // expected-error @+1 {{value must be a dense integer attribute}}
  %0 = qopt.constant dense<[1.0, 2.0]> : tensor<2xf32> -> tensor<2x!quant.uniform<i8:f32, 0.5>>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Policies
//===----------------------------------------------------------------------===//

// expected-error @+1 {{storage width must be between 2 and 16 bits, got 17}}
func.func @policy_too_wide() attributes {p = #qopt.policy<si17, symmetric, per_tensor>} { return }

// -----

// expected-error @+1 {{storage width must be between 2 and 16 bits, got 1}}
func.func @policy_too_narrow() attributes {p = #qopt.policy<ui1, asymmetric, per_tensor>} { return }

// -----

// expected-error @+1 {{expected storage 'si<N>', 'ui<N>', 'ternary' or 'binary', got 'int8'}}
func.func @policy_bad_storage() attributes {p = #qopt.policy<int8, symmetric, per_tensor>} { return }

// -----

// expected-error @+1 {{integer policy must say 'symmetric' or 'asymmetric'}}
func.func @policy_no_symmetry() attributes {p = #qopt.policy<si8, per_tensor>} { return }

// -----

// expected-error @+1 {{symmetry given twice}}
func.func @policy_symmetry_twice() attributes {p = #qopt.policy<si8, symmetric, asymmetric>} { return }

// -----

// expected-error @+1 {{granularity given twice}}
func.func @policy_granularity_twice() attributes {p = #qopt.policy<si8, symmetric, per_tensor, per_channel(axis = 0)>} { return }

// -----

// expected-error @+1 {{unknown policy keyword 'per_row'}}
func.func @policy_unknown_keyword() attributes {p = #qopt.policy<si8, symmetric, per_row>} { return }

// -----

// expected-error @+1 {{axis must be non-negative, got -1}}
func.func @policy_negative_axis() attributes {p = #qopt.policy<si8, symmetric, per_channel(axis = -1)>} { return }

// -----

// expected-error @+1 {{group size must be positive, got 0}}
func.func @policy_zero_group() attributes {p = #qopt.policy<si4, symmetric, per_group(axis = 1, size = 0)>} { return }

// -----

// expected-error @+1 {{ternary storage is 2 signed bits, symmetric, narrow range}}
func.func @policy_asymmetric_ternary() attributes {p = #qopt.policy<ternary, asymmetric, per_tensor>} { return }

// -----

// expected-error @+1 {{binary storage supports per_tensor and per_channel granularity only}}
func.func @policy_binary_groups() attributes {p = #qopt.policy<binary, per_group(axis = 0, size = 2)>} { return }

// -----

func.func @policy_axis_out_of_rank() {
  // expected-error @+1 {{policy axis 2 is out of range for a tensor of rank 2}}
  %0 = arith.constant {qopt.policy = #qopt.policy<si8, symmetric, per_channel(axis = 2)>} dense<1.0> : tensor<2x3xf32>
  return
}

// -----

func.func @policy_group_does_not_divide() {
  // expected-error @+1 {{group size 2 does not divide dimension 1 of size 3}}
  %0 = arith.constant {qopt.policy = #qopt.policy<si4, symmetric, per_group(axis = 1, size = 2)>} dense<1.0> : tensor<2x3xf32>
  return
}

// -----

func.func @policy_on_integer() {
  // expected-error @+1 {{'qopt.policy' applies to ranked float tensors, not to 'tensor<2xi32>'}}
  %0 = arith.constant {qopt.policy = #qopt.policy<si8, symmetric, per_tensor>} dense<1> : tensor<2xi32>
  return
}

// -----

// expected-error @+1 {{argument 0: 'qopt.policy' applies to ranked float tensors, not to 'i32'}}
func.func @policy_on_integer_argument(%x: i32 {qopt.policy = #qopt.policy<si8, symmetric, per_tensor>}) { return }

// -----

//===----------------------------------------------------------------------===//
// Calibrated ranges
//===----------------------------------------------------------------------===//

// expected-error @+1 {{range min 3.000000e+00 is greater than max 1.000000e+00}}
func.func @range_inverted() attributes {r = #qopt.range<min = 3.0, max = 1.0>} { return }

// -----

// expected-error @+1 {{range bounds must be finite, got [nan, 1.000000e+00]}}
func.func @range_nan() attributes {r = #qopt.range<min = 0x7FF8000000000000, max = 1.0>} { return }

// -----

// expected-error @+1 {{range bounds must be finite, got [0.000000e+00, INF]}}
func.func @range_inf() attributes {r = #qopt.range<min = 0.0, max = 0x7FF0000000000000>} { return }

// -----

// expected-error @+1 {{histogram bin 1 has negative count -2}}
func.func @range_negative_count() attributes {r = #qopt.range<min = 0.0, max = 1.0, histogram = [1, -2]>} { return }

// -----

func.func @range_on_integer(%x: tensor<2xi32>) {
  // expected-error @+1 {{'qopt.range' applies to float values, not to 'tensor<2xi32>'}}
  %0 = arith.addi %x, %x {qopt.range = #qopt.range<min = 0.0, max = 1.0>} : tensor<2xi32>
  return
}

// -----

func.func @range_wrong_attribute(%x: tensor<2xf32>) {
  // expected-error @+1 {{'qopt.range' must be a #qopt.range attribute}}
  %0 = arith.addf %x, %x {qopt.range = 1.0 : f32} : tensor<2xf32>
  return
}

// -----

// expected-error @+1 {{'qopt.range' needs an op with exactly one result, this one has 0}}
func.func @range_on_no_result() attributes {qopt.range = #qopt.range<min = 0.0, max = 1.0>} { return }

// -----

func.func @unknown_qopt_attribute(%x: tensor<2xf32>) {
  // expected-error @+1 {{unknown qopt attribute 'qopt.scale'}}
  %0 = arith.addf %x, %x {qopt.scale = 1.0 : f32} : tensor<2xf32>
  return
}

// -----

func.func @dot_lane_mismatch(%acc: vector<16xi32>, %a: vector<32xi8>) -> vector<16xi32> {
  // expected-error @+1 {{needs 4 bytes per 32-bit lane: 16 lanes but 32 bytes}}
  %r = qopt.dot_u8_s8 %acc, %a, %a : vector<32xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// -----

func.func @pair_dot_lane_mismatch(%acc: vector<16xi32>, %a: vector<64xi8>) -> vector<16xi32> {
  // expected-error @+1 {{needs 2 bytes per 32-bit lane: 16 lanes but 64 bytes}}
  %r = qopt.pair_dot_u8_s8 %acc, %a, %a : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// -----

func.func @signed_pair_dot_lane_mismatch(%acc: vector<8xi32>, %a: vector<32xi8>) -> vector<8xi32> {
  // expected-error @+1 {{needs 2 bytes per 32-bit lane: 8 lanes but 32 bytes}}
  %r = qopt.pair_dot_s8_s8 %acc, %a, %a : vector<32xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// -----

func.func @dyadic_scale_float_rounding(%x: vector<4xi32>) -> vector<4xi32> {
  // expected-error @+1 {{needs a dyadic rounding (double_round or single_round), not fp32_rne}}
  %r = qopt.dyadic_scale %x, %x, %x rounding fp32_rne : vector<4xi32>
  return %r : vector<4xi32>
}

// -----

func.func @sensitivity_lengths(%x: tensor<2xf32>) {
  // expected-error @+1 {{sensitivity has 2 widths but 1 noise values}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.1]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_latency_lengths(%x: tensor<2xf32>) {
  // expected-error @+1 {{sensitivity has 2 widths but 3 latencies}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.1, 0.2], latency = [1.0, 2.0, 3.0]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_pair_latency_lengths(%x: tensor<2xf32>) {
  // expected-error @+1 {{sensitivity has 4 (weight, activation) width pairs but 2 latencies}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.1, 0.2], activation_bits = [8, 16], activation_noise = [0.1, 0.0], latency = [1.0, 2.0]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_activation_lengths(%x: tensor<2xf32>) {
  // expected-error @+1 {{sensitivity has 2 activation widths but 1 activation noise values}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.1], activation_bits = [8, 16], activation_noise = [0.1]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_activation_width(%x: tensor<2xf32>) {
  // expected-error @+1 {{activation width 4 is not 8 or 16}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.1], activation_bits = [8, 4], activation_noise = [0.1, 0.2]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_activation_twice(%x: tensor<2xf32>) {
  // expected-error @+1 {{activation width 16 appears twice}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.1], activation_bits = [16, 16], activation_noise = [0.1, 0.2]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_activation_noise(%x: tensor<2xf32>) {
  // expected-error @+1 {{noise must be finite and non-negative, got -2.000000e-01}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.1], activation_bits = [8], activation_noise = [-0.2]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_activation_noise_missing(%x: tensor<2xf32>) {
  // expected-error @+1 {{expected ','}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.1], activation_bits = [8]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_width(%x: tensor<2xf32>) {
  // expected-error @+1 {{width 1 is outside [2, 16]}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 1], noise = [0.1, 0.2]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_twice(%x: tensor<2xf32>) {
  // expected-error @+1 {{width 8 appears twice}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 8], noise = [0.1, 0.2, 0.3]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_negative(%x: tensor<2xf32>) {
  // expected-error @+1 {{noise must be finite and non-negative, got -1.000000e-01}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.1, -0.1]>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_empty(%x: tensor<2xf32>) {
  // expected-error @+1 {{sensitivity needs at least one width}}
  %0 = arith.addf %x, %x {qopt.sensitivity = #qopt.sensitivity<bits = [], noise = []>} : tensor<2xf32>
  return
}

// -----

func.func @sensitivity_wrong_attribute(%x: tensor<2xf32>) {
  // expected-error @+1 {{'qopt.sensitivity' must be a #qopt.sensitivity attribute}}
  %0 = arith.addf %x, %x {qopt.sensitivity = 1.0 : f32} : tensor<2xf32>
  return
}
