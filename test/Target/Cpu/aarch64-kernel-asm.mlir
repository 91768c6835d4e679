// The AArch64 GEMM microkernels' innermost loops, from qopt-compile's
// assembly: per 4-row x 16-column register tile and K step, 64 indexed
// sdot (dotprod: 16 depths, each row's 16 bytes loaded once; 1024
// multiply-adds per iteration), 64 smmla (i8mm: 32 depths, each row's 32
// bytes loaded once; 2048), or 32
// smull + 16 addp + 16 sadalp (baseline NEON, int16 pair sums proven exact
// from the weights: 4 depths, 256). The loop lines
// give the static instruction counts per multiply-add reported in
// docs/Codegen.md.
// RUN: qopt-compile %s --target=cortex-a76 -f --emit=asm -o %t.dotprod.s 2>/dev/null
// RUN: %python3 %S/Inputs/inner_loops.py %t.dotprod.s sdot | FileCheck %s --check-prefix=DOTPROD
// RUN: qopt-compile %s --target=neoverse-v1 -f --emit=asm -o %t.i8mm.s 2>/dev/null
// RUN: %python3 %S/Inputs/inner_loops.py %t.i8mm.s smmla | FileCheck %s --check-prefix=I8MM
// RUN: qopt-compile %s --target=aarch64 -f --emit=asm -o %t.neon.s 2>/dev/null
// RUN: %python3 %S/Inputs/inner_loops.py %t.neon.s smull | FileCheck %s --check-prefix=NEON
// RUN: FileCheck %s --check-prefix=NEON-ASM < %t.neon.s

// DOTPROD: loop .LBB0_{{[0-9]+}}: 80 instructions, 64 sdot | sdot 64,
// DOTPROD-NOT: ld1r
// RUN: FileCheck %s --check-prefix=DOTPROD-ASM < %t.dotprod.s
// DOTPROD-ASM: sdot v{{[0-9]+}}.4s, v{{[0-9]+}}.16b, v{{[0-9]+}}.4b[{{[0-3]}}]
// I8MM: loop .LBB0_{{[0-9]+}}: 96 instructions, 64 smmla | smmla 64,
// I8MM-NOT: str
// NEON: loop .LBB0_{{[0-9]+}}: {{[0-9]+}} instructions, 32 smull |
// NEON-SAME: sadalp 16
// NEON-ASM-NOT: sdot
// NEON-ASM-NOT: smmla
func.func @mm(%a: tensor<1x64x256xi8>) -> tensor<1x64x64xi32> {
  %w = "tosa.const"() {values = dense<3> : tensor<1x256x64xi8>} : () -> tensor<1x256x64xi8>
  %zp = "tosa.const"() {values = dense<2> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.matmul %a, %w, %zp, %wzp : (tensor<1x64x256xi8>, tensor<1x256x64xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x64x64xi32>
  return %r : tensor<1x64x64xi32>
}
