//===- BenchSupport.h - what the benchmarks share -------------------------===//
//
// Medians and memref views (the matmul source is qopt::int8MatMulSource).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_BENCH_BENCHSUPPORT_H
#define QOPT_BENCH_BENCHSUPPORT_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <algorithm>
#include <vector>

namespace qopt::bench {

inline double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

/// A 1 x rows x cols row-major view of `data`.
template <typename T>
StridedMemRefType<T, 3> view3(T *data, int64_t rows, int64_t cols) {
  StridedMemRefType<T, 3> d;
  d.basePtr = d.data = data;
  d.offset = 0;
  d.sizes[0] = 1, d.sizes[1] = rows, d.sizes[2] = cols;
  d.strides[0] = rows * cols, d.strides[1] = cols, d.strides[2] = 1;
  return d;
}

} // namespace qopt::bench

#endif // QOPT_BENCH_BENCHSUPPORT_H
