// qopt-measure-sensitivity with activation widths on the small random model
// of measure-sensitivity.mlir (calibrated first): every layer's input
// activation is measured at 8 bits (the activation-policy, int8 affine)
// and 16 bits (int16 symmetric).
// REQUIRES: numpy, torch
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python3 %S/Inputs/make_small_model.py %t
// RUN: qopt %t/model.mlir --pass-pipeline="builtin.module(qopt-calibrate{data=%t/x.npy},func.func(qopt-propagate-ranges))" -o %t/calibrated.mlir
// RUN: qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,4 activation-widths=8,16 cache=%t/cache.json" -o %t/measured.mlir
// RUN: FileCheck %s --check-prefix=ATTR --input-file=%t/measured.mlir
// ATTR: tosa.conv2d {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [{{.*}}], activation_bits = [8, 16], activation_noise = [
// ATTR: tosa.depthwise_conv2d {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [{{.*}}], activation_bits = [8, 16], activation_noise = [
// ATTR: tosa.matmul {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [{{.*}}], activation_bits = [8, 16], activation_noise = [

// The first layer reads the model input. Reference: the float model run
// (qopt-run) on inputs that PyTorch fake-quantized with its own observer's
// scale and zero point for the same calibrated range (round half to
// even), over the same 32 samples. The noise must agree to 1e-6
// (summation order; qopt divides by the scale where PyTorch multiplies by
// its inverse, which could round a rare tie apart).
// RUN: %python3 %S/Inputs/fake_quantize_input.py %t/measured.mlir %t/x.npy 32 %t
// RUN: qopt-run %t/calibrated.mlir --input %t/x.npy --output %t/y.npy
// RUN: qopt-run %t/calibrated.mlir --input %t/x8.npy --output %t/y8.npy
// RUN: qopt-run %t/calibrated.mlir --input %t/x16.npy --output %t/y16.npy
// RUN: %python3 %S/Inputs/compare_activation_noise.py %t/measured.mlir %t/y.npy %t/y8.npy %t/y16.npy | FileCheck %s
// CHECK: activations measured on 3 layers
// CHECK-NEXT: input at 8 bits: relative difference below 1e-6
// CHECK-NEXT: input at 16 bits: relative difference below 1e-6
// CHECK-NEXT: layer 0: 0 < noise16 < noise8 / 1000: True
// CHECK-NEXT: layer 1: 0 < noise16 < noise8 / 1000: True
// CHECK-NEXT: layer 2: 0 < noise16 < noise8 / 1000: True

// The weights' noise does not change when activations are measured too
// (their fake quantization is off, an exact identity, in the weight runs).
// RUN: qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,4" -o %t/weights-only.mlir
// RUN: grep -o "bits = \[8, 4\], noise = \[[^]]*\]" %t/weights-only.mlir > %t/weights-only.txt
// RUN: grep -o "bits = \[8, 4\], noise = \[[^]]*\]" %t/measured.mlir | diff - %t/weights-only.txt

// The cache keeps the activations; a second run reads them back.
// RUN: %python3 -c "import json; m = json.load(open('%t/cache.json'))['models']; print([len(e.get('activations', [])) for e in m.values()])" | FileCheck %s --check-prefix=CACHE
// CACHE: [3]
// RUN: qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,4 activation-widths=8,16 cache=%t/cache.json" -o %t/cached.mlir
// RUN: cmp %t/measured.mlir %t/cached.mlir

// Bad input.
// RUN: not qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy activation-widths=8,4" 2>&1 | FileCheck %s --check-prefix=AWIDTH
// AWIDTH: error: qopt-measure-sensitivity: activation width 4 is not supported: activations are 8 or 16 bits
// RUN: not qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy activation-widths=16,16" 2>&1 | FileCheck %s --check-prefix=ATWICE
// ATWICE: error: qopt-measure-sensitivity: activation width 16 is listed twice
// RUN: not qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy activation-widths=8 activation-policy=si4,symmetric,per_tensor" 2>&1 | FileCheck %s --check-prefix=APOLICY
// APOLICY: error: qopt-measure-sensitivity: activation width 8 stands for the activation-policy, which must then be an 8-bit per-tensor integer policy; got 'si4,symmetric,per_tensor'
// RUN: not qopt %t/calibrated.mlir --qopt-measure-sensitivity="data=%t/x.npy activation-widths=8 activation-policy=bogus" 2>&1 | FileCheck %s --check-prefix=ABAD
// ABAD: error: qopt-measure-sensitivity: invalid activation-policy 'bogus':
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy activation-widths=8,16" 2>&1 | FileCheck %s --check-prefix=UNCAL
// UNCAL: error: qopt-measure-sensitivity: activation widths were asked for, but no layer's input is calibrated (run qopt-calibrate and qopt-propagate-ranges first)
