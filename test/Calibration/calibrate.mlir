// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python3 -c "import numpy as np; np.save('%t/x.npy', np.array([[[-1, 0, 1, 2]], [[3, -4, 0.5, 0]], [[1, 1, 1, 1]]], np.float32)); np.savez('%t/data.npz', calib=np.array([[[-1, 0, 1, 2]], [[3, -4, 0.5, 0]], [[1, 1, 1, 1]]], np.float32))"
// RUN: qopt %s --qopt-calibrate="data=%t/x.npy" | FileCheck %s
// RUN: qopt %s --qopt-calibrate="data=%t/data.npz:calib observer=percentile percentile=100" | FileCheck %s
// RUN: qopt %s --qopt-calibrate="data=%t/x.npy max-samples=1" | FileCheck %s --check-prefix=ONE

// The ranges seen over the three samples: input [-4, 3]; ReLU [0, 3];
// times 2: [0, 6]. Constants are not observed.
// CHECK-LABEL: func.func @model
// CHECK-SAME: qopt.range = #qopt.range<min = -4.000000e+00, max = 3.000000e+00>
// CHECK: "tosa.const"()
// CHECK-NOT: qopt.range
// CHECK: tosa.clamp {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 3.000000e+00>
// CHECK: tosa.mul {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 6.000000e+00>
// With only the first sample: input [-1, 2], ReLU [0, 2], times 2 [0, 4].
// ONE-LABEL: func.func @model
// ONE-SAME: qopt.range = #qopt.range<min = -1.000000e+00, max = 2.000000e+00>
// ONE: tosa.mul {{.*}}qopt.range = #qopt.range<min = 0.000000e+00, max = 4.000000e+00>
func.func @model(%x: tensor<1x1x4xf32>) -> tensor<1x1x4xf32> {
  %two = "tosa.const"() {values = dense<2.0> : tensor<1x1x1xf32>} : () -> tensor<1x1x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  %y = tosa.mul %r, %two, %shift : (tensor<1x1x4xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<1x1x4xf32>
  return %y : tensor<1x1x4xf32>
}
