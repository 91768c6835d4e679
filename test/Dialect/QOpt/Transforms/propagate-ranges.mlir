// RUN: qopt %s -split-input-file --pass-pipeline='builtin.module(func.func(qopt-propagate-ranges))' | FileCheck %s

// Fixed-range ops get their mathematical range, whatever was calibrated.
// CHECK-LABEL: func @fixed_range
// CHECK: tosa.sigmoid {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 1.000000e+00>
// CHECK: tosa.tanh {{.*}}qopt.range = #qopt.range<min = -1.000000e+00, max = 1.000000e+00>
func.func @fixed_range(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = tosa.sigmoid %x {qopt.range = #qopt.range<min = 0.2, max = 0.7>} : (tensor<4xf32>) -> tensor<4xf32>
  %t = tosa.tanh %x {qopt.range = #qopt.range<min = -0.5, max = 0.9>} : (tensor<4xf32>) -> tensor<4xf32>
  return %s, %t : tensor<4xf32>, tensor<4xf32>
}

// -----

// A ReLU6 whose producer has no other use: the clamp's range, tightened to
// its bounds, becomes the producer's, so the producer's requantize
// saturates where the clamp would.
// CHECK-LABEL: func @clamp_fusion
// CHECK: tosa.add {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 6.000000e+00>
// CHECK: tosa.clamp {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 6.000000e+00>
func.func @clamp_fusion(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tosa.add %x, %x {qopt.range = #qopt.range<min = -3.0, max = 9.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32, qopt.range = #qopt.range<min = 0.0, max = 7.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A producer with another use keeps its own range.
// CHECK-LABEL: func @clamp_shared_producer
// CHECK: tosa.add {{.*}}qopt.range = #qopt.range<min = -3.000000e+00, max = 9.000000e+00>
// CHECK: tosa.clamp {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 6.000000e+00>
func.func @clamp_shared_producer(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = tosa.add %x, %x {qopt.range = #qopt.range<min = -3.0, max = 9.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tosa.clamp %a {min_val = 0.0 : f32, max_val = 6.0 : f32, qopt.range = #qopt.range<min = 0.0, max = 6.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %r, %a : tensor<4xf32>, tensor<4xf32>
}

// -----

// Through a same-scale op: conv -> max_pool -> relu puts the relu's range
// on the pool and on the conv. The clamp's bounds are applied to a range
// calibration never saw inside them: [-5, -1] with relu gives [0, 0].
// CHECK-LABEL: func @clamp_through_pool
// CHECK: tosa.add {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 4.000000e+00>
// CHECK: tosa.max_pool2d {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 4.000000e+00>
// CHECK: tosa.clamp {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 4.000000e+00>
// CHECK: tosa.clamp {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 0.000000e+00>
func.func @clamp_through_pool(%x: tensor<1x2x2x1xf32>, %y: tensor<4xf32>) -> (tensor<1x1x1x1xf32>, tensor<4xf32>) {
  %a = tosa.add %x, %x {qopt.range = #qopt.range<min = -2.0, max = 5.0>} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %p = tosa.max_pool2d %a {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>, qopt.range = #qopt.range<min = -1.0, max = 5.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %r = tosa.clamp %p {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, qopt.range = #qopt.range<min = 0.0, max = 4.0>} : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  %n = tosa.clamp %y {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, qopt.range = #qopt.range<min = -5.0, max = -1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %r, %n : tensor<1x1x1x1xf32>, tensor<4xf32>
}

// -----

// Same-scale ops take their input's range (here from a function argument,
// which itself is never changed).
// CHECK-LABEL: func @same_scale
// CHECK-SAME: qopt.range = #qopt.range<min = -1.000000e+00, max = 3.000000e+00>
// CHECK: tosa.avg_pool2d {{.*}}qopt.range = #qopt.range<min = -1.000000e+00, max = 3.000000e+00>
// CHECK: tosa.transpose {{.*}}qopt.range = #qopt.range<min = -1.000000e+00, max = 3.000000e+00>
// CHECK: tosa.reshape {{.*}}qopt.range = #qopt.range<min = -1.000000e+00, max = 3.000000e+00>
// CHECK: tosa.slice {{.*}}qopt.range = #qopt.range<min = -1.000000e+00, max = 3.000000e+00>
func.func @same_scale(%x: tensor<1x2x2x1xf32> {qopt.range = #qopt.range<min = -1.0, max = 3.0>}) -> tensor<1x1xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %p = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.range = #qopt.range<min = 0.0, max = 2.0>} : (tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %t = tosa.transpose %p {perms = array<i32: 0, 3, 1, 2>, qopt.range = #qopt.range<min = 0.5, max = 2.0>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x2x2xf32>
  %s = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %t, %s {qopt.range = #qopt.range<min = 0.5, max = 2.0>} : (tensor<1x1x2x2xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
  %start = tosa.const_shape {values = dense<[0, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[1, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %sl = tosa.slice %r, %start, %size {qopt.range = #qopt.range<min = 0.5, max = 0.5>} : (tensor<1x4xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<1x1xf32>
  return %sl : tensor<1x1xf32>
}

// -----

// Concat: inputs and result share the union of all their ranges (here the
// calibrated concat range misses the mul's, as if it had been set by hand);
// an input whose producer has another use keeps its own.
// CHECK-LABEL: func @concat
// CHECK: %[[A:.*]] = tosa.add {{.*}}qopt.range = #qopt.range<min = -2.000000e+00, max = 9.000000e+00>
// CHECK: %[[B:.*]] = tosa.sub {{.*}}qopt.range = #qopt.range<min = -2.000000e+00, max = 9.000000e+00>
// CHECK: %[[C:.*]] = tosa.mul {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 9.000000e+00>
// CHECK: tosa.concat %[[A]], %[[B]], %[[C]] {{.*}}qopt.range = #qopt.range<min = -2.000000e+00, max = 9.000000e+00>
func.func @concat(%x: tensor<2xf32>) -> (tensor<6xf32>, tensor<2xf32>) {
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %a = tosa.add %x, %x {qopt.range = #qopt.range<min = 0.0, max = 5.0>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %b = tosa.sub %x, %x {qopt.range = #qopt.range<min = -2.0, max = 1.0>} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = tosa.mul %x, %x, %shift {qopt.range = #qopt.range<min = 0.0, max = 9.0>} : (tensor<2xf32>, tensor<2xf32>, tensor<1xi8>) -> tensor<2xf32>
  %cat = tosa.concat %a, %b, %c {axis = 0 : i32, qopt.range = #qopt.range<min = -2.0, max = 5.0>} : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<6xf32>
  return %cat, %c : tensor<6xf32>, tensor<2xf32>
}

// -----

// Fully-connected bias: the matmul and its reshape lose their ranges (the
// bias joins the int32 accumulator); the add keeps its own.
// CHECK-LABEL: func @matmul_bias
// CHECK: tosa.matmul
// CHECK-NOT: qopt.range
// CHECK: tosa.add {{.*}}qopt.range = #qopt.range<min = -4.000000e+00, max = 4.000000e+00>
func.func @matmul_bias(%a: tensor<1x1x2xf32>) -> tensor<1x3xf32> {
  %m = "tosa.const"() {values = dense<1.0> : tensor<1x2x3xf32>} : () -> tensor<1x2x3xf32>
  %bias = "tosa.const"() {values = dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>} : () -> tensor<1x3xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %s = tosa.const_shape {values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %mm = tosa.matmul %a, %m, %zp, %zp {qopt.range = #qopt.range<min = -3.0, max = 2.0>} : (tensor<1x1x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %r = tosa.reshape %mm, %s {qopt.range = #qopt.range<min = -3.0, max = 2.0>} : (tensor<1x1x3xf32>, !tosa.shape<2>) -> tensor<1x3xf32>
  %fc = tosa.add %r, %bias {qopt.range = #qopt.range<min = -4.0, max = 4.0>} : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  return %fc : tensor<1x3xf32>
}

// -----

// Values without a range get none: nothing is invented.
// CHECK-LABEL: func @no_range
// CHECK-NOT: qopt.range
// CHECK: return
func.func @no_range(%x: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  %p = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  %r = tosa.clamp %p {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %r : tensor<1x1x1x1xf32>
}
