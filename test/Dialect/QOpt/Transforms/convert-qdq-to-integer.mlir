// RUN: qopt %s -split-input-file --qopt-convert-qdq-to-integer -verify-diagnostics | FileCheck %s
// RUN: qopt %s -split-input-file --qopt-convert-qdq-to-integer="rounding=half_away_from_zero" 2>/dev/null | FileCheck %s --check-prefix=DYADIC

// uint8 activations (zero point 130 -> 2 after the top-bit flip), int8
// per-channel weights, float bias -> int32 at s_x * s_w[c]:
// 0.3 / (0.1 * 0.5) = 6, -0.125 / (0.1 * 0.25) = -5.
// CHECK-LABEL: func @conv
// CHECK-DAG: %[[S:.*]] = quant.scast %{{.*}} : tensor<1x2x2x1x!quant.uniform<u8:f32, 1.000000e-01:130>> to tensor<1x2x2x1xi8>
// CHECK-DAG: %[[X:.*]] = tosa.bitwise_xor %[[S]]
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[6, -5]> : tensor<2xi32>}>
// CHECK-DAG: %[[XZP:.*]] = "tosa.const"() <{values = dense<2> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[X]], %{{.*}}, %[[B]], %[[XZP]], %{{.*}} {acc_type = i32, {{.*}}} : (tensor<1x2x2x1xi8>, tensor<2x1x1x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
// CHECK: %[[Q:.*]] = quant.scast %[[ACC]] : tensor<1x2x2x2xi32> to tensor<1x2x2x2x!quant.uniform<i32:f32:3, {5.000000e-02,2.500000e-02}>>
// CHECK: qopt.requantize %[[Q]] rounding fp32_rne : {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.000000e-01:-3>>
// CHECK-NEXT: return
// DYADIC: qopt.requantize {{.*}} rounding half_away_from_zero
func.func @conv(%xq: tensor<1x2x2x1x!quant.uniform<u8:f32, 0.1:130>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.2:-3>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x1x!quant.uniform<u8:f32, 0.1:130>> -> tensor<1x2x2x1xf32>
  %wq = qopt.constant dense<[[[[3]]], [[[-7]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>
  %w = qopt.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>> -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.3, -0.125]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.2:-3>>
  return %yq : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.2:-3>>
}

// -----

// Weights with a non-zero zero point stay float, with the reason.
func.func @asymmetric_weights(%xq: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  %wq = qopt.constant dense<3> : tensor<1x1x1x1xi8> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5:4>>
  %w = qopt.dequantize %wq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5:4>> -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: weights are not symmetric (zero point != 0)}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Float weights (not a qopt.constant) and a float input stay float.
func.func @float_operands(%x: tensor<1x2x2x1xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>> {
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: input is not a dequantized 8- or 16-bit per-tensor tensor}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// A matmul with per-column (N) weight scales: int8 x int8 -> int32 matmul,
// accumulator per-axis along the last dimension.
// CHECK-LABEL: func @matmul
// CHECK: %[[ACC:.*]] = tosa.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x1x2xi8>, tensor<1x2x3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x3xi32>
// CHECK: quant.scast %[[ACC]] : tensor<1x1x3xi32> to tensor<1x1x3x!quant.uniform<i32:f32:2, {5.000000e-02,2.500000e-02,1.000000e-01}>>
// CHECK: qopt.requantize
func.func @matmul(%aq: tensor<1x1x2x!quant.uniform<i8:f32, 0.1:5>>) -> tensor<1x1x3x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x2x!quant.uniform<i8:f32, 0.1:5>> -> tensor<1x1x2xf32>
  %bq = qopt.constant dense<[[[1, 2, 3], [4, 5, 6]]]> : tensor<1x2x3xi8> -> tensor<1x2x3x!quant.uniform<i8:f32:2, {0.5, 0.25, 1.0}>>
  %b = qopt.dequantize %bq : tensor<1x2x3x!quant.uniform<i8:f32:2, {0.5, 0.25, 1.0}>> -> tensor<1x2x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x3xf32> -> tensor<1x1x3x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x3x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Per-group int4 weights (groups of 2 along K) whose scales are integer
// multiples of one unit per column: column 0 has scales 0.4 = 4 x 0.1 and
// 1.6 = 16 x 0.1, column 1 0.3125 = 5 x 0.0625 and 1.0 = 16 x 0.0625. They
// are the int8 weights m * q at the unit scale: column 0 [4, -8 | 48, 32],
// column 1 [5, 10 | -128, 0]; the accumulator scale is 0.1 x the unit.
// CHECK-LABEL: func @matmul_per_group
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}{{\[}}[4, 5], [-8, 10], [48, -128], [32, 0]]]> : tensor<1x4x2xi8>}>
// CHECK: %[[ACC:.*]] = tosa.matmul %{{.*}}, %[[W]], %{{.*}}, %{{.*}} : (tensor<1x1x4xi8>, tensor<1x4x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x2xi32>
// CHECK: quant.scast %[[ACC]] : tensor<1x1x2xi32> to tensor<1x1x2x!quant.uniform<i32:f32:2, {0.010000000{{[0-9]*}},6.250000e-03}>>
func.func @matmul_per_group(%aq: tensor<1x1x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x2x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x4x!quant.uniform<i8:f32, 0.1>> -> tensor<1x1x4xf32>
  %bq = qopt.constant dense<[[[1, 1], [-2, 2], [3, -8], [2, 0]]]> : tensor<1x4x2xi4> -> tensor<1x4x2x!quant.uniform<i4:f32:{1:2, 2:1}, {{{0.4, 0.3125}, {1.6, 1.0}}}>>
  %b = qopt.dequantize %bq : tensor<1x4x2x!quant.uniform<i4:f32:{1:2, 2:1}, {{{0.4, 0.3125}, {1.6, 1.0}}}>> -> tensor<1x4x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x2xf32> -> tensor<1x1x2x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x2x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Per-group scales that are not such multiples (0.45 is 4.5 units of
// 1.6 / 16) keep the layer float.
// CHECK-LABEL: func @matmul_free_group_scales
// CHECK: tosa.matmul %{{.*}} : (tensor<1x1x4xf32>, tensor<1x4x1xf32>
func.func @matmul_free_group_scales(%aq: tensor<1x1x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x4x!quant.uniform<i8:f32, 0.1>> -> tensor<1x1x4xf32>
  %bq = qopt.constant dense<[[[1], [-2], [3], [2]]]> : tensor<1x4x1xi4> -> tensor<1x4x1x!quant.uniform<i4:f32:{1:2, 2:1}, {{{0.45}, {1.6}}}>>
  %b = qopt.dequantize %bq : tensor<1x4x1x!quant.uniform<i4:f32:{1:2, 2:1}, {{{0.45}, {1.6}}}>> -> tensor<1x4x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: per-group scales are not integer multiples (1 to 2^(8 - bits)) of one scale per output channel}}
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x1xf32> -> tensor<1x1x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Ops with no integer form are named in a warning; data movement of float
// values is not.
// CHECK-LABEL: func @float_kept_ops
func.func @float_kept_ops(%x: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4xf32> {
  %s = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  // expected-warning @+1 {{kept in float: qopt has no integer form for 'tosa.reciprocal' yet}}
  %r = tosa.reciprocal %d : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %flat = tosa.reshape %r, %s : (tensor<1x2x2x1xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
  return %flat : tensor<1x4xf32>
}

// -----

// Max pooling with the same quantized type in and out runs on the stored
// int8 values (exact: max commutes with the increasing dequantization).
// CHECK-LABEL: func @max_pool_same_type
// CHECK-NOT: qopt.dequantize
// CHECK: %[[S:.*]] = quant.scast %arg0 : tensor<1x2x2x1x!quant.uniform<i8:f32, 1.000000e-01:-5>> to tensor<1x2x2x1xi8>
// CHECK: %[[P:.*]] = tosa.max_pool2d %[[S]] {{.*}} : (tensor<1x2x2x1xi8>) -> tensor<1x1x1x1xi8>
// CHECK: %[[R:.*]] = quant.scast %[[P]] : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!quant.uniform<i8:f32, 1.000000e-01:-5>>
// CHECK-NEXT: return %[[R]]
func.func @max_pool_same_type(%x: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1:-5>>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1:-5>> {
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1:-5>> -> tensor<1x2x2x1xf32>
  %p = tosa.max_pool2d %d {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1:-5>>
  return %q : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1:-5>>
}

// -----

// A different output scale: requantize first (max commutes with the
// increasing requantization), then pool; the remark says why.
// CHECK-LABEL: func @max_pool_rescaled
// CHECK: %[[R:.*]] = qopt.requantize %arg0 rounding fp32_rne : tensor<1x2x2x1x!quant.uniform<i8:f32, 1.000000e-01>> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 2.000000e-01>>
// CHECK: %[[S:.*]] = quant.scast %[[R]]
// CHECK: tosa.max_pool2d %[[S]]
func.func @max_pool_rescaled(%x: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.2>> {
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  // expected-remark @+1 {{requantize inserted: its input and output were calibrated to different ranges ('!quant.uniform<i8:f32, 1.000000e-01>' -> '!quant.uniform<i8:f32, 2.000000e-01>')}}
  %p = tosa.max_pool2d %d {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.2>>
  return %q : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// uint8 storage would compare as signed: kept in float.
func.func @max_pool_uint8(%x: tensor<1x2x2x1x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:128>> {
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<u8:f32, 0.1:128>> -> tensor<1x2x2x1xf32>
  // expected-warning @+1 {{kept in float: it is quantized unsigned (only signed 8-bit is supported)}}
  %p = tosa.max_pool2d %d {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:128>>
  return %q : tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// ReLU on a type whose lowest code is real 0 (what qopt-propagate-ranges
// gives the producer) changes no stored value: it disappears.
// CHECK-LABEL: func @relu_fused
// CHECK-NOT: tosa.clamp
// CHECK-NOT: qopt.requantize
// CHECK: return %arg0
func.func @relu_fused(%x: tensor<4x!quant.uniform<i8:f32, 0.1:-128>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:-128>> {
  %d = qopt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1:-128>> -> tensor<4xf32>
  %r = tosa.clamp %d {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %q = qopt.quantize %r rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:-128>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.1:-128>>
}

// -----

// ReLU6 inside the storage range: an int8 clamp to [q(0), q(6)] =
// [-128, -128 + 60].
// CHECK-LABEL: func @relu6_on_integers
// CHECK: %[[S:.*]] = quant.scast %arg0
// CHECK: %[[C:.*]] = tosa.clamp %[[S]] {max_val = -68 : i8, min_val = -128 : i8} : (tensor<4xi8>) -> tensor<4xi8>
// CHECK: %[[R:.*]] = quant.scast %[[C]]
// CHECK-NEXT: return %[[R]]
func.func @relu6_on_integers(%x: tensor<4x!quant.uniform<i8:f32, 0.1:-128>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:-128>> {
  %d = qopt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1:-128>> -> tensor<4xf32>
  %r = tosa.clamp %d {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %q = qopt.quantize %r rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:-128>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.1:-128>>
}

// -----

// A clamp between different types: clamp on the input's integers, then a
// requantize, explained.
// CHECK-LABEL: func @clamp_retyped
// CHECK: tosa.clamp {{.*}} {max_val = 127 : i8, min_val = 0 : i8}
// CHECK: qopt.requantize {{.*}} -> tensor<4x!quant.uniform<i8:f32, 5.000000e-02:-128>>
func.func @clamp_retyped(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.05:-128>> {
  %d = qopt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.1>> -> tensor<4xf32>
  // expected-remark @+1 {{requantize inserted: the clamp's input and output types differ}}
  %r = tosa.clamp %d {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %q = qopt.quantize %r rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.05:-128>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.05:-128>>
}

// -----

// Average pooling at one scale: TOSA's int8 average pool with both zero
// points, no requantize.
// CHECK-LABEL: func @avg_pool
// CHECK-DAG: %[[IZP:.*]] = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}>
// CHECK-DAG: %[[OZP:.*]] = "tosa.const"() <{values = dense<7> : tensor<1xi8>}>
// CHECK: tosa.avg_pool2d %{{.*}}, %[[IZP]], %[[OZP]] {acc_type = i32, {{.*}}} : (tensor<1x2x2x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x1xi8>
// CHECK-NOT: qopt.requantize
func.func @avg_pool(%x: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1:7>> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1:-3>> -> tensor<1x2x2x1xf32>
  %p = tosa.avg_pool2d %d, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1:7>>
  return %q : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1:7>>
}

// -----

// Add: both inputs to int32 at 2 * max(0.1, 0.05) / 2^20, int32 add,
// requantize to the output.
// CHECK-LABEL: func @add
// CHECK: %[[A:.*]] = qopt.requantize %arg0 rounding fp32_rne : tensor<4x!quant.uniform<i8:f32, 1.000000e-01:3>> -> tensor<4x!quant.uniform<i32:f32, 1.9073486328125{{0*1?}}E-7>>
// CHECK: %[[AS:.*]] = quant.scast %[[A]]
// CHECK: %[[B:.*]] = qopt.requantize %arg1 rounding fp32_rne : tensor<4x!quant.uniform<u8:f32, 5.000000e-02:128>> -> tensor<4x!quant.uniform<i32:f32, 1.9073486328125{{0*1?}}E-7>>
// CHECK: %[[BS:.*]] = quant.scast %[[B]]
// CHECK: %[[SUM:.*]] = tosa.add %[[AS]], %[[BS]] : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[SQ:.*]] = quant.scast %[[SUM]]
// CHECK: qopt.requantize %[[SQ]] rounding fp32_rne : tensor<4x!quant.uniform<i32:f32, 1.9073486328125{{0*1?}}E-7>> -> tensor<4x!quant.uniform<i8:f32, 2.000000e-01:-1>>
// DYADIC-LABEL: func @add
// DYADIC-COUNT-3: rounding half_away_from_zero
func.func @add(%a: tensor<4x!quant.uniform<i8:f32, 0.1:3>>, %b: tensor<4x!quant.uniform<u8:f32, 0.05:128>>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>> {
  %da = qopt.dequantize %a : tensor<4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<4xf32>
  %db = qopt.dequantize %b : tensor<4x!quant.uniform<u8:f32, 0.05:128>> -> tensor<4xf32>
  %s = tosa.add %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = qopt.quantize %s rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
}

// -----

// Mul: zero points removed by requantizing by exactly 1 to int32, int32
// product at s_a * s_b, requantize.
// CHECK-LABEL: func @mul
// CHECK: qopt.requantize %arg0 rounding fp32_rne : {{.*}} -> tensor<4x!quant.uniform<i32:f32, 1.000000e-01>>
// CHECK: qopt.requantize %arg1 rounding fp32_rne : {{.*}} -> tensor<4x!quant.uniform<i32:f32, 5.000000e-02>>
// CHECK: %[[P:.*]] = tosa.mul %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4xi32>, tensor<4xi32>, tensor<1xi8>) -> tensor<4xi32>
// CHECK: %[[PQ:.*]] = quant.scast %[[P]] : tensor<4xi32> to tensor<4x!quant.uniform<i32:f32, 0.005000000000000001>>
// CHECK: qopt.requantize %[[PQ]]
func.func @mul(%a: tensor<4x!quant.uniform<i8:f32, 0.1:3>>, %b: tensor<4x!quant.uniform<i8:f32, 0.05:-7>>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %da = qopt.dequantize %a : tensor<4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<4xf32>
  %db = qopt.dequantize %b : tensor<4x!quant.uniform<i8:f32, 0.05:-7>> -> tensor<4xf32>
  %p = tosa.mul %da, %db, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
}

// -----

// A mul of a dequantized tensor by a float tensor stays float.
func.func @mul_float_operand(%a: tensor<4x!quant.uniform<i8:f32, 0.1:3>>, %b: tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>> {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %da = qopt.dequantize %a : tensor<4x!quant.uniform<i8:f32, 0.1:3>> -> tensor<4xf32>
  // expected-warning @+1 {{kept in float: its inputs are not both dequantized 8- or 16-bit per-tensor tensors}}
  %p = tosa.mul %da, %b, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.2:-1>>
}

// -----

// Concat: the input with the output's type is used as is, the other is
// requantized, with a remark.
// CHECK-LABEL: func @concat
// CHECK: %[[A:.*]] = quant.scast %arg0
// CHECK: %[[R:.*]] = qopt.requantize %arg1
// CHECK: %[[B:.*]] = quant.scast %[[R]]
// CHECK: tosa.concat %[[A]], %[[B]] {axis = 0 : i32} : (tensor<2xi8>, tensor<2xi8>) -> tensor<4xi8>
func.func @concat(%a: tensor<2x!quant.uniform<i8:f32, 0.1:3>>, %b: tensor<2x!quant.uniform<i8:f32, 0.05>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:3>> {
  %da = qopt.dequantize %a : tensor<2x!quant.uniform<i8:f32, 0.1:3>> -> tensor<2xf32>
  %db = qopt.dequantize %b : tensor<2x!quant.uniform<i8:f32, 0.05>> -> tensor<2xf32>
  // expected-remark @+1 {{requantize inserted: a concat input has its own range (its producer has other uses)}}
  %c = tosa.concat %da, %db {axis = 0 : i32} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  %q = qopt.quantize %c rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.1:3>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.1:3>>
}

// -----

// A fully-connected layer: the bias (1.0 / (0.1 * 0.5) = 20, ...) is added
// to the int32 accumulator after the reshape; one requantize at the end.
// CHECK-LABEL: func @fully_connected
// CHECK-DAG: %[[BIAS:.*]] = "tosa.const"() <{values = dense<{{\[\[}}20, -10, 0]]> : tensor<1x3xi32>}>
// CHECK: %[[ACC:.*]] = tosa.matmul {{.*}} -> tensor<1x1x3xi32>
// CHECK: %[[R:.*]] = tosa.reshape %[[ACC]], %{{.*}} : (tensor<1x1x3xi32>, !tosa.shape<2>) -> tensor<1x3xi32>
// CHECK: %[[SUM:.*]] = tosa.add %[[R]], %[[BIAS]] : (tensor<1x3xi32>, tensor<1x3xi32>) -> tensor<1x3xi32>
// CHECK: %[[Q:.*]] = quant.scast %[[SUM]] : tensor<1x3xi32> to tensor<1x3x!quant.uniform<i32:f32:1, {5.000000e-02,2.500000e-02,1.000000e-01}>>
// CHECK: qopt.requantize %[[Q]]
func.func @fully_connected(%aq: tensor<1x1x2x!quant.uniform<i8:f32, 0.1:5>>) -> tensor<1x3x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x2x!quant.uniform<i8:f32, 0.1:5>> -> tensor<1x1x2xf32>
  %bq = qopt.constant dense<[[[1, 2, 3], [4, 5, 6]]]> : tensor<1x2x3xi8> -> tensor<1x2x3x!quant.uniform<i8:f32:2, {0.5, 0.25, 1.0}>>
  %b = qopt.dequantize %bq : tensor<1x2x3x!quant.uniform<i8:f32:2, {0.5, 0.25, 1.0}>> -> tensor<1x2x3xf32>
  %bias = "tosa.const"() {values = dense<[[1.0, -0.25, 0.0]]> : tensor<1x3xf32>} : () -> tensor<1x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %s = tosa.const_shape {values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %r = tosa.reshape %y, %s : (tensor<1x1x3xf32>, !tosa.shape<2>) -> tensor<1x3xf32>
  %fc = tosa.add %r, %bias : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  %q = qopt.quantize %fc rounding half_to_even : tensor<1x3xf32> -> tensor<1x3x!quant.uniform<i8:f32, 0.2>>
  return %q : tensor<1x3x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Depthwise weights per channel along axis 2 ([KH, KW, C, M], M = 2): output
// channel c * M + m has accumulator scale s_x * s_w[c].
// CHECK-LABEL: func @depthwise_per_channel
// CHECK: tosa.depthwise_conv2d {{.*}} -> tensor<1x1x1x4xi32>
// CHECK: quant.scast {{.*}} to tensor<1x1x1x4x!quant.uniform<i32:f32:3, {5.000000e-02,5.000000e-02,2.500000e-02,2.500000e-02}>>
func.func @depthwise_per_channel(%xq: tensor<1x1x1x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x4x!quant.uniform<i8:f32, 0.2>> {
  %x = qopt.dequantize %xq : tensor<1x1x1x2x!quant.uniform<i8:f32, 0.1>> -> tensor<1x1x1x2xf32>
  %wq = qopt.constant dense<[[[[1, 2], [3, 4]]]]> : tensor<1x1x2x2xi8> -> tensor<1x1x2x2x!quant.uniform<i8:f32:2, {0.5, 0.25}>>
  %w = qopt.dequantize %wq : tensor<1x1x2x2x!quant.uniform<i8:f32:2, {0.5, 0.25}>> -> tensor<1x1x2x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %q = qopt.quantize %y rounding half_to_even : tensor<1x1x1x4xf32> -> tensor<1x1x1x4x!quant.uniform<i8:f32, 0.2>>
  return %q : tensor<1x1x1x4x!quant.uniform<i8:f32, 0.2>>
}

// -----

// tanh of int8 values is a 256-entry table: entry q + 128 holds
// quantize(tanh(0.5 * q)) at scale 1/127: q = 0 -> 0, q = 1 -> 59, large q
// -> 127.
// CHECK-LABEL: func @tanh_table
// (hex: 0x81 = -127, 0xC5 = -59, 0x3B = 59, 0x7F = 127)
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0x8181{{[0-9A-F]*}}C5003B{{[0-9A-F]*}}7F7F"> : tensor<256xi8>}>
// CHECK: %[[S:.*]] = quant.scast %arg0
// CHECK: tosa.table %[[S]], %[[T]] : (tensor<4xi8>, tensor<256xi8>) -> tensor<4xi8>
func.func @tanh_table(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 0.007874015748031496>> {
  %d = qopt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xf32>
  %t = tosa.tanh %d : (tensor<4xf32>) -> tensor<4xf32>
  %q = qopt.quantize %t rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.007874015748031496>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.007874015748031496>>
}

// -----

// A table needs a quantized result: a float one stays float.
func.func @tanh_float_result(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32> {
  %d = qopt.dequantize %x : tensor<4x!quant.uniform<i8:f32, 0.5>> -> tensor<4xf32>
  // expected-warning @+1 {{kept in float: its result is not quantized}}
  %t = tosa.tanh %d : (tensor<4xf32>) -> tensor<4xf32>
  return %t : tensor<4xf32>
}

// -----

// A NaN bias has no int32 image: the convolution stays float, with the
// reason.
func.func @nan_bias(%xq: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  %wq = qopt.constant dense<3> : tensor<1x1x1x1xi8> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %w = qopt.dequantize %wq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0x7FC00000> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: bias is not a finite float constant}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// int4 per-channel weights become TOSA int4 weights (i4 constant and i4
// weight zero point); the accumulator scales are s_x * s_w[c] as for int8.
// CHECK-LABEL: func @int4_weights
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}{{\[}}{{\[}}[-7, 7]]], {{\[}}{{\[}}[3, -1]]]]> : tensor<2x1x1x2xi4>}>
// CHECK-DAG: %[[WZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi4>}>
// CHECK: tosa.conv2d %{{.*}}, %[[W]], %{{.*}}, %{{.*}}, %[[WZP]] {{.*}} : (tensor<1x2x2x2xi8>, tensor<2x1x1x2xi4>, tensor<2xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x2x2x2xi32>
// CHECK: quant.scast {{.*}} to tensor<1x2x2x2x!quant.uniform<i32:f32:3, {5.000000e-02,2.500000e-02}>>
func.func @int4_weights(%xq: tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.2>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x2xf32>
  %wq = qopt.constant dense<[[[[-7, 7]]], [[[3, -1]]]]> : tensor<2x1x1x2xi4> -> tensor<2x1x1x2x!quant.uniform<i4<-7:7>:f32:0, {0.5, 0.25}>>
  %w = qopt.dequantize %wq : tensor<2x1x1x2x!quant.uniform<i4<-7:7>:f32:0, {0.5, 0.25}>> -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Ternary weights (si2, narrow range: {-1, 0, 1}) of a fully-connected
// layer are sign-extended into TOSA int4 weights.
// CHECK-LABEL: func @ternary_matmul
// CHECK: tosa.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x1x3xi8>, tensor<1x3x2xi4>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x1x2xi32>
func.func @ternary_matmul(%aq: tensor<1x1x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x2x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x3x!quant.uniform<i8:f32, 0.1>> -> tensor<1x1x3xf32>
  %bq = qopt.constant dense<[[[-1, 1], [0, 1], [1, -1]]]> : tensor<1x3x2xi2> -> tensor<1x3x2x!quant.uniform<i2<-1:1>:f32:2, {0.5, 0.25}>>
  %b = qopt.dequantize %bq : tensor<1x3x2x!quant.uniform<i2<-1:1>:f32:2, {0.5, 0.25}>> -> tensor<1x3x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x2xf32> -> tensor<1x1x2x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x2x!quant.uniform<i8:f32, 0.2>>
}

// -----

// 16-bit weights have no integer layer: kept float, with the reason.
func.func @wide_weights(%xq: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  %wq = qopt.constant dense<300> : tensor<1x1x1x1xi16> -> tensor<1x1x1x1x!quant.uniform<i16:f32, 0.5>>
  %w = qopt.dequantize %wq : tensor<1x1x1x1x!quant.uniform<i16:f32, 0.5>> -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: weights are not signed integers of 2 to 8 bits}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// int16 activations (symmetric, zero point 0) x int8 weights: TOSA's int16
// convolution accumulates in int48 with an int48 bias; every output channel
// provably stays within int32 (sum |w| * 32768 + |bias| = 7 * 32768 + 6),
// so the accumulator is narrowed to int32 exactly and requantized as usual,
// here to int16.
// CHECK-LABEL: func @int16_conv
// CHECK-DAG: %[[X:.*]] = quant.scast %{{.*}} : tensor<1x2x2x1x!quant.uniform<i16:f32, 1.000000e-01>> to tensor<1x2x2x1xi16>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[6, -5]> : tensor<2xi48>}>
// CHECK-DAG: %[[XZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi16>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[X]], %{{.*}}, %[[B]], %[[XZP]], %{{.*}} {acc_type = i48, {{.*}}} : (tensor<1x2x2x1xi16>, tensor<2x1x1x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x2x2x2xi48>
// CHECK: %[[ACC32:.*]] = tosa.cast %[[ACC]] : (tensor<1x2x2x2xi48>) -> tensor<1x2x2x2xi32>
// CHECK: %[[Q:.*]] = quant.scast %[[ACC32]] : tensor<1x2x2x2xi32> to tensor<1x2x2x2x!quant.uniform<i32:f32:3, {5.000000e-02,2.500000e-02}>>
// CHECK: qopt.requantize %[[Q]] rounding fp32_rne : {{.*}} -> tensor<1x2x2x2x!quant.uniform<i16:f32, 2.000000e-03>>
func.func @int16_conv(%xq: tensor<1x2x2x1x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x2x2x2x!quant.uniform<i16:f32, 0.002>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x1x!quant.uniform<i16:f32, 0.1>> -> tensor<1x2x2x1xf32>
  %wq = qopt.constant dense<[[[[7]]], [[[-3]]]]> : tensor<2x1x1x1xi8> -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>>
  %w = qopt.dequantize %wq : tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}>> -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.3, -0.125]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x2xf32> -> tensor<1x2x2x2x!quant.uniform<i16:f32, 0.002>>
  return %yq : tensor<1x2x2x2x!quant.uniform<i16:f32, 0.002>>
}

// -----

// An int16 fully-connected layer: TOSA's matmul wants both operands alike,
// so the int4 weights become int16; int48 accumulator narrowed to int32,
// then the int32 bias add.
// CHECK-LABEL: func @int16_matmul
// CHECK: %[[ACC:.*]] = tosa.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x1x3xi16>, tensor<1x3x2xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x2xi48>
// CHECK: %[[ACC32:.*]] = tosa.cast %[[ACC]] : (tensor<1x1x2xi48>) -> tensor<1x1x2xi32>
// CHECK: tosa.add %[[ACC32]], %{{.*}} : (tensor<1x1x2xi32>, tensor<1x1x2xi32>) -> tensor<1x1x2xi32>
// CHECK: qopt.requantize {{.*}} -> tensor<1x1x2x!quant.uniform<i8:f32, 2.000000e-01>>
func.func @int16_matmul(%aq: tensor<1x1x3x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x1x2x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x3x!quant.uniform<i16:f32, 0.1>> -> tensor<1x1x3xf32>
  %bq = qopt.constant dense<[[[-7, 1], [0, 7], [3, -1]]]> : tensor<1x3x2xi4> -> tensor<1x3x2x!quant.uniform<i4<-7:7>:f32:2, {0.5, 0.25}>>
  %b = qopt.dequantize %bq : tensor<1x3x2x!quant.uniform<i4<-7:7>:f32:2, {0.5, 0.25}>> -> tensor<1x3x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %bias = "tosa.const"() {values = dense<[[[0.5, -0.5]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %yb = tosa.add %y, %bias : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  %yq = qopt.quantize %yb rounding half_to_even : tensor<1x1x2xf32> -> tensor<1x1x2x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x2x!quant.uniform<i8:f32, 0.2>>
}

// -----

// int16 activations whose accumulator can leave int32: 600 weights of 127
// reach 600 * 127 * 32768 = 2496921600 > 2^31 - 1. The int48 accumulator
// is requantized by TOSA's RESCALE with a 16-bit multiplier (scale32 =
// false, the only form TOSA has for int48): m = 0.1 * 0.5 / 0.2 = 0.25 ->
// 16384 * 2^-16, single rounding. Execution: int16-wide-accumulator.mlir.
// CHECK-LABEL: func @int16_wide_matmul
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<16384> : tensor<1xi16>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<16> : tensor<1xi8>}>
// CHECK-DAG: %[[IZP:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi48>}>
// CHECK: %[[ACC:.*]] = tosa.matmul {{.*}} -> tensor<1x1x1xi48>
// CHECK-NOT: tosa.cast
// CHECK: %[[R:.*]] = tosa.rescale %[[ACC]], %[[M]], %[[S]], %[[IZP]], %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = false} : (tensor<1x1x1xi48>, tensor<1xi16>, tensor<1xi8>, tensor<1xi48>, tensor<1xi8>) -> tensor<1x1x1xi8>
// CHECK-NOT: tosa.clamp
// CHECK: quant.scast %[[R]] : tensor<1x1x1xi8> to tensor<1x1x1x!quant.uniform<i8:f32, 2.000000e-01>>
func.func @int16_wide_matmul(%aq: tensor<1x1x600x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x1x1x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x600x!quant.uniform<i16:f32, 0.1>> -> tensor<1x1x600xf32>
  %bq = qopt.constant dense<127> : tensor<1x600x1xi8> -> tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %b = qopt.dequantize %bq : tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>> -> tensor<1x600x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x600xf32>, tensor<1x600x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x1xf32> -> tensor<1x1x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// The same with a bias (+10 in the bound): TOSA has no int48 add, and
// the matmul has no bias operand (conv2d's int48 bias is inside the op).
func.func @int16_wide_matmul_bias(%aq: tensor<1x1x600x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x1x1x!quant.uniform<i8:f32, 0.2>> {
  %a = qopt.dequantize %aq : tensor<1x1x600x!quant.uniform<i16:f32, 0.1>> -> tensor<1x1x600xf32>
  %bq = qopt.constant dense<127> : tensor<1x600x1xi8> -> tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %b = qopt.dequantize %bq : tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>> -> tensor<1x600x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: with int16 activations its accumulator can reach 2496921610, beyond int32; TOSA has no int48 add for the bias of a matmul}}
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x600xf32>, tensor<1x600x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  %bias = "tosa.const"() {values = dense<0.5> : tensor<1x1x1xf32>} : () -> tensor<1x1x1xf32>
  %yb = tosa.add %y, %bias : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  %yq = qopt.quantize %yb rounding half_to_even : tensor<1x1x1xf32> -> tensor<1x1x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x1x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// Output scale 1e-5: m = 5000 fits TOSA's 16-bit form (< 2^13), but the
// rescaled worst case, 2496921600 * 5000, is beyond the int32 intermediate
// TOSA's RESCALE requires (upstream truncates it).
func.func @int16_wide_rescaled_overflow(%aq: tensor<1x1x600x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x1x1x!quant.uniform<i8:f32, 1.0e-05>> {
  %a = qopt.dequantize %aq : tensor<1x1x600x!quant.uniform<i16:f32, 0.1>> -> tensor<1x1x600xf32>
  %bq = qopt.constant dense<127> : tensor<1x600x1xi8> -> tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %b = qopt.dequantize %bq : tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>> -> tensor<1x600x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: with int16 activations its accumulator can reach 2496921600, beyond int32; rescaled to the output it can still reach 12484608000000, beyond TOSA's int32 intermediate}}
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x600xf32>, tensor<1x600x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x1xf32> -> tensor<1x1x1x!quant.uniform<i8:f32, 1.0e-05>>
  return %yq : tensor<1x1x1x!quant.uniform<i8:f32, 1.0e-05>>
}

// -----

// Output scale 1e-6: m = 50000 >= 2^13 has no 16-bit form.
func.func @int16_wide_multiplier_too_large(%aq: tensor<1x1x600x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x1x1x!quant.uniform<i8:f32, 1.0e-06>> {
  %a = qopt.dequantize %aq : tensor<1x1x600x!quant.uniform<i16:f32, 0.1>> -> tensor<1x1x600xf32>
  %bq = qopt.constant dense<127> : tensor<1x600x1xi8> -> tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>>
  %b = qopt.dequantize %bq : tensor<1x600x1x!quant.uniform<i8<-127:127>:f32, 0.5>> -> tensor<1x600x1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: with int16 activations its accumulator can reach 2496921600, beyond int32; the requantize multiplier 50000.000000 is beyond TOSA's 16-bit form (< 2^13)}}
  %y = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x600xf32>, tensor<1x600x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x1x1xf32> -> tensor<1x1x1x!quant.uniform<i8:f32, 1.0e-06>>
  return %yq : tensor<1x1x1x!quant.uniform<i8:f32, 1.0e-06>>
}

// -----

// int16 activations with a zero point: TOSA's int16 layers have none.
func.func @int16_zero_point(%xq: tensor<1x2x2x1x!quant.uniform<i16:f32, 0.1:7>>) -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>> {
  %x = qopt.dequantize %xq : tensor<1x2x2x1x!quant.uniform<i16:f32, 0.1:7>> -> tensor<1x2x2x1xf32>
  %wq = qopt.constant dense<3> : tensor<1x1x1x1xi8> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %w = qopt.dequantize %wq : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>> -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-warning @+1 {{kept in float: int16 activations need a signed type with zero point 0 (symmetric), as TOSA's int16 layers do}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
  return %yq : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// int16 add (here with an int8 input): TFLite's int16 add, both inputs
// requantized to 2 * max(s) / 2^15 (not 2^20: 2 * 2^15 * 2^15 must fit
// int32), int32 add, requantize to int16.
// CHECK-LABEL: func @int16_add
// CHECK: %[[A:.*]] = qopt.requantize %arg0 rounding fp32_rne : tensor<4x!quant.uniform<i16:f32, 1.000000e-01>> -> tensor<4x!quant.uniform<i32:f32, 6.103515625{{0*[0-9]?}}E-6>>
// CHECK: %[[B:.*]] = qopt.requantize %arg1 rounding fp32_rne : tensor<4x!quant.uniform<i8:f32, 5.000000e-02:3>> -> tensor<4x!quant.uniform<i32:f32, 6.103515625{{0*[0-9]?}}E-6>>
// CHECK: tosa.add {{.*}} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: qopt.requantize {{.*}} -> tensor<4x!quant.uniform<i16:f32, 2.000000e-01>>
func.func @int16_add(%a: tensor<4x!quant.uniform<i16:f32, 0.1>>, %b: tensor<4x!quant.uniform<i8:f32, 0.05:3>>) -> tensor<4x!quant.uniform<i16:f32, 0.2>> {
  %da = qopt.dequantize %a : tensor<4x!quant.uniform<i16:f32, 0.1>> -> tensor<4xf32>
  %db = qopt.dequantize %b : tensor<4x!quant.uniform<i8:f32, 0.05:3>> -> tensor<4xf32>
  %s = tosa.add %da, %db : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = qopt.quantize %s rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.2>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.2>>
}

// -----

// int16 mul: |a| * |b| <= 2^30 fits int32.
// CHECK-LABEL: func @int16_mul
// CHECK: tosa.mul {{.*}} : (tensor<4xi32>, tensor<4xi32>, tensor<1xi8>) -> tensor<4xi32>
// CHECK: qopt.requantize {{.*}} -> tensor<4x!quant.uniform<i16:f32, 2.000000e-01>>
func.func @int16_mul(%a: tensor<4x!quant.uniform<i16:f32, 0.1>>, %b: tensor<4x!quant.uniform<i16:f32, 0.05>>) -> tensor<4x!quant.uniform<i16:f32, 0.2>> {
  %da = qopt.dequantize %a : tensor<4x!quant.uniform<i16:f32, 0.1>> -> tensor<4xf32>
  %db = qopt.dequantize %b : tensor<4x!quant.uniform<i16:f32, 0.05>> -> tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = tosa.mul %da, %db, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %q = qopt.quantize %s rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.2>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.2>>
}

// -----

// uint16 inputs: 65535 * 65528 leaves int32.
func.func @int16_mul_overflow(%a: tensor<4x!quant.uniform<u16:f32, 0.1>>, %b: tensor<4x!quant.uniform<u16:f32, 0.05:7>>) -> tensor<4x!quant.uniform<i16:f32, 0.2>> {
  %da = qopt.dequantize %a : tensor<4x!quant.uniform<u16:f32, 0.1>> -> tensor<4xf32>
  %db = qopt.dequantize %b : tensor<4x!quant.uniform<u16:f32, 0.05:7>> -> tensor<4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-warning @+1 {{kept in float: the product of its inputs (minus their zero points) can leave int32}}
  %s = tosa.mul %da, %db, %shift : (tensor<4xf32>, tensor<4xf32>, tensor<1xi8>) -> tensor<4xf32>
  %q = qopt.quantize %s rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.2>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.2>>
}

// -----

// int16 concat: the int8 input is requantized to the int16 output type.
// CHECK-LABEL: func @int16_concat
// CHECK: %[[B:.*]] = qopt.requantize %arg1 {{.*}} -> tensor<2x!quant.uniform<i16:f32, 1.000000e-01>>
// CHECK: tosa.concat {{.*}} : (tensor<2xi16>, tensor<2xi16>) -> tensor<4xi16>
func.func @int16_concat(%a: tensor<2x!quant.uniform<i16:f32, 0.1>>, %b: tensor<2x!quant.uniform<i8:f32, 0.05:3>>) -> tensor<4x!quant.uniform<i16:f32, 0.1>> {
  %da = qopt.dequantize %a : tensor<2x!quant.uniform<i16:f32, 0.1>> -> tensor<2xf32>
  %db = qopt.dequantize %b : tensor<2x!quant.uniform<i8:f32, 0.05:3>> -> tensor<2xf32>
  // expected-remark @+1 {{requantize inserted: a concat input has its own range}}
  %c = tosa.concat %da, %db {axis = 0 : i32} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  %q = qopt.quantize %c rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 0.1>>
  return %q : tensor<4x!quant.uniform<i16:f32, 0.1>>
}
