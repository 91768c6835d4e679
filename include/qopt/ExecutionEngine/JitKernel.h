//===- JitKernel.h - compile MLIR with qopt's passes and run it -*- C++ -*-===//
//
// Parses a kernel written in MLIR, runs a pass pipeline (qopt's and upstream
// passes, as `qopt` would), JIT-compiles the result with MLIR's
// ExecutionEngine (LLVM -O3 with the host CPU's features, or a named
// subtarget's) and calls a
// function taking memref descriptors. Used by the execution tests (which
// check what qopt compiles, not a re-implementation) and the benchmarks.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXECUTIONENGINE_JITKERNEL_H
#define QOPT_EXECUTIONENGINE_JITKERNEL_H

#include "mlir/ExecutionEngine/CRunnerUtils.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <string>
#include <vector>

namespace qopt {

class JitKernel {
public:
  /// Compiles `source` through `pipeline`, a textual list of passes run on
  /// the top-level module (no `builtin.module(...)` wrapper). The passes
  /// must be registered (registerJitPasses() does it for tools and tests).
  /// On failure, `error()` says why. With `cpu` (an LLVM CPU name) and
  /// `features` ("+avx2,-avx512f,..."), every function is compiled for
  /// that subtarget instead of the host's full feature set, so that LLVM's
  /// own instruction choices (vector width, fused multiply-adds such as
  /// vpdpwssd) stay within the target; the host must be able to run it.
  JitKernel(const std::string &source, const std::string &pipeline,
            const std::string &cpu = "", const std::string &features = "");
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
    return callPacked(name, args);
  }

  /// Generates the machine code of `_mlir_ciface_<name>` now (the JIT
  /// otherwise does it on the first call), so that timing a call measures
  /// only the call. The entry point is kept: later calls are plain
  /// indirect calls, without the JIT's symbol lookup (microseconds, as
  /// much as a small GEMM).
  bool materialize(const std::string &name);

  /// Calls `_mlir_ciface_<name>` with already packed arguments (pointers to
  /// pointers to descriptors, one per parameter).
  bool callPacked(const std::string &name, void **args);

private:
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  /// The packed entry points materialize() looked up, by name.
  llvm::StringMap<void (*)(void **)> entryPoints;
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

/// A memref descriptor of any rank viewing a row-major buffer of `shape`:
/// {allocated, aligned, offset, sizes..., strides...}, all 64-bit. Pass
/// its data() to JitKernel::callPacked.
std::vector<int64_t> memrefDescriptor(void *data,
                                      llvm::ArrayRef<int64_t> shape);

/// Registers the upstream and qopt passes the JIT pipelines name (for
/// programs that do not register them otherwise). Defined in
/// QOptRegistration.
void registerJitPasses();

/// The lowering from bufferized linalg/vector/arith code to the LLVM
/// dialect: deallocation, loops, qopt.dot instruction selection, LLVM.
extern const char *const kBuffersToLLVM;

/// The upstream lowering from tensors with linalg/arith to the LLVM dialect
/// that every JIT test appends to its own passes: one-shot bufferization,
/// then kBuffersToLLVM.
extern const char *const kLowerToLLVM;

/// `pipeline` (kBuffersToLLVM, kLowerToLLVM or one ending in either) with
/// its qopt dot lowering set to instruction set `isa` instead of the
/// host's (convert-qopt-dot-to-llvm's `isa` option).
std::string withDotIsa(llvm::StringRef pipeline, llvm::StringRef isa);

/// Bytes as an MLIR dense hex literal ("0x..."), one per value: int8
/// tensors, and int4 ones (each byte one sign-extended value).
std::string denseHexLiteral(llvm::ArrayRef<int8_t> bytes);

/// The int8 matmul the GEMM tests and benchmarks compile:
/// `func @mm(%am: memref<1xMxKxi8>, %out: memref<1xMxNxi32>)` computing
/// tosa.matmul of the activations (zero point `zeroPoint`) by the constant
/// `weights` (row-major K x N) of element type `weightType` (i8 or i4).
std::string int8MatMulSource(int64_t m, int64_t n, int64_t k,
                             llvm::ArrayRef<int8_t> weights, int zeroPoint,
                             llvm::StringRef weightType = "i8");

} // namespace qopt

#endif // QOPT_EXECUTIONENGINE_JITKERNEL_H
