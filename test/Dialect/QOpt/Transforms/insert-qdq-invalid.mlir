// RUN: qopt %s -split-input-file --pass-pipeline='builtin.module(func.func(qopt-insert-qdq))' -verify-diagnostics

func.func @per_channel_activation(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{has one calibrated range but policy #qopt.policy<si8, symmetric, per_channel(axis = 0)> needs one range per channel or group}}
  %0 = arith.addf %x, %x {qopt.range = #qopt.range<min = -1.0, max = 1.0>, qopt.policy = #qopt.policy<si8, symmetric, per_channel(axis = 0)>} : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @nan_weight() -> tensor<3xf32> {
  // expected-error @+1 {{cannot be quantized: constant element 1 is nan; only finite values can be quantized}}
  %w = arith.constant {qopt.policy = #qopt.policy<si8, symmetric, per_tensor>} dense<[1.0, 0x7FC00000, 2.0]> : tensor<3xf32>
  return %w : tensor<3xf32>
}

// -----

func.func @inf_weight() -> tensor<2x2xf32> {
  // expected-error @+1 {{constant element 3 is INF}}
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 0x7F800000]]> : tensor<2x2xf32>
  return %w : tensor<2x2xf32>
}

// -----

func.func @policy_without_data(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{has a qopt.policy but neither a qopt.range nor constant values to derive scales from}}
  %0 = arith.addf %x, %x {qopt.policy = #qopt.policy<si8, symmetric, per_tensor>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument 0 has one calibrated range but policy #qopt.policy<si8, symmetric, per_channel(axis = 1)> needs one range per channel or group}}
func.func @per_channel_argument(%x: tensor<2x4xf32> {qopt.range = #qopt.range<min = -1.0, max = 1.0>, qopt.policy = #qopt.policy<si8, symmetric, per_channel(axis = 1)>}) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
