// Bad calibration input: precise errors, non-zero exit.
// REQUIRES: numpy
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python3 -c "import numpy as np; x = np.ones((3, 1, 4), np.float32); x[2, 0, 1] = np.nan; np.save('%t/nan.npy', x); y = np.ones((3, 1, 4), np.float32); y[1, 0, 3] = np.inf; np.save('%t/inf.npy', y); np.save('%t/empty.npy', np.zeros((0, 1, 4), np.float32)); np.save('%t/shape.npy', np.zeros((2, 1, 5), np.float32)); np.save('%t/f64.npy', np.zeros((2, 1, 4)))"
// RUN: not qopt %s --qopt-calibrate 2>&1 | FileCheck %s --check-prefix=NODATA
// NODATA: error: qopt-calibrate: no calibration data: pass data=file.npy or file.npz:key
// RUN: not qopt %s --qopt-calibrate="data=%t/nan.npy" 2>&1 | FileCheck %s --check-prefix=NAN
// NAN: error: qopt-calibrate: calibration sample 2 holds NaN at element 1
// RUN: not qopt %s --qopt-calibrate="data=%t/inf.npy" 2>&1 | FileCheck %s --check-prefix=INF
// INF: error: qopt-calibrate: calibration sample 1 holds an infinity at element 3
// RUN: not qopt %s --qopt-calibrate="data=%t/empty.npy" 2>&1 | FileCheck %s --check-prefix=EMPTY
// EMPTY: error: qopt-calibrate: the calibration set is empty
// RUN: not qopt %s --qopt-calibrate="data=%t/shape.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: qopt-calibrate: input 'arg0' has shape (2, 1, 5); the model expects (1, 1, 4) with any multiple of the batch 1
// RUN: not qopt %s --qopt-calibrate="data=%t/f64.npy" 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: qopt-calibrate: calibration data must be float32 ('<f4'), got '<f8'
// RUN: not qopt %s --qopt-calibrate="data=%t/missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: qopt-calibrate: cannot read '{{.*}}missing.npy'
// RUN: not qopt %s --qopt-calibrate="data=%t/nan.npy observer=kl" 2>&1 | FileCheck %s --check-prefix=OBSERVER
// OBSERVER: error: qopt-calibrate: unknown observer 'kl' (expected minmax, moving-average, percentile, mse or entropy)
// RUN: not qopt %s --qopt-calibrate="data=%t/nan.npy function=nosuch" 2>&1 | FileCheck %s --check-prefix=NOFUNC
// NOFUNC: error: qopt-calibrate: no function named 'nosuch'
// RUN: %python3 -c "import numpy as np; x = np.ones((3, 1, 4), np.float32); x[2, 0, 1] = np.nan; np.savez_compressed('%t/nan.npz', calib=x, other=x); np.save('%t/trunc.npy', np.ones((4, 1, 4), np.float32)); open('%t/notnpy.npy', 'w').write('hello world, not numpy')"
// RUN: truncate -s -10 %t/trunc.npy
// Compressed .npz members stream through zlib: the NaN is found in the
// third sample as with .npy.
// RUN: not qopt %s --qopt-calibrate="data=%t/nan.npz:calib" 2>&1 | FileCheck %s --check-prefix=NAN
// RUN: not qopt %s --qopt-calibrate="data=%t/nan.npz" 2>&1 | FileCheck %s --check-prefix=NOKEY
// NOKEY: error: qopt-calibrate: {{.*}}nan.npz holds several arrays (calib, other); name one as {{.*}}nan.npz:<key>
// RUN: not qopt %s --qopt-calibrate="data=%t/nan.npz:nosuch" 2>&1 | FileCheck %s --check-prefix=NOARRAY
// NOARRAY: error: qopt-calibrate: {{.*}}nan.npz has no array 'nosuch' (it has: calib, other)
// RUN: not qopt %s --qopt-calibrate="data=%t/trunc.npy" 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: error: qopt-calibrate: {{.*}}trunc.npy: truncated data
// RUN: not qopt %s --qopt-calibrate="data=%t/notnpy.npy" 2>&1 | FileCheck %s --check-prefix=MAGIC
// MAGIC: error: qopt-calibrate: {{.*}}notnpy.npy: not a .npy file (bad magic)
// Tensors constant over the calibration set (the input, and its ReLU) are
// quantized, with a warning naming each.
// RUN: %python3 -c "import numpy as np; np.save('%t/negative.npy', np.full((5, 1, 4), -2.0, np.float32))"
// RUN: qopt %s --qopt-calibrate="data=%t/negative.npy" 2>&1 | FileCheck %s --check-prefix=CONSTANT
// CONSTANT: warning: qopt-calibrate: argument 0 is -2.000000e+00 on every calibration sample
// CONSTANT: warning: qopt-calibrate: 'tosa.clamp' is 0.000000e+00 on every calibration sample (min == max): it is quantized with the smallest scale and represents little else
// CONSTANT: qopt.range = #qopt.range<min = 0.000000e+00, max = 0.000000e+00>
// RUN: sed 's/@model/@second/' %s >> %t/two.mlir && cat %s >> %t/two.mlir
// RUN: not qopt %t/two.mlir --qopt-calibrate="data=%t/nan.npy" 2>&1 | FileCheck %s --check-prefix=SEVERAL
// SEVERAL: error: qopt-calibrate: the module has several functions; name one with function=...
func.func @model(%x: tensor<1x1x4xf32>) -> tensor<1x1x4xf32> {
  %r = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x1x4xf32>) -> tensor<1x1x4xf32>
  return %r : tensor<1x1x4xf32>
}
