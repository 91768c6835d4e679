// RUN: qopt %s -split-input-file --pass-pipeline='builtin.module(func.func(qopt-insert-qdq))' | FileCheck %s
// RUN: qopt %s -split-input-file --pass-pipeline='builtin.module(func.func(qopt-insert-qdq{activation-policy="ui8, asymmetric, per_tensor" weight-policy="" rounding=half_away_from_zero}))' | FileCheck %s --check-prefix=OPTS

// Default activation policy si8 asymmetric per tensor: [-1, 2.5] gives
// scale 3.5/255 and zp = -128 - round(-1 / scale) = -55 (PyTorch formula).
// CHECK-LABEL: func @activation
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[Q:.*]] = qopt.quantize %[[X]] rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i8:f32, 0.013725490309298038:-55>>
// CHECK: %[[DQ:.*]] = qopt.dequantize %[[Q]]
// CHECK: arith.addf %[[DQ]], %[[DQ]]
// CHECK-NOT: qopt.range
// OPTS-LABEL: func @activation
// OPTS: qopt.quantize %{{.*}} rounding half_away_from_zero : tensor<4xf32> -> tensor<4x!quant.uniform<u8:f32, 0.013725490309298038:73>>
func.func @activation(%x: tensor<4xf32> {qopt.range = #qopt.range<min = -1.0, max = 2.5>}) -> tensor<4xf32> {
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An op result with its own policy (si16 symmetric: scale = 4 / 32767.5, the
// PyTorch divisor); every later user reads the dequantized value.
// CHECK-LABEL: func @result_with_policy
// CHECK: %[[A:.*]] = arith.addf
// CHECK-NOT: qopt.policy
// CHECK: %[[Q:.*]] = qopt.quantize %[[A]] rounding half_to_even : tensor<4xf32> -> tensor<4x!quant.uniform<i16:f32, 1.2207217514514923E-4>>
// CHECK: %[[DQ:.*]] = qopt.dequantize %[[Q]]
// CHECK: arith.mulf %[[DQ]], %[[DQ]]
// CHECK: return %[[DQ]]
func.func @result_with_policy(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = arith.addf %x, %x {qopt.range = #qopt.range<min = -4.0, max = 2.0>, qopt.policy = #qopt.policy<si16, symmetric, per_tensor>} : tensor<4xf32>
  %1 = arith.mulf %0, %0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Weights: per-channel policy from the annotation; constants with two or
// more non-unit dimensions without one get weight-policy (per tensor);
// vectors (biases) stay float.
// CHECK-LABEL: func @weights
// CHECK-DAG: %[[W:.*]] = qopt.quantize %{{.*}} rounding half_to_even : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:0, {0.0039370078593492508,0.031496062874794006}>>
// CHECK-DAG: qopt.quantize %{{.*}} : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32, 0.031496062874794006>>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// OPTS-LABEL: func @weights
// OPTS: qopt.quantize %{{.*}} : tensor<2x2xf32> -> tensor<2x2x!quant.uniform<i8<-127:127>:f32:0,
// OPTS-NOT: qopt.quantize
// OPTS: return
func.func @weights() -> (tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>) {
  %w = arith.constant {qopt.policy = #qopt.policy<si8, symmetric, narrow_range, per_channel(axis = 0)>} dense<[[0.5, -0.25], [4.0, 1.0]]> : tensor<2x2xf32>
  %v = arith.constant dense<[[0.5, -0.25], [4.0, 1.0]]> : tensor<2x2xf32>
  %b = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %w, %v, %b : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2xf32>
}

// -----

// Per-group int4 weights become a sub-channel type.
// CHECK-LABEL: func @group_weights
// CHECK: qopt.quantize %{{.*}} : tensor<2x4xf32> -> tensor<2x4x!quant.uniform<i4:f32:{0:1, 1:2}, {{\{}}{0.13333334, 0.533333361}, {0.266666681, 1.000000e+00}}>>
func.func @group_weights() -> tensor<2x4xf32> {
  %w = arith.constant {qopt.policy = #qopt.policy<si4, symmetric, per_group(axis = 1, size = 2)>} dense<[[1.0, -0.5, 4.0, 2.0], [2.0, 2.0, -7.5, 0.0]]> : tensor<2x4xf32>
  return %w : tensor<2x4xf32>
}

// -----

// Ternary and binary weights.
// CHECK-LABEL: func @low_bit_weights
// CHECK-DAG: tensor<2x3x!quant.uniform<i2<-1:1>:f32:0, {3.000000e+00,5.000000e-01}>>
// CHECK-DAG: tensor<2x3x!qopt.binary<f32:0, {2.000000e+00, 2.500000e-01}>>
func.func @low_bit_weights() -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %t = arith.constant {qopt.policy = #qopt.policy<ternary, per_channel(axis = 0)>} dense<[[3.0, -1.0, 2.0], [0.5, 0.0, -0.25]]> : tensor<2x3xf32>
  %b = arith.constant {qopt.policy = #qopt.policy<binary, per_channel(axis = 0)>} dense<[[3.0, -1.0, 2.0], [0.5, 0.0, -0.25]]> : tensor<2x3xf32>
  return %t, %b : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// tosa.const is a constant too.
// CHECK-LABEL: func @tosa_const
// CHECK: %[[C:.*]] = "tosa.const"
// CHECK: qopt.quantize %[[C]]
func.func @tosa_const() -> tensor<2x2xf32> {
  %w = "tosa.const"() {values = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  return %w : tensor<2x2xf32>
}

// -----

// A per-channel weight-policy applies along the output channels of the op
// each constant feeds, whatever axis the option names: conv2d OHWI 0,
// depthwise [KH, KW, C, M] 2, matmul [1, K, N] 2. A broadcast bias vector
// [1, C] is not a weight.
// RUN: qopt %s -split-input-file --pass-pipeline='builtin.module(func.func(qopt-insert-qdq{weight-policy="si8, symmetric, narrow_range, per_channel(axis = 0)"}))' | FileCheck %s --check-prefix=AXIS
// AXIS-LABEL: func @output_channel_axis
// AXIS-DAG: tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {
// AXIS-DAG: tensor<1x1x2x1x!quant.uniform<i8<-127:127>:f32:2, {
// AXIS-DAG: tensor<1x2x3x!quant.uniform<i8<-127:127>:f32:2, {
// AXIS-NOT: tensor<1x3x!quant
// AXIS: return
func.func @output_channel_axis(%x: tensor<1x2x2x1xf32>, %y: tensor<1x2x2x2xf32>, %a: tensor<1x1x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x3xf32>) {
  %w = "tosa.const"() {values = dense<[[[[0.5]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %dw = "tosa.const"() {values = dense<[[[[0.5], [-2.0]]]]> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %m = "tosa.const"() {values = dense<[[[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]]]> : tensor<1x2x3xf32>} : () -> tensor<1x2x3xf32>
  %bias = "tosa.const"() {values = dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>} : () -> tensor<1x3xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %s = tosa.const_shape {values = dense<[1, 3]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %d = tosa.depthwise_conv2d %y, %dw, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %mm = tosa.matmul %a, %m, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32>
  %r = tosa.reshape %mm, %s : (tensor<1x1x3xf32>, !tosa.shape<2>) -> tensor<1x3xf32>
  %fc = tosa.add %r, %bias : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  return %c, %d, %fc : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x3xf32>
}

// -----

// A per-group weight-policy groups along the axis each op sums over (conv2d
// OHWI: the input channels, 3; matmul [1, K, N]: K, 1), whatever axis the
// option names; an axis no longer than a group (1 input channel, a
// depthwise convolution) is per channel. Group scales are integer multiples
// m in [1, 16] of one unit per output channel (the channel's largest group
// scale / 16), m rounded up. Matmul column 0: groups |1, -0.5| and |4, 2|
// have scales 1/7.5 and 4/7.5, the unit 4/7.5/16, m = 4 and 16 (conv
// channel 1 likewise: 0.25/7.5 and 1/7.5); matmul column 1:
// |2, 2| and |-7.5, 0| have 2/7.5 and 1, the unit 1/16, and
// 2/7.5 = 4.27 units rounds up to m = 5: 0.3125.
// RUN: qopt %s -split-input-file --pass-pipeline='builtin.module(func.func(qopt-insert-qdq{weight-policy="si4, symmetric, per_group(axis = 0, size = 2)"}))' | FileCheck %s --check-prefix=GROUP
// GROUP-LABEL: func @group_axes
// GROUP-DAG: tensor<2x1x1x4x!quant.uniform<i4:f32:{0:1, 3:2}, {{\{}}{{\{}}{{\{}}{0.13333334, 0.533333361}}}, {{\{}}{{\{}}{0.0333333351, 0.13333334}}}}>>
// GROUP-DAG: tensor<2x1x1x1x!quant.uniform<i4:f32:0, {0.066666670143604279,0.26666668057441711}>>
// GROUP-DAG: tensor<1x1x2x1x!quant.uniform<i4:f32:2, {0.066666670143604279,0.26666668057441711}>>
// GROUP-DAG: tensor<1x4x2x!quant.uniform<i4:f32:{1:2, 2:1}, {{\{}}{{\{}}{0.13333334, 3.125000e-01}, {0.533333361, 1.000000e+00}}}>>
// GROUP: return
func.func @group_axes(%x: tensor<1x2x2x4xf32>, %x1: tensor<1x2x2x1xf32>, %y: tensor<1x2x2x2xf32>, %a: tensor<1x1x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x1x2xf32>) {
  %w = "tosa.const"() {values = dense<[[[[1.0, -0.5, 4.0, 2.0]]], [[[0.25, 0.0, -1.0, 0.5]]]]> : tensor<2x1x1x4xf32>} : () -> tensor<2x1x1x4xf32>
  %w1 = "tosa.const"() {values = dense<[[[[0.5]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %dw = "tosa.const"() {values = dense<[[[[0.5], [-2.0]]]]> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %m = "tosa.const"() {values = dense<[[[1.0, 2.0], [-0.5, 2.0], [4.0, -7.5], [2.0, 0.0]]]> : tensor<1x4x2xf32>} : () -> tensor<1x4x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x4xf32>, tensor<2x1x1x4xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %c1 = tosa.conv2d %x1, %w1, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %d = tosa.depthwise_conv2d %y, %dw, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %mm = tosa.matmul %a, %m, %zp, %zp : (tensor<1x1x4xf32>, tensor<1x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %c, %c1, %d, %mm : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x1x2xf32>
}
