// Malformed pass options are reported with the option name and the parser's
// reason, and the tool exits non-zero.
// RUN: not qopt %s --pass-pipeline='builtin.module(func.func(qopt-insert-qdq{activation-policy="si99, symmetric, per_tensor"}))' 2>&1 | FileCheck %s --check-prefix=WIDTH
// RUN: not qopt %s --pass-pipeline='builtin.module(func.func(qopt-insert-qdq{weight-policy="si8, per_tensor"}))' 2>&1 | FileCheck %s --check-prefix=SYMMETRY
// RUN: not qopt %s --pass-pipeline='builtin.module(func.func(qopt-insert-qdq{rounding=double_round}))' 2>&1 | FileCheck %s --check-prefix=ROUNDING

// WIDTH: invalid activation-policy 'si99, symmetric, per_tensor': storage width must be between 2 and 16 bits, got 99
// SYMMETRY: invalid weight-policy 'si8, per_tensor': integer policy must say 'symmetric' or 'asymmetric'
// ROUNDING: Cannot find option named 'double_round'

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
