// Bad budgets and annotations: a precise error and a non-zero exit.
// RUN: not qopt %s -split-input-file --qopt-assign-precision="budget-bytes=1199" 2>&1 | FileCheck %s --check-prefix=LOW
// LOW: error: qopt-assign-precision: the budget of 1199 weight bytes is below the smallest assignment, 1200 bytes (every layer at its narrowest candidate width)
// RUN: not qopt %s -split-input-file --qopt-assign-precision="average-bits=3.9" 2>&1 | FileCheck %s --check-prefix=LOWBITS
// LOWBITS: error: qopt-assign-precision: the budget of 1170 weight bytes is below the smallest assignment, 1200 bytes
// RUN: not qopt %s -split-input-file --qopt-assign-precision="budget-latency=10" 2>&1 | FileCheck %s --check-prefix=LOWLAT
// LOWLAT: error: qopt-assign-precision: the latency budget of 10.0 us is below the fastest assignment, 12.0 us
// RUN: not qopt %s -split-input-file --qopt-assign-precision 2>&1 | FileCheck %s --check-prefix=NOBUDGET
// NOBUDGET: error: qopt-assign-precision: no budget: give budget-bytes, average-bits or budget-latency
// RUN: not qopt %s -split-input-file --qopt-assign-precision="budget-bytes=2000 average-bits=4" 2>&1 | FileCheck %s --check-prefix=TWO
// TWO: error: qopt-assign-precision: give budget-bytes or average-bits, not both
// RUN: not qopt %s -split-input-file --qopt-assign-precision="budget-bytes=-5" 2>&1 | FileCheck %s --check-prefix=NEG
// NEG: error: qopt-assign-precision: budgets must be positive
// RUN: not qopt %s -split-input-file --qopt-assign-precision="budget-bytes=1300 report=%t.missing/dir/r.txt" 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: error: qopt-assign-precision: cannot write the report '{{.*}}r.txt'
// RUN: not qopt %s -split-input-file --qopt-assign-precision="budget-latency=100" 2>&1 | FileCheck %s --check-prefix=NOLAT
// NOLAT: error: qopt-assign-precision: budget-latency needs a latency per width in qopt.sensitivity (latency = [...]); run qopt-measure-latency first

// A: 800 weights (800 / 400 bytes), B: 1600 weights (1600 / 800 bytes).
func.func @two_layers(%x: tensor<1x1x1x100xf32>) -> (tensor<1x1x1x8xf32>, tensor<1x1x1x16xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wA = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x100xf32>}> : () -> tensor<8x1x1x100xf32>
  %bA = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %yA = tosa.conv2d %x, %wA, %bA, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.01], latency = [9.0, 5.0]>} : (tensor<1x1x1x100xf32>, tensor<8x1x1x100xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x8xf32>
  %wB = "tosa.const"() <{values = dense<0.5> : tensor<16x1x1x100xf32>}> : () -> tensor<16x1x1x100xf32>
  %bB = "tosa.const"() <{values = dense<0.0> : tensor<16xf32>}> : () -> tensor<16xf32>
  %yB = tosa.conv2d %x, %wB, %bB, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.01], latency = [8.0, 7.0]>} : (tensor<1x1x1x100xf32>, tensor<16x1x1x100xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x16xf32>
  return %yA, %yB : tensor<1x1x1x8xf32>, tensor<1x1x1x16xf32>
}

// -----

func.func @latency_missing(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %y = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.1]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}
