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


// -----

// Two layers reading one activation must measure it alike.
func.func @activation_disagreement(%x: tensor<1x1x3xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %a = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], activation_bits = [8, 16], activation_noise = [0.1, 0.0], latency = [1.0, 2.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  // expected-error @below {{qopt-assign-precision: reads the activation 'argument 0' as 'assign-precision-invalid.mlir:}}
  %b = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], activation_bits = [8, 16], activation_noise = [0.2, 0.0], latency = [1.0, 2.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %a, %b : tensor<1x1x2xf32>, tensor<1x1x2xf32>
}

// -----

// A reader of a widened activation must offer the widths too.
func.func @activation_reader_without_widths(%x: tensor<1x1x3xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  // expected-error @below {{qopt-assign-precision: reads the activation 'argument 0' whose width is a choice, but its qopt.sensitivity has no activation_bits}}
  %a = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], latency = [1.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %r = tosa.clamp %x {max_val = 1.0 : f32, min_val = 0.0 : f32} : (tensor<1x1x3xf32>) -> tensor<1x1x3xf32>
  %b = tosa.matmul %r, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], activation_bits = [8, 16], activation_noise = [0.2, 0.0], latency = [1.0, 2.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %a, %b : tensor<1x1x2xf32>, tensor<1x1x2xf32>
}

// -----

// Under a byte budget alone every activation would be 16-bit.
// expected-error @below {{qopt-assign-precision: activation widths are candidates but there is no budget-latency: wider activations cost no weight bytes, so every one would be 16-bit; give budget-latency (with measured latencies) or drop the activation widths}}
module {
  func.func @activation_widths_without_latency_budget(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
    %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
    %w = "tosa.const"() <{values = dense<0.5> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
    %a = tosa.matmul %x, %w, %zp, %zp {qopt.sensitivity = #qopt.sensitivity<bits = [8], noise = [0.0], activation_bits = [8, 16], activation_noise = [0.1, 0.0]>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
    return %a : tensor<1x1x2xf32>
  }
}
