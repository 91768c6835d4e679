// AVX2's kernels (int16-pairs=true, as x86-64-v3 sets it): weights whose
// adjacent pairs provably fit vpmaddubsw's int16 sums take 4-byte dots
// promised `pairs_fit_i16` on the configured rows; others take exact pair
// dots on 2-row tiles, their 32-lane accumulators spread from the
// corrections before the depth loop and their pair lanes added after it.
// RUN: qopt %s -split-input-file --convert-int8-matmul-to-kernels="int16-pairs=true tile-rows=4 tile-vectors=1" --canonicalize | FileCheck %s

// |w0| + |w1| <= 128 for every pair (all 60): 4-byte dots, 4 rows per tile.
// CHECK-LABEL: func @small_weights
// CHECK: scf.for
// CHECK-COUNT-4: qopt.dot_u8_s8 {{.*}} {pairs_fit_i16} : vector<64xi8> -> vector<16xi32>
// CHECK-NOT: qopt.pair_dot_u8_s8
// CHECK: scf.yield
func.func @small_weights(%a: tensor<1x8x8xi8>) -> tensor<1x8x16xi32> {
  %b = "tosa.const"() {values = dense<60> : tensor<1x8x16xi8>} : () -> tensor<1x8x16xi8>
  %azp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x8x8xi8>, tensor<1x8x16xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x16xi32>
  return %c : tensor<1x8x16xi32>
}

// -----

// Weights of 127 (pairs up to 2 x 255 x 127): pair dots, 2 rows per tile.
// K = 8: the rows are read in place and, widened to int16, multiplied as
// the signed bytes they are (no flip); each column subtracts only
// zp * 8 * 127 = -3048 (zp = -3).
// CHECK-LABEL: func @full_range_weights
// CHECK-DAG: arith.constant dense<3048> : tensor<16xi32>
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0> : vector<16xi32>
// CHECK-NOT: arith.xori
// CHECK-COUNT-2: vector.interleave %{{.*}}, %[[ZERO]] : vector<16xi32> -> vector<32xi32>
// CHECK: %[[ACCS:.*]]:2 = scf.for {{.*}} -> (vector<32xi32>, vector<32xi32>)
// CHECK-COUNT-2: qopt.pair_dot_s8_s8 {{.*}} : vector<64xi8> -> vector<32xi32>
// CHECK-NOT: qopt.dot_u8_s8
// CHECK: scf.yield
// CHECK: %[[EVEN:.*]], %[[ODD:.*]] = vector.deinterleave %[[ACCS]]#0 : vector<32xi32> -> vector<16xi32>
// CHECK: arith.addi %[[EVEN]], %[[ODD]] : vector<16xi32>
func.func @full_range_weights(%a: tensor<1x8x8xi8>) -> tensor<1x8x16xi32> {
  %b = "tosa.const"() {values = dense<127> : tensor<1x8x16xi8>} : () -> tensor<1x8x16xi8>
  %azp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x8x8xi8>, tensor<1x8x16xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x16xi32>
  return %c : tensor<1x8x16xi32>
}

// -----

// K = 6 is copied, K-padded and flipped to unsigned (a + 128) like every
// copied or built row: unsigned-by-signed pair dots; columns subtract
// (128 + zp) * 6 * 127 = 95250.
// CHECK-LABEL: func @copied_rows
// CHECK-DAG: arith.constant dense<-95250> : tensor<16xi32>
// CHECK: arith.xori
// CHECK: scf.for
// CHECK-COUNT-2: qopt.pair_dot_u8_s8 {{.*}} : vector<64xi8> -> vector<32xi32>
// CHECK-NOT: qopt.pair_dot_s8_s8
func.func @copied_rows(%a: tensor<1x8x6xi8>) -> tensor<1x8x16xi32> {
  %b = "tosa.const"() {values = dense<127> : tensor<1x6x16xi8>} : () -> tensor<1x6x16xi8>
  %azp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x8x6xi8>, tensor<1x6x16xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x16xi32>
  return %c : tensor<1x8x16xi32>
}
