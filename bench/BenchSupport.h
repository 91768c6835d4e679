//===- BenchSupport.h - what the benchmarks share -------------------------===//
//
// Medians and memref views (the matmul source is qopt::int8MatMulSource).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_BENCH_BENCHSUPPORT_H
#define QOPT_BENCH_BENCHSUPPORT_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <vector>

namespace qopt::bench {

/// Storage aligned to a cache line, as a compiled model's buffers are:
/// glibc returns large blocks 16 bytes past a page boundary, where every
/// 64-byte store of a GEMM's result would straddle two cache lines.
template <typename T> struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U> CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) {
    size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    if (void *p = std::aligned_alloc(64, bytes ? bytes : 64))
      return static_cast<T *>(p);
    throw std::bad_alloc();
  }
  void deallocate(T *p, size_t) { std::free(p); }
  template <typename U> bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
};

/// A benchmark's activations, weights and results (both libraries').
template <typename T> using Buffer = std::vector<T, CacheLineAllocator<T>>;

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
