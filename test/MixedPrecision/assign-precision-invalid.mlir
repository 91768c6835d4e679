// RUN: qopt %s -split-input-file -verify-diagnostics --qopt-assign-precision="budget-bytes=1000"

// expected-error @below {{qopt-assign-precision: no layer carries qopt.sensitivity; run qopt-measure-sensitivity first}}
module {
  func.func @none(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

func.func @not_a_layer(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{qopt-assign-precision: 'tosa.abs' carries qopt.sensitivity but is not a convolution or matmul with constant float weights}}
  %y = tosa.abs %x {qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.1]>} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @sixteen_bits(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  // expected-error @below {{qopt-assign-precision: width 16 is not supported: weights are 2 to 8 bits}}
  %y = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [16, 8], noise = [0.0, 0.1]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

