// RUN: qopt %s -split-input-file --qopt-split-int16-layers | FileCheck %s

// x = 256 hi + lo: the int16 x int8 convolution narrowed to int32 becomes
// two int8 convolutions, hi = x >> 8 (zero point 0) and lo - 128 =
// (x & 255) - 128 (zero point -128, which also pads with x = 0), the bias in
// the unscaled half, and 256 * high + low. Weights within [-8, 7] become
// int4. Execution (against TOSA's int16 forms): int16-layers-native.mlir.
// CHECK-LABEL: func @conv
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[6, -5]> : tensor<2xi32>}>
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<2x3x3x1xi4>}>
// CHECK-DAG: %[[ZERO:.*]] = "tosa.const"() <{values = dense<0> : tensor<2xi32>}>
// CHECK-DAG: %[[M128:.*]] = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}>
// CHECK-DAG: %[[Z8:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG: %[[C256:.*]] = "tosa.const"() <{values = dense<256> : tensor<1x1x1x1xi32>}>
// CHECK: %[[SHR:.*]] = tosa.arithmetic_right_shift %arg0, %{{.*}} {round = false}
// CHECK: %[[HI:.*]] = tosa.cast %[[SHR]] : (tensor<1x4x4x1xi16>) -> tensor<1x4x4x1xi8>
// CHECK: %[[AND:.*]] = tosa.bitwise_and %arg0
// CHECK: %[[SUB:.*]] = tosa.sub %[[AND]]
// CHECK: %[[LO:.*]] = tosa.cast %[[SUB]] : (tensor<1x4x4x1xi16>) -> tensor<1x4x4x1xi8>
// CHECK: %[[HIGH:.*]] = tosa.conv2d %[[HI]], %[[W]], %[[ZERO]], %[[Z8]], %{{.*}} {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
// CHECK: %[[LOW:.*]] = tosa.conv2d %[[LO]], %[[W]], %[[B]], %[[M128]], %{{.*}} {acc_type = i32
// CHECK: %[[SCALED:.*]] = tosa.mul %[[HIGH]], %[[C256]], %[[Z8]]
// CHECK: %[[SUM:.*]] = tosa.add %[[SCALED]], %[[LOW]] : (tensor<1x4x4x2xi32>, tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xi32>
// CHECK: return %[[SUM]]
func.func @conv(%x: tensor<1x4x4x1xi16>) -> tensor<1x4x4x2xi32> {
  %w = "tosa.const"() {values = dense<[[[[7], [-8], [0]], [[1], [2], [3]], [[-1], [-2], [-3]]], [[[-3], [5], [6]], [[4], [0], [0]], [[0], [0], [1]]]]> : tensor<2x3x3x1xi8>} : () -> tensor<2x3x3x1xi8>
  %b = "tosa.const"() {values = dense<[6, -5]> : tensor<2xi48>} : () -> tensor<2xi48>
  %xzp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %xzp, %wzp {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xi16>, tensor<2x3x3x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x4x2xi48>
  %a = tosa.cast %acc : (tensor<1x4x4x2xi48>) -> tensor<1x4x4x2xi32>
  return %a : tensor<1x4x4x2xi32>
}

// -----

// Depthwise, int8 weights (127 does not fit int4).
// CHECK-LABEL: func @depthwise
// CHECK-COUNT-2: tosa.depthwise_conv2d {{.*}} : (tensor<1x3x3x2xi8>, tensor<3x3x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x2xi32>
// CHECK: tosa.mul
// CHECK: tosa.add
func.func @depthwise(%x: tensor<1x3x3x2xi16>) -> tensor<1x1x1x2xi32> {
  %w = "tosa.const"() {values = dense<127> : tensor<3x3x2x1xi8>} : () -> tensor<3x3x2x1xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<2xi48>} : () -> tensor<2xi48>
  %xzp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %acc = tosa.depthwise_conv2d %x, %w, %b, %xzp, %wzp {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi16>, tensor<3x3x2x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x1x1x2xi48>
  %a = tosa.cast %acc : (tensor<1x1x1x2xi48>) -> tensor<1x1x1x2xi32>
  return %a : tensor<1x1x1x2xi32>
}

// -----

// TOSA's int16 matmul holds its weights as int16: narrowed back to int8.
// CHECK-LABEL: func @matmul
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x3x2xi8>}>
// CHECK-COUNT-2: tosa.matmul {{.*}} : (tensor<1x1x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x2xi32>
func.func @matmul(%a: tensor<1x1x3xi16>) -> tensor<1x1x2xi32> {
  %b = "tosa.const"() {values = dense<[[[-100, 1], [0, 7], [3, 127]]]> : tensor<1x3x2xi16>} : () -> tensor<1x3x2xi16>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %acc = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x3xi16>, tensor<1x3x2xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x2xi48>
  %r = tosa.cast %acc : (tensor<1x1x2xi48>) -> tensor<1x1x2xi32>
  return %r : tensor<1x1x2xi32>
}

// -----

// Left alone: int16 weights beyond int8.
// CHECK-LABEL: func @wide_weights
// CHECK: tosa.matmul {{.*}} -> tensor<1x1x1xi48>
// CHECK-NOT: tosa.arithmetic_right_shift
func.func @wide_weights(%a: tensor<1x1x3xi16>) -> tensor<1x1x1xi32> {
  %b = "tosa.const"() {values = dense<[[[300], [0], [1]]]> : tensor<1x3x1xi16>} : () -> tensor<1x3x1xi16>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %acc = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x3xi16>, tensor<1x3x1xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x1xi48>
  %r = tosa.cast %acc : (tensor<1x1x1xi48>) -> tensor<1x1x1xi32>
  return %r : tensor<1x1x1xi32>
}

// -----

// Left alone: 600 weights of 127 can reach 2496921600, beyond int32, so
// the narrowing is not known to be exact (qopt-convert-qdq-to-integer
// would have requantized from int48 instead).
// CHECK-LABEL: func @unproven
// CHECK: tosa.matmul {{.*}} -> tensor<1x1x1xi48>
// CHECK-NOT: tosa.arithmetic_right_shift
func.func @unproven(%a: tensor<1x1x600xi16>) -> tensor<1x1x1xi32> {
  %b = "tosa.const"() {values = dense<127> : tensor<1x600x1xi16>} : () -> tensor<1x600x1xi16>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %acc = tosa.matmul %a, %b, %zp, %zp : (tensor<1x1x600xi16>, tensor<1x600x1xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x1xi48>
  %r = tosa.cast %acc : (tensor<1x1x1xi48>) -> tensor<1x1x1xi32>
  return %r : tensor<1x1x1xi32>
}

// -----

// Left alone: an accumulator with another use than the narrowing.
// CHECK-LABEL: func @other_use
// CHECK: tosa.conv2d {{.*}} -> tensor<1x1x1x1xi48>
// CHECK-NOT: tosa.arithmetic_right_shift
func.func @other_use(%x: tensor<1x1x1x1xi16>) -> (tensor<1x1x1x1xi32>, tensor<1x1x1x1xi48>) {
  %w = "tosa.const"() {values = dense<3> : tensor<1x1x1x1xi8>} : () -> tensor<1x1x1x1xi8>
  %b = "tosa.const"() {values = dense<0> : tensor<1xi48>} : () -> tensor<1xi48>
  %xzp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %xzp, %wzp {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xi16>, tensor<1x1x1x1xi8>, tensor<1xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x1x1x1xi48>
  %a = tosa.cast %acc : (tensor<1x1x1x1xi48>) -> tensor<1x1x1x1xi32>
  return %a, %acc : tensor<1x1x1x1xi32>, tensor<1x1x1x1xi48>
}
