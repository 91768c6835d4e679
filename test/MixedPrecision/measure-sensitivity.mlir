// qopt-measure-sensitivity on a small random model: a 3x3 convolution, a
// depthwise convolution and a fully-connected layer.
// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python3 %S/Inputs/make_small_model.py %t
// RUN: qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,4,2 cache=%t/cache.json" -o %t/measured.mlir
// RUN: %python3 %S/Inputs/check_sensitivity.py %t/measured.mlir | FileCheck %s
// CHECK-COUNT-3: layer bits=[8, 4, 2] monotone=True
// CHECK-NOT: layer

// The attribute sits on the layer ops, nowhere else.
// RUN: FileCheck %s --check-prefix=ATTR --input-file=%t/measured.mlir
// ATTR: tosa.conv2d {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 2], noise = [
// ATTR: tosa.depthwise_conv2d {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 2], noise = [
// ATTR: tosa.matmul {{.*}}qopt.sensitivity = #qopt.sensitivity<bits = [8, 4, 2], noise = [

// A second run reads the cache and gives the same attributes (the cache
// holds one model); other samples miss it and add a second entry.
// RUN: qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,4,2 cache=%t/cache.json" -o %t/cached.mlir
// RUN: cmp %t/measured.mlir %t/cached.mlir
// RUN: %python3 -c "import json; print(len(json.load(open('%t/cache.json'))['models']))" | FileCheck %s --check-prefix=ONE
// ONE: 1
// RUN: qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,4,2 max-samples=8 cache=%t/cache.json" -o /dev/null
// RUN: %python3 -c "import json; print(len(json.load(open('%t/cache.json'))['models']))" | FileCheck %s --check-prefix=TWO
// TWO: 2

// A file that is not a cache is refused and left as it was.
// RUN: echo "my notes" > %t/notes.txt
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy cache=%t/notes.txt" 2>&1 | FileCheck %s --check-prefix=NOTCACHE
// NOTCACHE: error: qopt-measure-sensitivity: '{{.*}}notes.txt' exists and is not a qopt sensitivity cache; it is not overwritten (name another file with cache=...)
// RUN: FileCheck %s --check-prefix=NOTES --input-file=%t/notes.txt
// NOTES: my notes

// Bad input.
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity 2>&1 | FileCheck %s --check-prefix=NODATA
// NODATA: error: qopt-measure-sensitivity: no calibration data: pass data=file.npy or file.npz:key
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/nan.npy" 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: error: qopt-measure-sensitivity: calibration sample 3 holds NaN at element 17
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=8,9" 2>&1 | FileCheck %s --check-prefix=WIDTH
// WIDTH: error: qopt-measure-sensitivity: width 9 is not supported: weight widths are 2 to 8 bits
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy widths=4,8,4" 2>&1 | FileCheck %s --check-prefix=TWICE
// TWICE: error: qopt-measure-sensitivity: width 4 is listed twice
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/x.npy max-samples=-1" 2>&1 | FileCheck %s --check-prefix=SAMPLES
// SAMPLES: error: qopt-measure-sensitivity: max-samples must be >= 0, got -1
// RUN: %python3 -c "import numpy as np; np.save('%t/shape.npy', np.zeros((4, 6, 6, 3), np.float32))"
// RUN: not qopt %t/model.mlir --qopt-measure-sensitivity="data=%t/shape.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: qopt-measure-sensitivity: calibration samples must have shape (N, 6, 6, 2) for the model's input
// RUN: not qopt %S/Inputs/no_layers.mlir --qopt-measure-sensitivity="data=%t/x.npy" 2>&1 | FileCheck %s --check-prefix=NOLAYER
// NOLAYER: error: qopt-measure-sensitivity: {{.*}} has no layer with constant float weights (tosa.conv2d, depthwise_conv2d or matmul)
