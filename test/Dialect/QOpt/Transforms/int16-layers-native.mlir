// int16 x int8 layers under --codegen=native: qopt-split-int16-layers
// turns them into two int8 layers on the input's bytes, which the int8 GEMM
// kernels run. The reference is upstream's own lowering of TOSA's int16
// forms (int48 accumulator, then the narrowing cast); the outputs must be
// identical on every x86 target variant, with int16 edge values (-32768,
// 32767, -1, 255, 256, -256) and random ones, padding, strides, int4- and
// int8-range weights, and an int16-weight matmul.
// REQUIRES: numpy
// icelake-server runs only on hosts with AVX-512 VNNI (the JIT runs host code).
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python3 -c "import numpy as np; r = np.random.default_rng(5); e = np.array([-32768, 32767, -1, 0, 255, 256, -256, 1], np.float32); f = lambda s: np.concatenate([np.resize(e, (1,) + s), r.integers(-32768, 32768, (7,) + s)]).astype(np.float32); np.save('%t/conv.npy', f((5, 5, 3))); np.save('%t/dw.npy', f((4, 4, 2))); np.save('%t/mm.npy', f((2, 40)))"
// RUN: for fn in conv depthwise matmul; do in=$(echo $fn | sed 's/depthwise/dw/; s/matmul/mm/'); \
// RUN:   qopt-run %s --function=$fn --input %t/$in.npy --output %t/$fn.ref.npy > /dev/null && \
// RUN:   for target in host %if host-avx512-vnni %{icelake-server%} x86-64-v3 x86-64; do \
// RUN:     qopt-run %s --function=$fn --codegen=native --target=$target --input %t/$in.npy --output %t/$fn.$target.npy > /dev/null 2>&1 && \
// RUN:     cmp %t/$fn.ref.npy %t/$fn.$target.npy && echo "$fn $target identical"; done; done | FileCheck %s --check-prefixes=CHECK%if host-avx512-vnni %{,VNNI%}
// CHECK: conv host identical
// VNNI: conv icelake-server identical
// CHECK: conv x86-64-v3 identical
// CHECK: conv x86-64 identical
// CHECK: depthwise host identical
// VNNI: depthwise icelake-server identical
// CHECK: depthwise x86-64-v3 identical
// CHECK: depthwise x86-64 identical
// CHECK: matmul host identical
// VNNI: matmul icelake-server identical
// CHECK: matmul x86-64-v3 identical
// CHECK: matmul x86-64 identical
//
// The split happened (the int8 kernels ran, not the int16 reference).
// RUN: qopt %s --qopt-split-int16-layers | FileCheck %s --check-prefix=SPLIT
// SPLIT-COUNT-3: tosa.arithmetic_right_shift

// 3x3, stride 2, padding 1, 4 output channels; weights in [-8, 7], so the
// int8 halves take int4 weights (packed kernels); int48 bias.
func.func @conv(%xf: tensor<1x5x5x3xf32>) -> tensor<1x3x3x4xf32> {
  %x = tosa.cast %xf : (tensor<1x5x5x3xf32>) -> tensor<1x5x5x3xi16>
  %w = "tosa.const"() {values = dense<[[[[-8, -8, -8], [-2, -3, 7], [-3, -5, 6]], [[1, -4, -6], [-7, 4, 6], [-3, -8, -6]], [[-7, -7, -2], [-1, -8, 6], [2, 6, -2]]], [[[-1, 1, 7], [-8, -6, 6], [0, 5, -6]], [[0, 2, -1], [7, 7, 7], [-5, 4, -5]], [[1, 4, -6], [-8, -8, -2], [-2, -7, 7]]], [[[4, 4, 5], [-6, -2, 0], [2, -6, 1]], [[2, -8, 5], [-5, -4, -1], [-5, -8, -7]], [[6, 7, -3], [-2, 6, -2], [-4, 5, 4]]], [[[-5, 4, 5], [-2, -8, 0], [1, -8, -2]], [[-3, 4, -5], [-7, -4, -2], [6, 0, -8]], [[2, 1, 4], [-6, -6, -6], [-2, -1, -8]]]]> : tensor<4x3x3x3xi8>} : () -> tensor<4x3x3x3xi8>
  %b = "tosa.const"() {values = dense<[100000, -7, 0, 123456]> : tensor<4xi48>} : () -> tensor<4xi48>
  %xzp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %xzp, %wzp {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x5x5x3xi16>, tensor<4x3x3x3xi8>, tensor<4xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x3x3x4xi48>
  %a = tosa.cast %acc : (tensor<1x3x3x4xi48>) -> tensor<1x3x3x4xi32>
  %f = tosa.cast %a : (tensor<1x3x3x4xi32>) -> tensor<1x3x3x4xf32>
  return %f : tensor<1x3x3x4xf32>
}

// 3x3 depthwise, padding 1, weights +-127.
func.func @depthwise(%xf: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %x = tosa.cast %xf : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xi16>
  %w = "tosa.const"() {values = dense<[[[[127], [-127]], [[1], [2]], [[-3], [4]]], [[[5], [-6]], [[127], [127]], [[-128], [0]]], [[[9], [10]], [[-11], [12]], [[13], [-14]]]]> : tensor<3x3x2x1xi8>} : () -> tensor<3x3x2x1xi8>
  %b = "tosa.const"() {values = dense<[-5, 99]> : tensor<2xi48>} : () -> tensor<2xi48>
  %xzp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %acc = tosa.depthwise_conv2d %x, %w, %b, %xzp, %wzp {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi16>, tensor<3x3x2x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x4x2xi48>
  %a = tosa.cast %acc : (tensor<1x4x4x2xi48>) -> tensor<1x4x4x2xi32>
  %f = tosa.cast %a : (tensor<1x4x4x2xi32>) -> tensor<1x4x4x2xf32>
  return %f : tensor<1x4x4x2xf32>
}

// Fully connected, 2 rows x 40 depths x 3 columns, int16 weights holding
// int8 values (TOSA's int16 matmul wants alike operands).
func.func @matmul(%af: tensor<1x2x40xf32>) -> tensor<1x2x3xf32> {
  %a = tosa.cast %af : (tensor<1x2x40xf32>) -> tensor<1x2x40xi16>
  %b = "tosa.const"() {values = dense<[[[127, -128, 0], [1, 2, 3], [-1, -2, -3], [50, -50, 7], [127, 127, 127], [-128, -128, -128], [9, 8, 7], [6, 5, 4], [3, 2, 1], [0, 0, 0], [127, -128, 0], [1, 2, 3], [-1, -2, -3], [50, -50, 7], [127, 127, 127], [-128, -128, -128], [9, 8, 7], [6, 5, 4], [3, 2, 1], [0, 0, 0], [127, -128, 0], [1, 2, 3], [-1, -2, -3], [50, -50, 7], [127, 127, 127], [-128, -128, -128], [9, 8, 7], [6, 5, 4], [3, 2, 1], [0, 0, 0], [127, -128, 0], [1, 2, 3], [-1, -2, -3], [50, -50, 7], [127, 127, 127], [-128, -128, -128], [9, 8, 7], [6, 5, 4], [3, 2, 1], [0, 0, 0]]]> : tensor<1x40x3xi16>} : () -> tensor<1x40x3xi16>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %acc = tosa.matmul %a, %b, %zp, %zp : (tensor<1x2x40xi16>, tensor<1x40x3xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x2x3xi48>
  %r = tosa.cast %acc : (tensor<1x2x3xi48>) -> tensor<1x2x3xi32>
  %f = tosa.cast %r : (tensor<1x2x3xi32>) -> tensor<1x2x3xf32>
  return %f : tensor<1x2x3xf32>
}
