// RUN: qopt %s -split-input-file -convert-memref-copy-to-linalg | FileCheck %s

// A padded buffer's interior: not contiguous, so a linalg.copy (loops that
// LLVM vectorizes) instead of the runtime's element-wise memrefCopy.
// CHECK-LABEL: func.func @into_padded_interior
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<1x4x4x64xi8>) outs(%{{.*}} : memref<1x4x4x64xi8, strided<[2304, 384, 64, 1], offset: 448>>)
func.func @into_padded_interior(%src: memref<1x4x4x64xi8>) -> memref<1x6x6x64xi8> {
  %padded = memref.alloc() : memref<1x6x6x64xi8>
  %view = memref.subview %padded[0, 1, 1, 0] [1, 4, 4, 64] [1, 1, 1, 1]
      : memref<1x6x6x64xi8> to memref<1x4x4x64xi8, strided<[2304, 384, 64, 1], offset: 448>>
  memref.copy %src, %view : memref<1x4x4x64xi8> to memref<1x4x4x64xi8, strided<[2304, 384, 64, 1], offset: 448>>
  return %padded : memref<1x6x6x64xi8>
}

// -----

// Strided source, dynamic sizes: still a linalg.copy.
// CHECK-LABEL: func.func @from_strided_dynamic
// CHECK: linalg.copy
func.func @from_strided_dynamic(%src: memref<?x?xf32, strided<[?, 1], offset: ?>>, %dst: memref<?x?xf32>) {
  memref.copy %src, %dst : memref<?x?xf32, strided<[?, 1], offset: ?>> to memref<?x?xf32>
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
