// RUN: qopt %s -split-input-file --convert-int8-matmul-to-kernels --canonicalize | FileCheck %s
// RUN: qopt %s -split-input-file --convert-int8-matmul-to-kernels="tile-rows=2 tile-vectors=1" --canonicalize | FileCheck %s --check-prefix=SMALL
// RUN: not qopt %s -split-input-file --convert-int8-matmul-to-kernels="tile-rows=8 tile-vectors=4" 2>&1 | FileCheck %s --check-prefix=TOOBIG
// RUN: not qopt %s -split-input-file --convert-int8-matmul-to-kernels="k-block=6" 2>&1 | FileCheck %s --check-prefix=KBLOCK
// RUN: qopt %s -split-input-file --convert-int8-matmul-to-kernels="kernel=amx" --canonicalize | FileCheck %s --check-prefix=AMX
// RUN: not qopt %s -split-input-file --convert-int8-matmul-to-kernels="kernel=sme" 2>&1 | FileCheck %s --check-prefix=KERNEL

// KERNEL: error: convert-int8-matmul-to-kernels: unknown kernel 'sme' (expected vnni, amx, sdot or smmla)
// TOOBIG: error: convert-int8-matmul-to-kernels: the register tile 8 x 4 needs more than the 32 zmm registers
// KBLOCK: error: convert-int8-matmul-to-kernels: k-block 6 must be 0 (automatic) or a positive multiple of 4

// M = 3, K = 5, N = 18 with zero point -3: K pads to 8, N to 32 (two
// 16-column blocks, one panel of 2). Weights are all 1, so each column sum
// is 5 and the correction -(128 + (-3)) * 5 = -625 for the 18 real
// columns, 0 for the padding. The activations are flipped (xor -128) 64
// bytes at a time with a masked read past K.
// With kernel=amx, 3 rows (fewer than an AMX tile's 16) take the register
// tiles all the same.
// AMX-LABEL: func @matmul
// AMX-NOT: amx.
// AMX: qopt.dot_u8_s8
// AMX-NOT: amx.
// CHECK-LABEL: func @matmul
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x0101010101{{.*}}"> : tensor<256xi8>
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<[-625, {{.*}}, -625, 0, {{.*}}, 0]> : tensor<32xi32>
// CHECK: vector.transfer_read %{{.*}} : tensor<3x5xi8>, vector<8xi8>
// CHECK: arith.xori
// CHECK: scf.for
// CHECK-COUNT-6: qopt.dot_u8_s8 {{.*}} : vector<64xi8> -> vector<16xi32>
// CHECK-NOT: qopt.dot_u8_s8
// CHECK: scf.yield
// CHECK: tensor.extract_slice {{.*}} tensor<1x3x32xi32> to tensor<1x3x18xi32>
// SMALL-LABEL: func @matmul
// SMALL-NOT: tosa.matmul
// SMALL-COUNT-2: qopt.dot_u8_s8
// SMALL-NOT: tosa.matmul
// SMALL-LABEL: func @not_converted
func.func @matmul(%a: tensor<1x3x5xi8>) -> tensor<1x3x18xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<1x5x18xi8>} : () -> tensor<1x5x18xi8>
  %azp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x3x5xi8>, tensor<1x5x18xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x18xi32>
  return %c : tensor<1x3x18xi32>
}

// -----

// With AMX the weights are padded to 64 depths and signed (the correction
// is -zp * colsum = 15), A (17 x 5) is copied into two 16 x 64 tiles, and 2
// tiles of 16 columns take a 16 x 64 weight tile each per depth step.
// AMX-LABEL: func @matmul_amx
// AMX-DAG: arith.constant dense<[15, {{.*}}, 15, 0, {{.*}}, 0]> : tensor<32xi32>
// AMX-DAG: tensor.empty() : tensor<32x64xi8>
// AMX: amx.tile_zero : !amx.tile<16x16xi32>
// AMX: amx.tile_load {{.*}} into !amx.tile<16x64xi8>
// AMX: amx.tile_muli {{.*}} : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// AMX: amx.tile_store
func.func @matmul_amx(%a: tensor<1x17x5xi8>) -> tensor<1x17x18xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<1x5x18xi8>} : () -> tensor<1x5x18xi8>
  %azp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x17x5xi8>, tensor<1x5x18xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x17x18xi32>
  return %c : tensor<1x17x18xi32>
}

// -----

// Weights that are not constants, or with a zero point, stay tosa.matmul.
// CHECK-LABEL: func @not_converted
// CHECK-COUNT-2: tosa.matmul
func.func @not_converted(%a: tensor<1x3x4xi8>, %w: tensor<1x4x16xi8>) -> (tensor<1x3x16xi32>, tensor<1x3x16xi32>) {
  %b = "tosa.const"() {values = dense<1> : tensor<1x4x16xi8>} : () -> tensor<1x4x16xi8>
  %zp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %w, %zp, %zp : (tensor<1x3x4xi8>, tensor<1x4x16xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x16xi32>
  %d = tosa.matmul %a, %b, %zp, %bzp : (tensor<1x3x4xi8>, tensor<1x4x16xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x16xi32>
  return %c, %d : tensor<1x3x16xi32>, tensor<1x3x16xi32>
}

// -----

// K = 8, a multiple of 4: the activations are read in place and made
// vpdpbusd's unsigned operand in registers (each broadcast row word xor
// 0x80 = a + 128); the weights (all 1) stay as they are. Columns subtract
// (128 + zp) * 8 = 1040 (zp = 2). No row is summed at run time.
// CHECK-LABEL: func @in_place
// CHECK-DAG: arith.constant dense<1> : tensor<128xi8>
// CHECK-DAG: arith.constant dense<-1040> : tensor<16xi32>
// CHECK-DAG: %[[SIGN:.*]] = arith.constant dense<-128> : vector<64xi8>
// CHECK-NOT: vector.reduction
// CHECK: scf.for
// CHECK: %[[ROW0:.*]] = vector.transfer_read %[[A:.*]][%{{.*}}, %{{.*}}], %c0_i8 {{.*}} : tensor<2x8xi8>, vector<4xi8>
// CHECK: %[[WORD0:.*]] = vector.bitcast %[[ROW0]] : vector<4xi8> to vector<1xi32>
// CHECK: %[[SPLAT0:.*]] = vector.shuffle %[[WORD0]], %[[WORD0]] [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
// CHECK: %[[BYTES0:.*]] = vector.bitcast %[[SPLAT0]] : vector<16xi32> to vector<64xi8>
// CHECK: %[[FLIPPED0:.*]] = arith.xori %[[BYTES0]], %[[SIGN]] : vector<64xi8>
// CHECK: qopt.dot_u8_s8 %{{.*}}, %[[FLIPPED0]], %{{.*}} : vector<64xi8> -> vector<16xi32>
// CHECK: arith.xori {{.*}}, %[[SIGN]]
// CHECK: qopt.dot_u8_s8
// CHECK-NOT: vector.reduction
func.func @in_place(%a: tensor<1x2x8xi8>) -> tensor<1x2x16xi32> {
  %b = "tosa.const"() {values = dense<1> : tensor<1x8x16xi8>} : () -> tensor<1x8x16xi8>
  %azp = "tosa.const"() {values = dense<2> : tensor<1xi8>} : () -> tensor<1xi8>
  %bzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x2x8xi8>, tensor<1x8x16xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x16xi32>
  return %c : tensor<1x2x16xi32>
}

// -----

// A 3x3 convolution is a GEMM with the weights as a [KH*KW*C, O] matrix.
// Each kernel row's 3 x 8 input bytes are whole depth quads and lie side by
// side in the input, so the microkernels read the GEMM rows in place (no
// im2col): the input is copied once, zero-point padded to 6x6 pixels and
// flipped to unsigned (a + 128; the padding -5 + 128 = 123), a padded row
// at a time (an inside row is its 8-byte left border, its 4 pixels as one
// 32-byte vector and its right border; the top and bottom rows are all
// padding), and kernel row kh of output pixel (y, x) starts at byte
// ((y + kh) * 6 + x) * 8 of it.
// The constant bias joins the column corrections: 7 - (128 + (-5)) * 72
// (K = 3 * 3 * 8, all weights 1) = -8849. The kernels store into the NHWC
// result itself (each row's pixel coordinates by division), not into a
// [1, 16, 16] matrix reshaped afterwards (which would be copied into a
// function's result).
// CHECK-LABEL: func @conv3x3
// CHECK-DAG: arith.constant dense<-8849> : tensor<16xi32>
// CHECK-DAG: %[[BORDER:.*]] = arith.constant dense<123> : vector<8xi8>
// CHECK-DAG: %[[PADROW:.*]] = arith.constant dense<123> : vector<48xi8>
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[ROW:[a-z0-9]+]] = {{.*}} -> (tensor<6x48xi8>)
// CHECK: scf.if
// CHECK: vector.transfer_write %[[BORDER]], %{{.*}}[%[[ROW]], %c0]
// CHECK: vector.transfer_read %{{.*}} : tensor<4x32xi8>, vector<32xi8>
// CHECK: arith.xori {{.*}} : vector<32xi8>
// CHECK: vector.transfer_write %{{.*}}[%[[ROW]], %c8] {{.*}} : vector<32xi8>, tensor<6x48xi8>
// CHECK: vector.transfer_write %[[BORDER]], %{{.*}}[%[[ROW]], %c40]
// CHECK: } else {
// CHECK: vector.transfer_write %[[PADROW]], %{{.*}}[%[[ROW]], %c0]
// CHECK: %[[PADDED:.*]] = tensor.collapse_shape {{.*}} into tensor<288xi8>
// CHECK: vector.transfer_read %[[PADDED]]{{.*}} : tensor<288xi8>, vector<4xi8>
// CHECK: qopt.dot_u8_s8
// CHECK-NOT: tosa.add
// CHECK-NOT: tensor.expand_shape
// CHECK: vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x4x4x16xi32>
// CHECK-NOT: tosa.conv2d
func.func @conv3x3(%x: tensor<1x4x4x8xi8>) -> tensor<1x4x4x16xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<16x3x3x8xi8>} : () -> tensor<16x3x3x8xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<16xi32>} : () -> tensor<16xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<16x3x3x8xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// With 5 input channels a kernel row (15 bytes) is no whole number of depth
// quads, and padding each pixel to 8 channels would cost 60% more dot
// products: im2col. Its rows are built 48 at a time (8 row tiles of 6)
// into a buffer, K padded to 48, flipped to unsigned (taps in the padding
// read the input zero point), just before the microkernels read them.
// Column corrections: 7 - (128 + (-5)) * 45 = -5528.
// CHECK-LABEL: func @conv3x3_im2col
// CHECK-DAG: arith.constant dense<-5> : vector<5xi8>
// CHECK-DAG: arith.constant dense<-5528> : tensor<16xi32>
// CHECK-DAG: memref.alloc() : memref<48x48xi8>
// CHECK: scf.for
// CHECK: scf.if
// CHECK: arith.xori {{.*}} : vector<15xi8>
// CHECK: vector.transfer_write {{.*}} : vector<15xi8>, memref<48x48xi8>
// CHECK: } else {
// CHECK: vector.transfer_read %arg0{{.*}} : tensor<1x4x4x5xi8>, vector<5xi8>
// CHECK: } else {
// CHECK-NEXT: scf.yield %{{.*}} : vector<5xi8>
// CHECK: vector.transfer_write {{.*}} : vector<5xi8>, memref<48x48xi8>
// CHECK: qopt.dot_u8_s8
// CHECK: vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x4x4x16xi32>
// CHECK-NOT: tosa.conv2d
func.func @conv3x3_im2col(%x: tensor<1x4x4x5xi8>) -> tensor<1x4x4x16xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<16x3x3x5xi8>} : () -> tensor<16x3x3x5xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<16xi32>} : () -> tensor<16xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x5xi8>, tensor<16x3x3x5xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// With 3 input channels (an RGB stem) each pixel is padded to 4 channels
// (the row's 12 bytes read, spread to 16 by a one-source
// permutation that repeats each pixel's first byte as its fourth, then
// flipped; the fourth byte meets zero weights: each quad of the packed
// constant is 1, 1, 1, 0), so the kernel rows
// (12 bytes) are whole quads and read in place from the 6x6x4 padded
// input; K = 36. Column corrections: 7 - (128 + (-5)) * 27 = -3314.
// CHECK-LABEL: func @conv3x3_rgb
// CHECK-DAG: arith.constant dense<-3314> : tensor<16xi32>
// CHECK-DAG: arith.constant dense<"0x01010100010101000101010001010100{{.*}}"> : tensor<576xi8>
// CHECK-DAG: arith.constant dense<123> : vector<4xi8>
// CHECK-NOT: memref.alloc
// CHECK: tensor.empty() : tensor<6x24xi8>
// CHECK: %[[PIXELS:.*]] = vector.transfer_read %{{.*}} : tensor<4x12xi8>, vector<12xi8>
// CHECK: vector.shuffle %[[PIXELS]], %[[PIXELS]] [0, 1, 2, 0, 3, 4, 5, 3, 6, 7, 8, 6, 9, 10, 11, 9] : vector<12xi8>, vector<12xi8>
// CHECK: arith.xori {{.*}} : vector<16xi8>
// CHECK: vector.transfer_write {{.*}}[%{{.*}}, %c4] {{.*}} : vector<16xi8>, tensor<6x24xi8>
// CHECK: qopt.dot_u8_s8
// CHECK: vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x4x4x16xi32>
func.func @conv3x3_rgb(%x: tensor<1x4x4x3xi8>) -> tensor<1x4x4x16xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<16x3x3x3xi8>} : () -> tensor<16x3x3x3xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<16xi32>} : () -> tensor<16xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x4x4x3xi8>, tensor<16x3x3x3xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// A pointwise convolution is a GEMM on the input as it is (no im2col).
// CHECK-LABEL: func @pointwise
// CHECK-NOT: scf.if
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1, 2], [3]] : tensor<1x4x4x8xi8> into tensor<16x8xi8>
// CHECK: qopt.dot_u8_s8
// CHECK-NOT: tosa.conv2d
func.func @pointwise(%x: tensor<1x4x4x8xi8>) -> tensor<1x4x4x16xi32> {
  %w = "tosa.const"() {values = dense<1> : tensor<16x1x1x8xi8>} : () -> tensor<16x1x1x8xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<16xi32>} : () -> tensor<16xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<16x1x1x8xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// A fp32_rne requantize of the accumulators is done in the microkernels'
// stores: float(acc) * factor[n], rounded to even, clamped, zero point
// added, stored as int8; the int32 result never reaches memory.
// CHECK-LABEL: func @fused_requantize
// CHECK-NOT: qopt.requantize
// CHECK: qopt.dot_u8_s8
// CHECK: arith.sitofp {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: math.roundeven
// CHECK: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: quant.scast {{.*}} : tensor<1x4x4x16xi8> to tensor<1x4x4x16x!quant.uniform<i8:f32, 1.000000e-01:-3>>
// SMALL-LABEL: func @fused_requantize
// With two K blocks (k-block=4, K=8) the partial sums of the first go to
// an int32 buffer of the panel's rows and columns (16 x 16, contiguous);
// the last block stores int8 into the result.
// RUN: qopt %s -split-input-file --convert-int8-matmul-to-kernels="k-block=4" | FileCheck %s --check-prefix=BLOCKS
// BLOCKS-LABEL: func @fused_requantize
// BLOCKS-NOT: qopt.requantize
// BLOCKS-DAG: tensor.empty() : tensor<16x16xi32>
// BLOCKS-DAG: tensor.empty() : tensor<1x4x4x16xi8>
// BLOCKS: vector.transfer_write {{.*}} : vector<16xi32>, tensor<16x16xi32>
// BLOCKS: vector.transfer_read {{.*}} : tensor<16x16xi32>, vector<16xi32>
// BLOCKS: vector.transfer_write {{.*}} : vector<16xi8>, tensor<1x4x4x16xi8>
func.func @fused_requantize(%x: tensor<1x4x4x8xi8>) -> tensor<1x4x4x16x!quant.uniform<i8:f32, 0.1:-3>> {
  %w = "tosa.const"() {values = dense<1> : tensor<16x1x1x8xi8>} : () -> tensor<16x1x1x8xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<16xi32>} : () -> tensor<16xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x8xi8>, tensor<16x1x1x8xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x16xi32>
  %q = quant.scast %y : tensor<1x4x4x16xi32> to tensor<1x4x4x16x!quant.uniform<i32:f32, 0.002>>
  %r = qopt.requantize %q rounding fp32_rne : tensor<1x4x4x16x!quant.uniform<i32:f32, 0.002>> -> tensor<1x4x4x16x!quant.uniform<i8:f32, 0.1:-3>>
  return %r : tensor<1x4x4x16x!quant.uniform<i8:f32, 0.1:-3>>
}

// -----

// A dyadic rescale (double_round) of the accumulators is done in the
// stores too, with per-column multipliers and shifts from constants and
// convert-qopt-to-arith's int32-only arithmetic (shift >= 31).
// CHECK-LABEL: func @fused_rescale
// CHECK-NOT: qopt.rescale
// CHECK-DAG: arith.constant dense<[1073741824, 1500000000, 2000000000, 1073741824, 1073741824,
// CHECK-DAG: arith.constant dense<[31, 33, 35, 31, 31,
// CHECK: qopt.dot_u8_s8
// CHECK: arith.mulsi_extended {{.*}} : vector<16xi32>
// CHECK: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// SMALL-LABEL: func @fused_rescale
// A rescale from an unsigned or zero-point input is not fused.
// CHECK-LABEL: func @rescale_with_input_zp
// CHECK: qopt.rescale
func.func @fused_rescale(%x: tensor<1x2x2x8xi8>) -> tensor<1x2x2x4xi8> {
  %w = "tosa.const"() {values = dense<1> : tensor<4x1x1x8xi8>} : () -> tensor<4x1x1x8xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<4xi32>} : () -> tensor<4xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x8xi8>, tensor<4x1x1x8xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x4xi32>
  %r = qopt.rescale %y multiplier [1073741824, 1500000000, 2000000000, 1073741824] shift [31, 33, 35, 31] axis 3 rounding double_round {output_zp = 3 : i64} : tensor<1x2x2x4xi32> -> tensor<1x2x2x4xi8>
  return %r : tensor<1x2x2x4xi8>
}
func.func @rescale_with_input_zp(%x: tensor<1x2x2x8xi8>) -> tensor<1x2x2x4xi8> {
  %w = "tosa.const"() {values = dense<1> : tensor<4x1x1x8xi8>} : () -> tensor<4x1x1x8xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<4xi32>} : () -> tensor<4xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x8xi8>, tensor<4x1x1x8xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x4xi32>
  %r = qopt.rescale %y multiplier [1073741824] shift [31] rounding double_round {input_zp = 2 : i64} : tensor<1x2x2x4xi32> -> tensor<1x2x2x4xi8>
  return %r : tensor<1x2x2x4xi8>
}

// -----

// Depthwise (channel multiplier 1): a loop over output pixels and 16-channel
// blocks (the last one masked: C = 20), taps in the padding skipped, and
// (x - zp) * w accumulated in int32 lanes from the bias. A multiplier of 2
// is left to the reference lowering.
// CHECK-LABEL: func @depthwise
// CHECK-NOT: tosa.depthwise_conv2d
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<9x32xi32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.if
// CHECK: vector.transfer_read {{.*}} : tensor<1x6x6x20xi8>, vector<16xi8>
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: arith.muli {{.*}} : vector<16xi32>
// CHECK: vector.transfer_write {{.*}} : vector<16xi32>, tensor<36x20xi32>
// CHECK-LABEL: func @depthwise_multiplier_2
// CHECK: tosa.depthwise_conv2d
func.func @depthwise(%x: tensor<1x6x6x20xi8>) -> tensor<1x6x6x20xi32> {
  %w = "tosa.const"() {values = dense<3> : tensor<3x3x20x1xi8>} : () -> tensor<3x3x20x1xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<20xi32>} : () -> tensor<20xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x20xi8>, tensor<3x3x20x1xi8>, tensor<20xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x20xi32>
  return %y : tensor<1x6x6x20xi32>
}
func.func @depthwise_multiplier_2(%x: tensor<1x6x6x4xi8>) -> tensor<1x6x6x8xi32> {
  %w = "tosa.const"() {values = dense<3> : tensor<3x3x4x2xi8>} : () -> tensor<3x3x4x2xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<8xi32>} : () -> tensor<8xi32>
  %zp = "tosa.const"() {values = dense<-5> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xi8>, tensor<3x3x4x2xi8>, tensor<8xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x8xi32>
  return %y : tensor<1x6x6x8xi32>
}
