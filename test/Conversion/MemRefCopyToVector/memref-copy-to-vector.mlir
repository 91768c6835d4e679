// RUN: qopt %s -split-input-file -convert-memref-copy-to-vector | FileCheck %s

// A padded buffer's interior: not contiguous, so each 64-byte pixel is
// copied as one vector (a zmm load and store) in loops over N, H and W,
// instead of the runtime's element-wise memrefCopy.
// CHECK-LABEL: func.func @into_padded_interior
// CHECK-NOT: memref.copy
// CHECK: scf.for %[[N:.*]] = %c0 to %c1 step %c1
// CHECK: scf.for %[[H:.*]] = %c0 to %c4 step %c1
// CHECK: scf.for %[[W:.*]] = %c0 to %c4 step %c1
// CHECK: %[[ROW:.*]] = vector.transfer_read %{{.*}}[%[[N]], %[[H]], %[[W]], %c0], %{{.*}} {in_bounds = [true]} : memref<1x4x4x64xi8>, vector<64xi8>
// CHECK: vector.transfer_write %[[ROW]], %{{.*}}[%[[N]], %[[H]], %[[W]], %c0] {in_bounds = [true]} : vector<64xi8>, memref<1x4x4x64xi8, strided<[2304, 384, 64, 1], offset: 448>>
func.func @into_padded_interior(%src: memref<1x4x4x64xi8>) -> memref<1x6x6x64xi8> {
  %padded = memref.alloc() : memref<1x6x6x64xi8>
  %view = memref.subview %padded[0, 1, 1, 0] [1, 4, 4, 64] [1, 1, 1, 1]
      : memref<1x6x6x64xi8> to memref<1x4x4x64xi8, strided<[2304, 384, 64, 1], offset: 448>>
  memref.copy %src, %view : memref<1x4x4x64xi8> to memref<1x4x4x64xi8, strided<[2304, 384, 64, 1], offset: 448>>
  return %padded : memref<1x6x6x64xi8>
}

// -----

// Rows longer than a vector: 100 floats are 6 vectors of 16 in a loop and
// a tail of 4; dynamic outer sizes and strides are fine.
// CHECK-LABEL: func.func @long_rows
// CHECK: %[[ROWS:.*]] = memref.dim %arg0, %c0
// CHECK: scf.for %[[R:.*]] = %c0 to %[[ROWS]] step %c1
// CHECK: scf.for %[[C:.*]] = %c0 to %c96 step %c16
// CHECK: vector.transfer_read %arg0[%[[R]], %[[C]]], %{{.*}} {in_bounds = [true]} : memref<?x100xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// CHECK: vector.transfer_write
// CHECK: }
// CHECK: %[[TAIL:.*]] = vector.transfer_read %arg0[%[[R]], %c96], %{{.*}} {in_bounds = [true]} : memref<?x100xf32, strided<[?, 1], offset: ?>>, vector<4xf32>
// CHECK: vector.transfer_write %[[TAIL]], %arg1[%[[R]], %c96] {in_bounds = [true]} : vector<4xf32>, memref<?x100xf32>
func.func @long_rows(%src: memref<?x100xf32, strided<[?, 1], offset: ?>>, %dst: memref<?x100xf32>) {
  memref.copy %src, %dst : memref<?x100xf32, strided<[?, 1], offset: ?>> to memref<?x100xf32>
  return
}

// -----

// No static unit-stride rows (a dynamic row length, a strided last
// dimension) or no whole-byte elements: a linalg.copy.
// CHECK-LABEL: func.func @no_vector_rows
// CHECK-NOT: vector.transfer_read
// CHECK-COUNT-3: linalg.copy
func.func @no_vector_rows(%a: memref<?x?xf32, strided<[?, 1], offset: ?>>, %b: memref<?x?xf32>,
                          %c: memref<4x8xi8, strided<[16, 2]>>, %d: memref<4x8xi8>,
                          %e: memref<4x8xindex, strided<[16, 1]>>, %f: memref<4x8xindex>) {
  memref.copy %a, %b : memref<?x?xf32, strided<[?, 1], offset: ?>> to memref<?x?xf32>
  memref.copy %c, %d : memref<4x8xi8, strided<[16, 2]>> to memref<4x8xi8>
  memref.copy %e, %f : memref<4x8xindex, strided<[16, 1]>> to memref<4x8xindex>
  return
}

// -----

// Contiguous on both sides: memref.copy stays (finalize-memref-to-llvm makes
// it one memcpy). So does a rank-0 copy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<8x64xi8>, %b: memref<8x64xi8>, %s: memref<f32>, %t: memref<f32>) {
  memref.copy %a, %b : memref<8x64xi8> to memref<8x64xi8>
  memref.copy %s, %t : memref<f32> to memref<f32>
  return
}

// -----

// A single row (rank 1, at an offset): no loops, a 64-byte vector and a
// 36-byte tail.
// CHECK-LABEL: func.func @one_row
// CHECK-NOT: scf.for
// CHECK: vector.transfer_read %arg0[%c0], %{{.*}} {in_bounds = [true]} : memref<100xi8, strided<[1], offset: 3>>, vector<64xi8>
// CHECK: vector.transfer_read %arg0[%c64], %{{.*}} {in_bounds = [true]} : memref<100xi8, strided<[1], offset: 3>>, vector<36xi8>
func.func @one_row(%a: memref<100xi8, strided<[1], offset: 3>>, %b: memref<100xi8>) {
  memref.copy %a, %b : memref<100xi8, strided<[1], offset: 3>> to memref<100xi8>
  return
}
