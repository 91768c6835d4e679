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
  // expected-warning @+1 {{kept in float: input is not a dequantized 8-bit per-tensor tensor}}
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

// Ops with no integer form yet are named in a warning; data movement is not.
// CHECK-LABEL: func @float_kept_ops
func.func @float_kept_ops(%x: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4xf32> {
  %s = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  // expected-warning @+1 {{kept in float: qopt has no integer form for 'tosa.clamp' yet}}
  %r = tosa.clamp %d {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %q = qopt.quantize %r rounding half_to_even : tensor<1x2x2x1xf32> -> tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>
  %d2 = qopt.dequantize %q : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  %flat = tosa.reshape %d2, %s : (tensor<1x2x2x1xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
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

// A different output scale would need a rescale: kept in float.
func.func @max_pool_rescaled(%x: tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.2>> {
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<i8:f32, 0.1>> -> tensor<1x2x2x1xf32>
  // expected-warning @+1 {{kept in float: its input and output are quantized differently}}
  %p = tosa.max_pool2d %d {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.2>>
  return %q : tensor<1x1x1x1x!quant.uniform<i8:f32, 0.2>>
}

// -----

// uint8 storage is not handled yet: kept in float.
func.func @max_pool_uint8(%x: tensor<1x2x2x1x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:128>> {
  %d = qopt.dequantize %x : tensor<1x2x2x1x!quant.uniform<u8:f32, 0.1:128>> -> tensor<1x2x2x1xf32>
  // expected-warning @+1 {{kept in float: it is not quantized signed 8-bit per tensor}}
  %p = tosa.max_pool2d %d {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %q = qopt.quantize %p rounding half_to_even : tensor<1x1x1x1xf32> -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:128>>
  return %q : tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:128>>
}
