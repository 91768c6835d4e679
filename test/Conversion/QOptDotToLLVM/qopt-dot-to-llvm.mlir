// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=avx512-vnni | FileCheck %s --check-prefix=AVX512
// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=avx-vnni | FileCheck %s --check-prefix=AVXVNNI
// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=generic | FileCheck %s --check-prefix=GENERIC
// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=neon-dotprod | FileCheck %s --check-prefix=DOTPROD
// RUN: qopt %s --convert-qopt-dot-to-llvm=isa=neon | FileCheck %s --check-prefix=NEON
// RUN: not qopt %s --convert-qopt-dot-to-llvm=isa=sve 2>&1 | FileCheck %s --check-prefix=BAD

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

// AArch64 has no unsigned x signed dot without i8mm: the generic form.
// DOTPROD-LABEL: func @dots
// DOTPROD-NOT: llvm.call_intrinsic
// DOTPROD: arith.extui

// BAD: error: convert-qopt-dot-to-llvm: unknown isa 'sve' (expected avx512-vnni, avx-vnni, avx2, neon, neon-dotprod, neon-i8mm, generic or host)
func.func @dots(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>, %acc8: vector<8xi32>, %a8: vector<32xi8>, %b8: vector<32xi8>) -> (vector<16xi32>, vector<8xi32>) {
  %r = qopt.dot_u8_s8 %acc, %a, %b : vector<64xi8> -> vector<16xi32>
  %s = qopt.dot_u8_s8 %acc8, %a8, %b8 : vector<32xi8> -> vector<8xi32>
  return %r, %s : vector<16xi32>, vector<8xi32>
}

// A 16-lane signed dot is four 128-bit sdot.
// DOTPROD-LABEL: func @signed_dots
// DOTPROD: vector.extract_strided_slice %arg0 {offsets = [0], sizes = [4], strides = [1]}
// DOTPROD-COUNT-4: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
// DOTPROD-NOT: llvm.call_intrinsic

// Without dotprod, per 4 lanes two smull, two saddlp, one addp, one add.
// NEON-LABEL: func @signed_dots
// NEON-COUNT-2: llvm.call_intrinsic "llvm.aarch64.neon.smull.v8i16"
// NEON: llvm.call_intrinsic "llvm.aarch64.neon.addp.v4i32"
// NEON-NEXT: arith.addi
// NEON-NOT: sdot

// Elsewhere the generic form, with both operands sign-extended.
// GENERIC-LABEL: func @signed_dots
// GENERIC: arith.extsi %arg1 : vector<64xi8> to vector<64xi32>
// GENERIC: arith.extsi %arg2 : vector<64xi8> to vector<64xi32>
// AVX512-LABEL: func @signed_dots
// AVX512-NOT: llvm.call_intrinsic
func.func @signed_dots(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = qopt.dot_s8_s8 %acc, %a, %b : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}

// NEON isas lower double_round to a left shift, sqrdmulh, gemmlowp's fixup, srshl;
// single_round: smull into int64 lanes, srshl, sqxtn. Elsewhere (and for
// double_round without the left-shift promise) exact int64 arithmetic.
// DOTPROD-LABEL: func @dyadic_scales
// DOTPROD: arith.shli
// DOTPROD: llvm.call_intrinsic "llvm.aarch64.neon.sqrdmulh.v4i32"
// DOTPROD: arith.andi
// DOTPROD: arith.shrsi
// DOTPROD: llvm.call_intrinsic "llvm.aarch64.neon.sqadd.v4i32"
// DOTPROD: llvm.call_intrinsic "llvm.aarch64.neon.srshl.v4i32"
// DOTPROD: llvm.call_intrinsic "llvm.aarch64.neon.smull.v2i64"
// DOTPROD: llvm.call_intrinsic "llvm.aarch64.neon.srshl.v2i64"
// DOTPROD: llvm.call_intrinsic "llvm.aarch64.neon.sqxtn.v2i32"
// DOTPROD: arith.extsi {{.*}} : vector<8xi32> to vector<8xi64>
// DOTPROD-NOT: sqrdmulh
// DOTPROD: return
// GENERIC-LABEL: func @dyadic_scales
// GENERIC-NOT: llvm.call_intrinsic
// GENERIC: arith.muli {{.*}} : vector<8xi64>
// GENERIC: arith.trunci {{.*}} : vector<8xi64> to vector<8xi32>
func.func @dyadic_scales(%x: vector<8xi32>, %m: vector<8xi32>, %s: vector<8xi32>) -> (vector<8xi32>, vector<8xi32>, vector<8xi32>) {
  %d = qopt.dyadic_scale %x, %m, %s rounding double_round {left_shift_exact} : vector<8xi32>
  %t = qopt.dyadic_scale %x, %m, %s rounding single_round : vector<8xi32>
  %u = qopt.dyadic_scale %x, %m, %s rounding double_round : vector<8xi32>
  return %d, %t, %u : vector<8xi32>, vector<8xi32>, vector<8xi32>
}
