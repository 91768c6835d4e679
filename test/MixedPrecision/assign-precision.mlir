// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-bytes=1300" | FileCheck %s --check-prefix=BYTES
// RUN: qopt %s -split-input-file --qopt-assign-precision="average-bits=6" | FileCheck %s --check-prefix=AVG
// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-latency=25" | FileCheck %s --check-prefix=LAT
// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-bytes=1300 budget-latency=25" | FileCheck %s --check-prefix=BOTH

// Hand-made sensitivity tables whose optimum is known. Layers A (800
// weights), B and C (400 each) cost 800/400/400 bytes at 8 bits and
// 400/200/200 at 4 bits (int4 storage), 1600 in all at 8 bits.
//
// budget-bytes=1300 must save 300 bytes. A alone at 4 bits saves the most
// per unit of noise (400 bytes for 0.05), but B and C together (400 bytes
// for 0.02 + 0.02) are quieter; a greedy choice would pick A.
// average-bits=6 is 1200 bytes: the same choice.
// budget-latency=25: 8-bit A is slow (20 us; 4-bit 8 us), so A goes 4-bit.
// Both budgets: A 4-bit is the only way (it saves 400 bytes and 12 us).
// BYTES-LABEL: func @greedy_is_not_optimal
// BYTES: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8, symmetric, narrow_range, per_channel(axis = 0)>}
// BYTES: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4, symmetric, narrow_range, per_channel(axis = 0)>}
// BYTES: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4, symmetric, narrow_range, per_channel(axis = 0)>}
// BYTES-NOT: qopt.sensitivity
// AVG-LABEL: func @greedy_is_not_optimal
// AVG: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
// AVG: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// AVG: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// LAT-LABEL: func @greedy_is_not_optimal
// LAT: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// LAT: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
// LAT: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
// BOTH-LABEL: func @greedy_is_not_optimal
// BOTH: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// BOTH: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
// BOTH: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
func.func @greedy_is_not_optimal(%x: tensor<1x1x1x100xf32>) -> (tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wA = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x100xf32>}> : () -> tensor<8x1x1x100xf32>
  %bA = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %yA = tosa.conv2d %x, %wA, %bA, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.05], latency = [20.0, 8.0]>} : (tensor<1x1x1x100xf32>, tensor<8x1x1x100xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x8xf32>
  %wB = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bB = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yB = tosa.conv2d %x, %wB, %bB, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.02], latency = [5.0, 5.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %wC = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bC = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yC = tosa.conv2d %x, %wC, %bC, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.02], latency = [5.0, 5.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  return %yA, %yB, %yC : tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
}

// -----

// Three widths, listed in any order. 2-bit (ternary) weights are stored as
// int4, so under a byte budget they cost what 4-bit does and are chosen
// only if quieter. A layer offering only 8 bits stays 8-bit. Budget 1300
// of 1600: A goes to 4 bits (400 bytes saved; 2-bit saves the same but
// is noisier); B keeps 8 bits.
// BYTES-LABEL: func @three_widths
// BYTES: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// BYTES: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
// BYTES: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
func.func @three_widths(%x: tensor<1x1x1x100xf32>) -> (tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wA = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x100xf32>}> : () -> tensor<8x1x1x100xf32>
  %bA = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %yA = tosa.conv2d %x, %wA, %bA, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [2, 4, 8], noise = [0.3, 0.01, 0.0], latency = [1.0, 1.0, 1.0]>} : (tensor<1x1x1x100xf32>, tensor<8x1x1x100xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x8xf32>
  %wB = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bB = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yB = tosa.conv2d %x, %wB, %bB, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 2], noise = [0.0, 0.02, 0.4], latency = [1.0, 1.0, 1.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %wC = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bC = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yC = tosa.conv2d %x, %wC, %bC, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], latency = [1.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  return %yA, %yB, %yC : tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
}

// -----

// Weights shared by two layers: each layer gets its own copy of the
// constant, carrying its own width. Budget 1300 must save 300 bytes: A at
// 4 bits saves 400 for noise 0.5, B and C together save 400 for 0.03.
// BYTES-LABEL: func @shared_weights
// BYTES-DAG: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// BYTES-DAG: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// BYTES-DAG: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
func.func @shared_weights(%x: tensor<1x1x1x100xf32>) -> (tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wA = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x100xf32>}> : () -> tensor<8x1x1x100xf32>
  %bA = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %yA = tosa.conv2d %x, %wA, %bA, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.5], latency = [1.0, 1.0]>} : (tensor<1x1x1x100xf32>, tensor<8x1x1x100xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x8xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yB = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.01], latency = [1.0, 1.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %yC = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.02], latency = [1.0, 1.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  return %yA, %yB, %yC : tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
}
