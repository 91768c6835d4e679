// Independent oracle: upstream MLIR's own tosa.rescale, lowered by
// tosa-to-linalg and tosa-to-arith{include-apply-rescale=true}, and
// qopt.rescale, lowered by qopt, run on the same inputs through mlir-runner.
// Each pair of printed rows must be identical (FileCheck captures the TOSA
// row and requires the qopt row to equal it). Per tensor and per channel
// (TOSA's per-channel axis is the innermost one), SINGLE_ROUND and
// DOUBLE_ROUND, edge and pseudo-random int32 inputs inside TOSA's
// precondition.
//
// RUN: qopt %s --pass-pipeline="builtin.module(convert-qopt-to-arith,func.func(tosa-to-linalg),tosa-to-arith{include-apply-rescale=true},func.func(convert-elementwise-to-linalg),canonicalize,one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops,lower-affine),convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" 2>/dev/null \
// RUN:   | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN:   | FileCheck %s

func.func private @printMemrefI32(memref<*xi32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<?xi32>) {
  %m = bufferization.to_buffer %t : tensor<?xi32> to memref<?xi32>
  %u = memref.cast %m : memref<?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

func.func @print2d(%t: tensor<8x4xi32>) {
  %m = bufferization.to_buffer %t : tensor<8x4xi32> to memref<8x4xi32>
  %u = memref.cast %m : memref<8x4xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}

// Per tensor, M = 1518500250, shift 38, output zero point -3. Inputs 48..55
// are negative ties where DOUBLE_ROUND and SINGLE_ROUND differ by one.
func.func @per_tensor(%x: tensor<64xi32>, %mode: i1) {
  %m = "tosa.const"() {values = dense<[1518500250]> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<[38]> : tensor<1xi8>} : () -> tensor<1xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %td = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<64xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<64xi8>
  %qd = qopt.rescale %x multiplier [1518500250] shift [38] rounding double_round {output_zp = -3 : i64} : tensor<64xi32> -> tensor<64xi8>
  %ts = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<64xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<64xi8>
  %qs = qopt.rescale %x multiplier [1518500250] shift [38] rounding single_round {output_zp = -3 : i64} : tensor<64xi32> -> tensor<64xi8>
  %e0 = arith.extsi %td : tensor<64xi8> to tensor<64xi32>
  %e1 = arith.extsi %qd : tensor<64xi8> to tensor<64xi32>
  %e2 = arith.extsi %ts : tensor<64xi8> to tensor<64xi32>
  %e3 = arith.extsi %qs : tensor<64xi8> to tensor<64xi32>
  %c0 = tensor.cast %e0 : tensor<64xi32> to tensor<?xi32>
  %c1 = tensor.cast %e1 : tensor<64xi32> to tensor<?xi32>
  %c2 = tensor.cast %e2 : tensor<64xi32> to tensor<?xi32>
  %c3 = tensor.cast %e3 : tensor<64xi32> to tensor<?xi32>
  call @print(%c0) : (tensor<?xi32>) -> ()
  call @print(%c1) : (tensor<?xi32>) -> ()
  call @print(%c2) : (tensor<?xi32>) -> ()
  call @print(%c3) : (tensor<?xi32>) -> ()
  return
}

// Per channel along the innermost axis: edge multipliers, shifts 32..62.
func.func @per_channel(%x: tensor<8x4xi32>) {
  %m = "tosa.const"() {values = dense<[1073741824, 2147483647, 1518500250, 1374389535]> : tensor<4xi32>} : () -> tensor<4xi32>
  %s = "tosa.const"() {values = dense<[32, 40, 47, 62]> : tensor<4xi8>} : () -> tensor<4xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %td = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<8x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi32>) -> tensor<8x4xi32>
  %qd = qopt.rescale %x multiplier [1073741824, 2147483647, 1518500250, 1374389535] shift [32, 40, 47, 62] axis 1 rounding double_round : tensor<8x4xi32> -> tensor<8x4xi32>
  %ts = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<8x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi32>) -> tensor<8x4xi32>
  %qs = qopt.rescale %x multiplier [1073741824, 2147483647, 1518500250, 1374389535] shift [32, 40, 47, 62] axis 1 rounding single_round : tensor<8x4xi32> -> tensor<8x4xi32>
  call @print2d(%td) : (tensor<8x4xi32>) -> ()
  call @print2d(%qd) : (tensor<8x4xi32>) -> ()
  call @print2d(%ts) : (tensor<8x4xi32>) -> ()
  call @print2d(%qs) : (tensor<8x4xi32>) -> ()
  return
}

// Shift 20 (a left shift in gemmlowp terms) on inputs below 2^19, int16
// output (TOSA requires zero points of 0 for int16 and int32 outputs).
func.func @small_shift(%x: tensor<64xi32>) {
  %m = "tosa.const"() {values = dense<[1073741824]> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = "tosa.const"() {values = dense<[20]> : tensor<1xi8>} : () -> tensor<1xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<0> : tensor<1xi16>} : () -> tensor<1xi16>
  %td = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<64xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi16>) -> tensor<64xi16>
  %qd = qopt.rescale %x multiplier [1073741824] shift [20] rounding double_round : tensor<64xi32> -> tensor<64xi16>
  %ts = tosa.rescale %x, %m, %s, %izp, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = false, input_unsigned = false, output_unsigned = false} : (tensor<64xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi16>) -> tensor<64xi16>
  %qs = qopt.rescale %x multiplier [1073741824] shift [20] rounding single_round : tensor<64xi32> -> tensor<64xi16>
  %e0 = arith.extsi %td : tensor<64xi16> to tensor<64xi32>
  %e1 = arith.extsi %qd : tensor<64xi16> to tensor<64xi32>
  %e2 = arith.extsi %ts : tensor<64xi16> to tensor<64xi32>
  %e3 = arith.extsi %qs : tensor<64xi16> to tensor<64xi32>
  %c0 = tensor.cast %e0 : tensor<64xi32> to tensor<?xi32>
  %c1 = tensor.cast %e1 : tensor<64xi32> to tensor<?xi32>
  %c2 = tensor.cast %e2 : tensor<64xi32> to tensor<?xi32>
  %c3 = tensor.cast %e3 : tensor<64xi32> to tensor<?xi32>
  call @print(%c0) : (tensor<?xi32>) -> ()
  call @print(%c1) : (tensor<?xi32>) -> ()
  call @print(%c2) : (tensor<?xi32>) -> ()
  call @print(%c3) : (tensor<?xi32>) -> ()
  return
}

func.func @main() {
  %a = arith.constant dense<[-2147483648, 2147483647, 0, 1, -1, 2, -2, 3, -3, 181, -181, 362, -362, 543, -543, -14405, 8839, 5666, -21453, -5755, 9578, 1067, 11007, 8066, -25706, 9688, -29138, 29560, 24884, 751, -13003, 6096, -14643, -17434, 16999, 819, 5453, 24818, 6020, 1218, -990283444, -313812261, 330324484, -577588669, -1993351713, -21975564, 738911458, 1525682267, -20545, -16925, -10408, -6788, -452, 5883, 9503, 16020, 19691, 8738, -27196, -10257, 21123, -27968, 23973, 26723]> : tensor<64xi32>
  %b = arith.constant dense<[[-2147483648, 2147483647, 0, 1], [-1, 1073741824, -1073741824, 1610612736], [1432273317, 317925243, 839947015, 667915479], [-1000362710, -1613040091, -70829437, -1861387227], [1705515035, -2061045904, -1636738037, 1123711775], [370978236, -1992809668, -2116419275, 152807085], [1927991464, 2024770681, -1016304342, 814897358], [-687994377, 1553521290, -529349489, -982256319]]> : tensor<8x4xi32>
  %c = arith.constant dense<[-524288, 524287, 0, 1, -1, 2047, -2048, 2048, -25930, 107136, 393102, 17265, 111134, 186453, -500260, 346471, 136055, -482235, 265324, -244804, -398291, 172911, 453510, 215830, 215119, 60658, 502273, -477768, -397250, -479719, 249906, 2353, 432667, 101997, 146853, -152210, 238981, -135799, 131429, 249883, 29647, 105704, 266674, -304357, -467831, -248679, 125864, -57593, 40638, -23708, 163129, -131294, 388464, -320818, -310711, 150923, 175644, -53561, 395167, -169274, -356625, 181844, -67068, 421741]> : tensor<64xi32>
  %true = arith.constant true
  call @per_tensor(%a, %true) : (tensor<64xi32>, i1) -> ()
  call @per_channel(%b) : (tensor<8x4xi32>) -> ()
  call @small_shift(%c) : (tensor<64xi32>) -> ()
  return
}

// Per tensor: DOUBLE_ROUND (TOSA, qopt), then SINGLE_ROUND (TOSA, qopt).
// CHECK: data =
// CHECK-NEXT: [[PT_DOUBLE:\[.*\]]]
// CHECK: data =
// CHECK-NEXT: [[PT_DOUBLE]]
// CHECK: data =
// CHECK-NEXT: [[PT_SINGLE:\[.*\]]]
// CHECK: data =
// CHECK-NEXT: [[PT_SINGLE]]
// Per channel (8 rows each).
// CHECK: data =
// CHECK-NEXT: [[PC_D0:\[.*]]
// CHECK-NEXT: [[PC_D1:\[.*]]
// CHECK-NEXT: [[PC_D2:\[.*]]
// CHECK-NEXT: [[PC_D3:\[.*]]
// CHECK-NEXT: [[PC_D4:\[.*]]
// CHECK-NEXT: [[PC_D5:\[.*]]
// CHECK-NEXT: [[PC_D6:\[.*]]
// CHECK-NEXT: [[PC_D7:\[.*]]
// CHECK: data =
// CHECK-NEXT: [[PC_D0]]
// CHECK-NEXT: [[PC_D1]]
// CHECK-NEXT: [[PC_D2]]
// CHECK-NEXT: [[PC_D3]]
// CHECK-NEXT: [[PC_D4]]
// CHECK-NEXT: [[PC_D5]]
// CHECK-NEXT: [[PC_D6]]
// CHECK-NEXT: [[PC_D7]]
// CHECK: data =
// CHECK-NEXT: [[PC_S0:\[.*]]
// CHECK-NEXT: [[PC_S1:\[.*]]
// CHECK-NEXT: [[PC_S2:\[.*]]
// CHECK-NEXT: [[PC_S3:\[.*]]
// CHECK-NEXT: [[PC_S4:\[.*]]
// CHECK-NEXT: [[PC_S5:\[.*]]
// CHECK-NEXT: [[PC_S6:\[.*]]
// CHECK-NEXT: [[PC_S7:\[.*]]
// CHECK: data =
// CHECK-NEXT: [[PC_S0]]
// CHECK-NEXT: [[PC_S1]]
// CHECK-NEXT: [[PC_S2]]
// CHECK-NEXT: [[PC_S3]]
// CHECK-NEXT: [[PC_S4]]
// CHECK-NEXT: [[PC_S5]]
// CHECK-NEXT: [[PC_S6]]
// CHECK-NEXT: [[PC_S7]]
// Shift 20.
// CHECK: data =
// CHECK-NEXT: [[SS_DOUBLE:\[.*\]]]
// CHECK: data =
// CHECK-NEXT: [[SS_DOUBLE]]
// CHECK: data =
// CHECK-NEXT: [[SS_SINGLE:\[.*\]]]
// CHECK: data =
// CHECK-NEXT: [[SS_SINGLE]]
