// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-latency=30" | FileCheck %s --check-prefix=L30
// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-latency=35" | FileCheck %s --check-prefix=L35
// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-latency=60 report=-" 2>&1 | FileCheck %s --check-prefix=L60
// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-latency=65" | FileCheck %s --check-prefix=L65
// RUN: qopt %s -split-input-file --qopt-assign-precision="budget-latency=60 average-bits=6" | FileCheck %s --check-prefix=BOTH

// Input activation widths as candidates (hand-made tables, optimum known).
// Conv A reads the argument %x, conv B reads clamp(%x): one activation,
// whose width A and B choose together and whose noise counts once. Conv
// C reads A's output, an activation of its own.
//
// Latencies (us) by (weight, activation) width: A 10/20 at 8 bits (a8/a16),
// 12/24 at 4 bits; B 10/30, 12/36; C 10/15, 12/18. All 8-bit: 30 us,
// noise 0.02 (x) + 0.005 (A's output).
//   30 us: nothing can change; 4-bit weights are slower here.
//   35 us: C's input goes 16-bit (+5 us): noise 0.02 + 1e-5.
//   60 us: x goes 16-bit (+30 us, A and B together) and C stays 8-bit:
//          0.0001 + 0.005 beats C alone. Widening x for A only (+10 us)
//          is not an assignment.
//   65 us: both 16-bit.
// With a byte budget too (average-bits=6: 924 of 1232 bytes) A's weights
// go 4-bit (B's cannot as well: 1032 bytes). Widening x would then take
// 24 + 30 + 10 us, over 60, so C's input is widened instead (37 us).
// L30-LABEL: func @shared_input
// L30-NOT: si16
// L30: return
// L35-LABEL: func @shared_input
// L35-NOT: si16
// L35: %[[A:.*]] = tosa.conv2d
// L35-SAME: policy = #qopt.policy<si16, symmetric, per_tensor>
// L35-NOT: si16
// L35: tosa.conv2d %[[A]]
// L35-NOT: si16
// L35: return
// L60: activation                            read by  output SQNR dB by width  width
// L60-NEXT: argument 0                                  2  8: 17.0  16: 40.0          16
// L60-NEXT: assign-precision-activations.mlir:{{[0-9]+}}        1  8: 23.0  16: 50.0           8
// L60-LABEL: func @shared_input
// L60-SAME: qopt.policy = #qopt.policy<si16, symmetric, per_tensor>
// L60: tosa.clamp
// L60-SAME: qopt.policy = #qopt.policy<si16, symmetric, per_tensor>
// L60-NOT: si16
// L60: return
// L65-LABEL: func @shared_input
// L65-SAME: qopt.policy = #qopt.policy<si16, symmetric, per_tensor>
// L65: tosa.conv2d
// L65-SAME: qopt.policy = #qopt.policy<si16, symmetric, per_tensor>
// L65: tosa.clamp
// L65-SAME: qopt.policy = #qopt.policy<si16, symmetric, per_tensor>
// L65-NOT: qopt.sensitivity
// L65: return
// BOTH-LABEL: func @shared_input
// BOTH-NOT: si16
// BOTH: tensor<8x1x1x100xf32>}> {qopt.policy = #qopt.policy<si4,
// BOTH: tosa.conv2d
// BOTH-SAME: qopt.policy = #qopt.policy<si16, symmetric, per_tensor>
// BOTH-NOT: si16
// BOTH: tensor<4x1x1x100xf32>}> {qopt.policy = #qopt.policy<si8,
// BOTH-NOT: si16
// BOTH: return
func.func @shared_input(%x: tensor<1x1x1x100xf32> {qopt.range = #qopt.range<min = -1.0, max = 1.0>}) -> (tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wA = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x100xf32>}> : () -> tensor<8x1x1x100xf32>
  %bA = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %yA = tosa.conv2d %x, %wA, %bA, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.range = #qopt.range<min = -50.0, max = 50.0>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.01], activation_bits = [8, 16], activation_noise = [0.02, 0.0001], latency = [10.0, 20.0, 12.0, 24.0]>} : (tensor<1x1x1x100xf32>, tensor<8x1x1x100xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x8xf32>
  %c = tosa.clamp %x {max_val = 1.0 : f32, min_val = 0.0 : f32, qopt.range = #qopt.range<min = 0.0, max = 1.0>} : (tensor<1x1x1x100xf32>) -> tensor<1x1x1x100xf32>
  %wB = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bB = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yB = tosa.conv2d %c, %wB, %bB, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.range = #qopt.range<min = -50.0, max = 50.0>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.01], activation_bits = [8, 16], activation_noise = [0.02, 0.0001], latency = [10.0, 30.0, 12.0, 36.0]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %wC = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x8xf32>}> : () -> tensor<4x1x1x8xf32>
  %bC = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yC = tosa.conv2d %yA, %wC, %bC, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.range = #qopt.range<min = -50.0, max = 50.0>, qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], activation_bits = [8, 16], activation_noise = [0.005, 0.00001], latency = [10.0, 15.0]>} : (tensor<1x1x1x8xf32>, tensor<4x1x1x8xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  return %yB, %yC : tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
}
