// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=avx512-vnni | FileCheck %s --check-prefix=AVX512
// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=avx-vnni | FileCheck %s --check-prefix=AVXVNNI
// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=generic | FileCheck %s --check-prefix=GENERIC
// RUN: not qopt %s --convert-qopt-dot-to-llvm=isa=neon 2>&1 | FileCheck %s --check-prefix=BAD

// AVX512-LABEL: func @dots
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%arg0, %arg1, %arg2) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// AVX512-NOT: qopt.dot_u8_s8

// AVX-VNNI has no zmm: the 16-lane dot is two ymm halves.
// AVXVNNI-LABEL: func @dots
// AVXVNNI: vector.extract_strided_slice %arg0 {offsets = [0], sizes = [8], strides = [1]}
// AVXVNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// AVXVNNI: vector.extract_strided_slice %arg0 {offsets = [8], sizes = [8], strides = [1]}
// AVXVNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// AVXVNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"

// Generic: u8 zero-extended, s8 sign-extended, products summed in groups
// of four.
// GENERIC-LABEL: func @dots
// GENERIC-NOT: llvm.call_intrinsic
// GENERIC: arith.extui %arg1 : vector<64xi8> to vector<64xi32>
// GENERIC: arith.extsi %arg2 : vector<64xi8> to vector<64xi32>
// GENERIC: arith.muli
// GENERIC-COUNT-4: vector.shuffle

// BAD: error: convert-qopt-dot-to-llvm: unknown isa 'neon' (expected avx512-vnni, avx-vnni, avx2, generic or host)
func.func @dots(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>, %acc8: vector<8xi32>, %a8: vector<32xi8>, %b8: vector<32xi8>) -> (vector<16xi32>, vector<8xi32>) {
  %r = qopt.dot_u8_s8 %acc, %a, %b : vector<64xi8> -> vector<16xi32>
  %s = qopt.dot_u8_s8 %acc8, %a8, %b8 : vector<32xi8> -> vector<8xi32>
  return %r, %s : vector<16xi32>, vector<8xi32>
}
