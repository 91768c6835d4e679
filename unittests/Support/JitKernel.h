//===- JitKernel.h - compile a qopt kernel with qopt and run it -*- C++ -*-===//
//
// Test support: parses a kernel written in MLIR, runs a pass pipeline (qopt's
// and upstream passes, as `qopt` would), JIT-compiles the result with MLIR's
// ExecutionEngine and calls a function taking memref descriptors. Tests
// check what qopt compiles, not a re-implementation.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_UNITTESTS_SUPPORT_JITKERNEL_H
#define QOPT_UNITTESTS_SUPPORT_JITKERNEL_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>
#include <string>

namespace qopt::testing {

class JitKernel {
public:
  /// Compiles `source` through `pipeline`, a textual list of passes run on
  /// the top-level module (no `builtin.module(...)` wrapper). On failure,
  /// `error()` says why.
  JitKernel(const std::string &source, const std::string &pipeline);
  ~JitKernel();

  bool ok() const { return engine != nullptr; }
  const std::string &error() const { return errorText; }
  /// Remarks the passes emitted (e.g. which rescale form was chosen).
  const std::string &remarks() const { return remarkText; }
  /// The lowered module as text (for failure messages).
  const std::string &loweredIR() const { return lowered; }

  /// Calls `_mlir_ciface_<name>` with pointers to the given descriptors.
  template <typename... Descriptors>
  bool call(const std::string &name, Descriptors *...descriptors) {
    void *pointers[] = {static_cast<void *>(descriptors)...};
    void *args[sizeof...(Descriptors)];
    for (size_t i = 0; i < sizeof...(Descriptors); ++i)
      args[i] = &pointers[i];
    return invoke(name, args, sizeof...(Descriptors));
  }

private:
  bool invoke(const std::string &name, void **args, size_t count);

  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::string errorText;
  std::string remarkText;
  std::string lowered;
};

/// A 2-D strided memref descriptor viewing a row-major buffer.
template <typename T>
StridedMemRefType<T, 2> viewAs2D(T *data, int64_t rows, int64_t cols) {
  StridedMemRefType<T, 2> d;
  d.basePtr = data;
  d.data = data;
  d.offset = 0;
  d.sizes[0] = rows;
  d.sizes[1] = cols;
  d.strides[0] = cols;
  d.strides[1] = 1;
  return d;
}

/// The upstream lowering from tensors with linalg/arith to the LLVM dialect
/// that every JIT test appends to its own passes.
extern const char *const kLowerToLLVM;

} // namespace qopt::testing

#endif // QOPT_UNITTESTS_SUPPORT_JITKERNEL_H
