// qopt-measure-latency on a small random model (3x3 convolution, depthwise
// convolution, fully-connected layer), calibrated, with sensitivities at
// 8, 4, 3 and 2 bits: every layer is quantized at int8, int4 and packed
// 2-bit storage, compiled with qopt's kernels for the host and timed.
// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python3 %S/Inputs/make_small_model.py %t
// RUN: qopt %t/model.mlir --pass-pipeline="builtin.module(qopt-calibrate{data=%t/x.npy},func.func(qopt-propagate-ranges),qopt-measure-sensitivity{data=%t/x.npy widths=8,4,3,2})" -o %t/sensitivity.mlir
// RUN: qopt %t/sensitivity.mlir --qopt-measure-latency="repetitions=3" -o %t/timed.mlir
// RUN: %python3 %S/Inputs/check_sensitivity.py %t/timed.mlir | FileCheck %s
// 3 and 4 bits are both stored as int4, so they share one measurement.
// CHECK-COUNT-3: layer bits=[8, 4, 3, 2] monotone=True latency positive=True storage-shared=True
// CHECK-NOT: layer

// The attribute keeps its widths and noise; the layers stay float (the
// quantization happened on a copy).
// RUN: FileCheck %s --check-prefix=ATTR --input-file=%t/timed.mlir
// ATTR: tosa.conv2d {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 3, 2], noise = [{{.*}}], latency = [{{.*}} : (tensor<1x6x6x2xf32>, tensor<4x3x3x2xf32>,
// ATTR: tosa.depthwise_conv2d {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 3, 2], noise = [{{.*}}], latency = [
// ATTR: tosa.matmul {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 3, 2], noise = [{{.*}}], latency = [

// The integer-only profiles and another x86 target measure too (the AVX2
// kernels, on any x86-64 host that runs the tests).
// RUN: qopt %t/sensitivity.mlir --qopt-measure-latency="repetitions=1 profile=double_round target=x86-64-v3" -o %t/avx2.mlir
// RUN: %python3 %S/Inputs/check_sensitivity.py %t/avx2.mlir | FileCheck %s

// int16 activations: the layers are timed as the native code runs them
// (two int8 passes each, qopt-split-int16-layers).
// RUN: qopt %t/sensitivity.mlir --qopt-measure-latency="repetitions=1 activation-policy=si16,symmetric,per_tensor" -o %t/int16.mlir
// RUN: %python3 %S/Inputs/check_sensitivity.py %t/int16.mlir | FileCheck %s

// Activation widths as candidates: each layer is timed at every
// (weight, activation) pair, the 16-bit forms as int16 models.
// RUN: qopt %t/model.mlir --pass-pipeline="builtin.module(qopt-calibrate{data=%t/x.npy},func.func(qopt-propagate-ranges),qopt-measure-sensitivity{data=%t/x.npy widths=8,4 activation-widths=8,16})" -o %t/activations.mlir
// RUN: qopt %t/activations.mlir --qopt-measure-latency="repetitions=3" -o %t/activations-timed.mlir
// RUN: %python3 %S/Inputs/check_sensitivity.py %t/activations-timed.mlir | FileCheck %s --check-prefix=PAIRS
// PAIRS-COUNT-3: layer bits=[8, 4] monotone=True activations=[8, 16] quieter-at-16=True latency positive=True storage-shared=True
// PAIRS-NOT: layer
// RUN: FileCheck %s --check-prefix=PAIRATTR --input-file=%t/activations-timed.mlir
// PAIRATTR: tosa.conv2d {{.*}}activation_bits = [8, 16], activation_noise = [{{[^]]*}}], latency = [{{[^],]*}}, {{[^],]*}}, {{[^],]*}}, {{[^],]*}}]>
// The solver then chooses activations too; a budget that allows
// everything widens every input (least noise).
// RUN: qopt %t/activations-timed.mlir --qopt-assign-precision="budget-latency=1000000 report=-" -o %t/assigned.mlir 2>&1 | FileCheck %s --check-prefix=ACTREPORT
// ACTREPORT: activation  read by  output SQNR dB by width  width
// ACTREPORT-NEXT: argument 0        1  8: {{[0-9.]+}}  16: {{[0-9.]+}}  16
// ACTREPORT-NEXT: {{.*}}        1  8: {{[0-9.]+}}  16: {{[0-9.]+}}  16
// ACTREPORT-NEXT: {{.*}}        1  8: {{[0-9.]+}}  16: {{[0-9.]+}}  16
// RUN: grep -c "si16, symmetric, per_tensor" %t/assigned.mlir | FileCheck %s --check-prefix=SI16
// SI16: 4

// With a latency budget, qopt-assign-precision takes the measured times.
// RUN: qopt %t/timed.mlir --qopt-assign-precision="budget-latency=1000000 average-bits=6 report=-" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: budget: {{[0-9]+}} bytes ({{.*}}% of int8) 1000000.0 us
// REPORT-NEXT: chosen: {{.*}} dB, {{[0-9.]+}} us
// REPORT: layer {{.*}} width     bytes        us  us by width
// REPORT-COUNT-3: {{^.* [2348]  +[0-9]+  +[0-9.]+  8: [0-9.]+  4: [0-9.]+  3: [0-9.]+  2: [0-9.]+$}}
// REPORT: Pareto front
// REPORT-NEXT: bytes  % of int8  bits/weight  predicted SQNR dB  latency us

// Bad input.
// RUN: not qopt %t/model.mlir --qopt-measure-latency 2>&1 | FileCheck %s --check-prefix=NOSENS
// NOSENS: error: qopt-measure-latency: no layer with constant float weights carries qopt.sensitivity; run qopt-measure-sensitivity first
// RUN: not qopt %t/sensitivity.mlir --qopt-measure-latency="target=cortex-a76" 2>&1 | FileCheck %s --check-prefix=CROSS
// CROSS: error: qopt-measure-latency: latencies are measured by running the kernels, and target 'cortex-a76' cannot run here: {{.+}}
// RUN: not qopt %t/sensitivity.mlir --qopt-measure-latency="target=pentium9000" 2>&1 | FileCheck %s --check-prefix=CPU
// CPU: error: qopt-measure-latency: {{.*}}pentium9000
// RUN: not qopt %t/sensitivity.mlir --qopt-measure-latency="repetitions=0" 2>&1 | FileCheck %s --check-prefix=REPS
// REPS: error: qopt-measure-latency: repetitions must be >= 1, got 0
// Without calibrated ranges the copy does not become an integer graph:
// the layer that stays float is named.
// RUN: qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy" -o %t/uncalibrated.mlir
// RUN: not qopt %t/uncalibrated.mlir --qopt-measure-latency 2>&1 | FileCheck %s --check-prefix=NORANGE
// NORANGE: error: qopt-measure-latency: '{{.*}}' is not an integer layer with a requantized output at 4-bit weights; its latency cannot be measured
