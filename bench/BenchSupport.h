//===- BenchSupport.h - what the benchmarks share -------------------------===//
//
// Medians, the int8 matmul the GEMM benchmarks compile, and memref views.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_BENCH_BENCHSUPPORT_H
#define QOPT_BENCH_BENCHSUPPORT_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace qopt::bench {

inline double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

/// One byte per value as an MLIR dense hex literal ("0x..."); for i4
/// tensors too (each byte holds one sign-extended value).
inline std::string hexBytes(const std::vector<int8_t> &bytes) {
  return "\"0x" +
         llvm::toHex(llvm::ArrayRef(
             reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size())) +
         "\"";
}

/// `func @mm(%a: memref<1xMxKxi8>, %out: memref<1xMxNxi32>)`: a tosa.matmul
/// of the activations (zero point `zeroPoint`) by constant `weights`
/// (row-major K x N) of element type `weightType` (i8 or i4).
inline std::string matmulSource(int64_t m, int64_t n, int64_t k,
                                const std::vector<int8_t> &weights,
                                int zeroPoint,
                                const std::string &weightType = "i8") {
  auto t = [](int64_t a, int64_t b, const std::string &e) {
    return "1x" + std::to_string(a) + "x" + std::to_string(b) + "x" + e;
  };
  std::string a = "tensor<" + t(m, k, "i8") + ">";
  std::string b = "tensor<" + t(k, n, weightType) + ">";
  std::string r = "tensor<" + t(m, n, "i32") + ">";
  std::string am = "memref<" + t(m, k, "i8") + ">";
  std::string rm = "memref<" + t(m, n, "i32") + ">";
  std::string zpw = "tensor<1x" + weightType + ">";
  std::ostringstream os;
  os << "func.func @mm(%am: " << am << ", %out: " << rm
     << ") attributes {llvm.emit_c_interface} {\n"
     << "  %a = bufferization.to_tensor %am restrict : " << am << " to " << a
     << "\n  %b = \"tosa.const\"() {values = dense<" << hexBytes(weights)
     << "> : " << b << "} : () -> " << b << "\n"
     << "  %azp = \"tosa.const\"() {values = dense<" << zeroPoint
     << "> : tensor<1xi8>} : () -> tensor<1xi8>\n"
     << "  %bzp = \"tosa.const\"() {values = dense<0> : " << zpw << "} : () -> "
     << zpw << "\n"
     << "  %c = tosa.matmul %a, %b, %azp, %bzp : (" << a << ", " << b
     << ", tensor<1xi8>, " << zpw << ") -> " << r << "\n"
     << "  bufferization.materialize_in_destination %c in restrict writable "
        "%out : ("
     << r << ", " << rm << ") -> ()\n  return\n}\n";
  return os.str();
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
