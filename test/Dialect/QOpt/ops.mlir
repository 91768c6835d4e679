// RUN: qopt %s -split-input-file | FileCheck %s
// Generic form parses back to the same pretty form.
// RUN: qopt %s -split-input-file --mlir-print-op-generic | qopt -split-input-file | FileCheck %s

// CHECK-LABEL: func @quantize_roundings
func.func @quantize_roundings(%x: tensor<4xf32>) {
  // CHECK: qopt.quantize %{{.*}} rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 1.000000e-01:-3>>
  %0 = qopt.quantize %x rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
  // CHECK: qopt.quantize %{{.*}} rounding half_away_from_zero : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 2.000000e-01:128>>
  %1 = qopt.quantize %x rounding half_away_from_zero : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.2:128>>
  // CHECK: qopt.quantize %{{.*}} rounding half_up : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 1.000000e-03>>
  %2 = qopt.quantize %x rounding half_up : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.001>>
  return
}

// -----

// CHECK-LABEL: func @granularities
func.func @granularities(%x: tensor<2x4xf32>, %d: tensor<?x4xf32>) {
  // Per channel, narrow range.
  // CHECK: tensor<2x4x!quant.uniform<i8<-127:127>:f32:0, {5.000000e-01,2.500000e-01}>>
  %0 = qopt.quantize %x rounding half_to_even : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>
  // Per group (sub-channel): groups of 2 along axis 1.
  // CHECK: tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{}}{2.000000e+00, 3.000000e+00}, {4.000000e+00, 5.000000e+00}}>>
  %1 = qopt.quantize %x rounding half_to_even : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{2.0, 3.0}, {4.0, 5.0}}>>
  // Ternary weights are a 2-bit narrow uniform type.
  // CHECK: tensor<2x4x!quant.uniform<i2<-1:1>:f32, 7.500000e-01>>
  %2 = qopt.quantize %x rounding half_to_even : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i2<-1:1>:f32, 0.75>>
  // Binary weights per channel.
  // CHECK: tensor<2x4x!qopt.binary<f32:0, {5.000000e-01, 2.500000e-01}>>
  %3 = qopt.quantize %x rounding half_to_even : tensor<2x4xf32> -> tensor<2x4x!qopt.binary<f32:0, {0.5, 0.25}>>
  // Per-axis along a static axis of a dynamically shaped tensor.
  // CHECK: tensor<?x4x!quant.uniform<u4:f32:1, {1.000000e+00:8,1.000000e+00:8,1.000000e+00:8,1.000000e+00:8}>>
  %4 = qopt.quantize %d rounding half_to_even : tensor<?x4xf32> -> tensor<?x4x!quant.uniform<u4:f32:1, {1.0:8, 1.0:8, 1.0:8, 1.0:8}>>
  return
}

// -----

// CHECK-LABEL: func @dequantize_requantize
func.func @dequantize_requantize(%acc: tensor<8x!quant.uniform<i32:f32:0, {1.0e-3, 2.0e-3, 1.0e-3, 2.0e-3, 1.0e-3, 2.0e-3, 1.0e-3, 2.0e-3}>>,
                                 %q: tensor<8x!quant.uniform<i8:f32, 0.05:-4>>) -> tensor<8xf32> {
  // CHECK: qopt.requantize %{{.*}} rounding half_away_from_zero : tensor<8x!quant.uniform<i32:f32:0, {{.*}}>> -> tensor<8x!quant.uniform<i8:f32, 5.000000e-02:-4>>
  %0 = qopt.requantize %acc rounding half_away_from_zero : tensor<8x!quant.uniform<i32:f32:0, {1.0e-3, 2.0e-3, 1.0e-3, 2.0e-3, 1.0e-3, 2.0e-3, 1.0e-3, 2.0e-3}>> -> tensor<8x!quant.uniform<i8:f32, 0.05:-4>>
  // CHECK: qopt.dequantize %{{.*}} : tensor<8x!quant.uniform<i8:f32, 5.000000e-02:-4>> -> tensor<8xf32>
  %1 = qopt.dequantize %q : tensor<8x!quant.uniform<i8:f32, 0.05:-4>> -> tensor<8xf32>
  return %1 : tensor<8xf32>
}

// -----

// CHECK-LABEL: func @rescale
func.func @rescale(%acc: tensor<3x16xi32>, %u: tensor<16xi8>) {
  // CHECK: qopt.rescale %{{.*}} multiplier [1518500250] shift [38] rounding double_round {output_zp = -3 : i64} : tensor<3x16xi32> -> tensor<3x16xi8>
  %0 = qopt.rescale %acc multiplier [1518500250] shift [38] rounding double_round {output_zp = -3 : i64} : tensor<3x16xi32> -> tensor<3x16xi8>
  // CHECK: qopt.rescale %{{.*}} multiplier [1073741824, 2147483647, 0] shift [2, 31, 62] axis 0 rounding single_round : tensor<3x16xi32> -> tensor<3x16xi16>
  %1 = qopt.rescale %acc multiplier [1073741824, 2147483647, 0] shift [2, 31, 62] axis 0 rounding single_round : tensor<3x16xi32> -> tensor<3x16xi16>
  // Unsigned storage on both sides.
  // CHECK: qopt.rescale %{{.*}} multiplier [1073741824] shift [30] rounding single_round {input_unsigned, input_zp = 128 : i64, output_unsigned, output_zp = 255 : i64}
  %2 = qopt.rescale %u multiplier [1073741824] shift [30] rounding single_round {input_unsigned, input_zp = 128 : i64, output_unsigned, output_zp = 255 : i64} : tensor<16xi8> -> tensor<16xi8>
  return
}

// -----

// CHECK-LABEL: func @constants
func.func @constants() {
  // CHECK: qopt.constant dense<[-127, 5, 0, 127]> : tensor<4xi8> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 5.000000e-01>>
  %0 = qopt.constant dense<[-127, 5, 0, 127]> : tensor<4xi8> -> tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>
  // Unsigned storage is held as the bit pattern of the storage width.
  // CHECK: qopt.constant dense<[0, -1]> : tensor<2xi8> -> tensor<2x!quant.uniform<u8:f32, 1.000000e+00:128>>
  %1 = qopt.constant dense<[0, 255]> : tensor<2xi8> -> tensor<2x!quant.uniform<u8:f32, 1.0:128>>
  // CHECK: qopt.constant dense<[true, false]> : tensor<2xi1> -> tensor<2x!qopt.binary<f32, 2.500000e-01>>
  %2 = qopt.constant dense<[true, false]> : tensor<2xi1> -> tensor<2x!qopt.binary<f32, 0.25>>
  return
}

// -----

// Policies and calibrated ranges as discardable attributes.
// CHECK-LABEL: func @annotations
// CHECK-SAME: qopt.range = #qopt.range<min = -1.000000e+00, max = 2.500000e+00>
func.func @annotations(%x: tensor<4xf32> {qopt.range = #qopt.range<min = -1.0, max = 2.5>}) {
  // CHECK: qopt.policy = #qopt.policy<si8, symmetric, narrow_range, per_channel(axis = 0)>
  %w = arith.constant {qopt.policy = #qopt.policy<si8, symmetric, narrow_range, per_channel(axis = 0)>} dense<1.0> : tensor<4x8xf32>
  // CHECK: qopt.policy = #qopt.policy<ui8, asymmetric, per_tensor>
  // CHECK-SAME: qopt.range = #qopt.range<min = 0.000000e+00, max = 4.000000e+00, histogram = [3, 10, 7, 1]>
  %y = arith.addf %x, %x {qopt.policy = #qopt.policy<ui8, asymmetric, per_tensor>, qopt.range = #qopt.range<min = 0.0, max = 4.0, histogram = [3, 10, 7, 1]>} : tensor<4xf32>
  // CHECK: #qopt.policy<si4, symmetric, per_group(axis = 1, size = 4)>
  %g = arith.constant {qopt.policy = #qopt.policy<si4, symmetric, per_group(axis = 1, size = 4)>} dense<1.0> : tensor<4x8xf32>
  // CHECK: #qopt.policy<ternary, per_channel(axis = 0)>
  %t = arith.constant {qopt.policy = #qopt.policy<ternary, per_channel(axis = 0)>} dense<1.0> : tensor<4x8xf32>
  // CHECK: #qopt.policy<binary, per_tensor>
  %b = arith.constant {qopt.policy = #qopt.policy<binary, per_tensor>} dense<1.0> : tensor<4x8xf32>
  // CHECK: #qopt.policy<ui16, asymmetric, narrow_range, per_tensor>
  %n = arith.constant {qopt.policy = #qopt.policy<ui16, asymmetric, narrow_range, per_tensor>} dense<1.0> : tensor<4x8xf32>
  // CHECK: #qopt.policy<si2, symmetric, per_tensor>
  %s = arith.constant {qopt.policy = #qopt.policy<si2, symmetric, per_tensor>} dense<1.0> : tensor<4x8xf32>
  return
}

// -----

// Measured sensitivity of a layer (qopt-measure-sensitivity), with and
// without latencies and activation widths (latencies then per pair).
// CHECK-LABEL: func @sensitivity
// CHECK: qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 2], noise = [1.000000e-03, 2.500000e-04, 3.000000e-02]>
// CHECK: qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.000000e+00, 1.000000e-03], latency = [1.200000e+01, 7.500000e+00]>
// CHECK: qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.000000e+00, 1.000000e-03], activation_bits = [8, 16], activation_noise = [2.000000e-04, 1.000000e-09], latency = [1.200000e+01, 3.000000e+01, 7.500000e+00, 1.600000e+01]>
// CHECK: qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.000000e+00], activation_bits = [16], activation_noise = [0.000000e+00]>
func.func @sensitivity(%x: tensor<1x1x3xf32>, %w: tensor<1x3x2xf32>, %zp: tensor<1xf32>) {
  %0 = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 2], noise = [1.0e-03, 2.5e-04, 3.0e-02]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %1 = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 1.0e-03], latency = [12.0, 7.5]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %2 = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 1.0e-03], activation_bits = [8, 16], activation_noise = [2.0e-04, 1.0e-09], latency = [12.0, 30.0, 7.5, 16.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %3 = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], activation_bits = [16], activation_noise = [0.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return
}
