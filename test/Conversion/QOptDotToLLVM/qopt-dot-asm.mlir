// Instruction selection per target, checked in the assembly llc emits for
// each (these run on any host: nothing is executed).
// RUN: qopt %s --pass-pipeline='builtin.module(convert-qopt-dot-to-llvm{isa=avx512-vnni},convert-vector-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)' | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-linux-gnu -mattr=+avx512f,+avx512bw,+avx512vl,+avx512vnni | FileCheck %s --check-prefix=AVX512
// RUN: qopt %s --pass-pipeline='builtin.module(convert-qopt-dot-to-llvm{isa=avx-vnni},convert-vector-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)' | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-linux-gnu -mattr=+avx2,+avxvnni | FileCheck %s --check-prefix=AVXVNNI
// RUN: qopt %s --pass-pipeline='builtin.module(convert-qopt-dot-to-llvm{isa=avx2},convert-vector-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)' | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-linux-gnu -mattr=+avx2 | FileCheck %s --check-prefix=AVX2
// RUN: qopt %s --pass-pipeline='builtin.module(convert-qopt-dot-to-llvm{isa=generic},convert-vector-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)' | mlir-translate --mlir-to-llvmir | llc -O2 -mtriple=x86_64-linux-gnu -mattr=+avx2 | FileCheck %s --check-prefix=GENERIC

// AVX512-LABEL: dot16:
// AVX512: vpdpbusd %zmm{{[0-9]+}}, %zmm{{[0-9]+}}, %zmm{{[0-9]+}}
// AVX512-LABEL: dot8:
// AVX512: vpdpbusd %ymm{{[0-9]+}}, %ymm{{[0-9]+}}, %ymm{{[0-9]+}}

// AVXVNNI-LABEL: dot16:
// AVXVNNI-NOT: zmm
// AVXVNNI-COUNT-2: {vex} vpdpbusd %ymm
// AVXVNNI-LABEL: dot8:
// AVXVNNI: {vex} vpdpbusd %ymm

// With isa=avx2, only dots whose adjacent-product pairs provably fit in int16 use
// vpmaddubsw (it saturates them); then vpmaddwd against ones sums the pairs.
// The others are widened to int16 (vpmovzxbw / vpmovsxbw) and multiplied
// by vpmaddwd, exactly.
// AVX2-LABEL: dot16:
// AVX2-NOT: vpmaddubsw
// AVX2-DAG: vpmovzxbw
// AVX2-DAG: vpmovsxbw
// AVX2: vpmaddwd
// AVX2-LABEL: dot8:
// AVX2-NOT: vpmaddubsw
// AVX2: vpmaddwd
// AVX2: retq
// AVX2-LABEL: dot16_pairs_fit:
// AVX2-COUNT-2: vpmaddubsw %ymm
// AVX2-NOT: vpmovzxbd
// AVX2: retq
// AVX2-LABEL: dot8_pairs_fit:
// AVX2: vpmaddubsw %ymm{{[0-9]+}}, %ymm{{[0-9]+}}, %ymm{{[0-9]+}}
// AVX2: vpmaddwd
// AVX2: vpaddd
// AVX2: retq

// Generic (on an AVX2 machine) bytes widened to 32 bits (u8 zero-, s8 sign-extended),
// then multiply-adds LLVM chooses; no VNNI.
// GENERIC-LABEL: dot16:
// GENERIC-NOT: vpdpbusd
// GENERIC-DAG: vpmovzxbd
// GENERIC-DAG: vpmovsxbd
// GENERIC-LABEL: dot8:
// GENERIC-NOT: vpdpbusd
// GENERIC: retq
func.func @dot16(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = qopt.dot_u8_s8 %acc, %a, %b : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}
func.func @dot8(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> vector<8xi32> {
  %r = qopt.dot_u8_s8 %acc, %a, %b : vector<32xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}
func.func @dot16_pairs_fit(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = qopt.dot_u8_s8 %acc, %a, %b {pairs_fit_i16} : vector<64xi8> -> vector<16xi32>
  return %r : vector<16xi32>
}
func.func @dot8_pairs_fit(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> vector<8xi32> {
  %r = qopt.dot_u8_s8 %acc, %a, %b {pairs_fit_i16} : vector<32xi8> -> vector<8xi32>
  return %r : vector<8xi32>
}

// Pair dots (two bytes per lane, exact for any bytes): with isa=avx2 one
// vpmaddwd per 8 lanes on the widened halves and an add, nothing across
// lanes; generically, widening multiplies and adds, which LLVM's own
// combines turn into the same vpmaddwd on an AVX2 machine.
// AVX2-LABEL: pair_dot32:
// AVX2-NOT: vpmaddubsw
// AVX2-COUNT-4: vpmaddwd
// AVX2-NOT: vperm
// AVX2-NOT: vshuf
// AVX2: retq
// The signed-by-signed pair dot: both operands sign-extended, nothing
// zero-extended.
// AVX2-LABEL: pair_dot32_signed:
// AVX2-NOT: vpmovzxbw
// AVX2-COUNT-4: vpmaddwd
// AVX2-NOT: vpmovzxbw
// AVX2: retq
// GENERIC-LABEL: pair_dot32:
// GENERIC-NOT: vpmaddubsw
// GENERIC: vpmaddwd
// GENERIC: retq
func.func @pair_dot32(%acc: vector<32xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<32xi32> {
  %r = qopt.pair_dot_u8_s8 %acc, %a, %b : vector<64xi8> -> vector<32xi32>
  return %r : vector<32xi32>
}
func.func @pair_dot32_signed(%acc: vector<32xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<32xi32> {
  %r = qopt.pair_dot_s8_s8 %acc, %a, %b : vector<64xi8> -> vector<32xi32>
  return %r : vector<32xi32>
}
