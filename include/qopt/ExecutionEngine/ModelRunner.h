//===- ModelRunner.h - run a float graph on NumPy arrays --------*- C++ -*-===//
//
// Compiles one function of a TOSA graph (as qopt-import produces) through
// upstream's lowerings to the JIT, and runs it on NumPy arrays whose leading
// (batch) dimension may be any multiple of the function's: the function is
// called once per batch chunk. This is qopt's float reference execution.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_EXECUTIONENGINE_MODELRUNNER_H
#define QOPT_EXECUTIONENGINE_MODELRUNNER_H

#include "qopt/ExecutionEngine/JitKernel.h"
#include "qopt/Support/NumpyIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace qopt {

struct TensorSignature {
  std::string name;           ///< onnx.name attribute, or argN / resultN
  std::vector<int64_t> shape; ///< static shape, batch first
};

/// The public function of `module` named `name`, or its only public function
/// when `name` is empty. `chooser` is how the user names one (e.g.
/// "--function"), quoted in the error when there are several.
llvm::Expected<mlir::func::FuncOp> findEntryFunction(mlir::ModuleOp module,
                                                     llvm::StringRef name,
                                                     llvm::StringRef chooser);

/// A copy of `module` in which function `function` also returns the values
/// `select` picks in the copy (after its original results), for observing
/// intermediates. Result attributes are dropped.
mlir::OwningOpRef<mlir::ModuleOp> withExtraResults(
    mlir::ModuleOp module, llvm::StringRef function,
    llvm::function_ref<llvm::SmallVector<mlir::Value>(mlir::Operation *func)>
        select);

/// How a graph's integer ops are compiled.
enum class Codegen {
  /// Upstream's TOSA to linalg to loops (correct, not fast).
  reference,
  /// int8 convolutions and matmuls with constant weights as packed GEMM
  /// microkernels for a CpuTarget (convert-int8-matmul-to-kernels: AMX,
  /// VNNI, sdot or smmla, as the target allows), the rest as reference.
  native,
};

struct CpuTarget;

/// A copy of `module` ready for the lowering: `function` gets a C
/// interface (`_mlir_ciface_<function>`) and the qopt.* annotations, which
/// describe float values, are dropped.
mlir::OwningOpRef<mlir::ModuleOp> prepareForLowering(mlir::ModuleOp module,
                                                     llvm::StringRef function);

/// The pass pipeline from a quantized TOSA graph to the LLVM dialect, with
/// results as caller-provided out-parameters and no leaked buffers: the
/// reference lowering, or with `target` qopt's int8 kernels for it.
std::string graphLoweringPipeline(const CpuTarget *target = nullptr);

class ModelRunner {
public:
  /// Compiles `function` (or the only public function when empty) of
  /// `module`. Only float32 tensor arguments and results are supported.
  /// With Codegen::x86, `target` (default: the host) chooses the kernels;
  /// it must run on the host.
  static llvm::Expected<std::unique_ptr<ModelRunner>>
  create(mlir::ModuleOp module, llvm::StringRef function = "",
         Codegen codegen = Codegen::reference,
         const CpuTarget *target = nullptr);

  const std::vector<TensorSignature> &inputs() const { return inputSigs; }
  const std::vector<TensorSignature> &outputs() const { return outputSigs; }

  /// Runs on `arrays` (one per input, float32, shape = the input's shape
  /// with any multiple of its batch). Errors name the offending input.
  llvm::Expected<std::vector<NumpyArray>>
  run(const std::vector<NumpyArray> &arrays);

  /// Streaming form: runs one batch chunk at a time and hands `onChunk` the
  /// outputs of that chunk only (buffers are reused), so memory does not
  /// grow with the number of samples. `maxChunks` (0: all) limits the run.
  llvm::Error forEachChunk(
      const std::vector<NumpyArray> &arrays,
      llvm::function_ref<llvm::Error(int64_t chunk,
                                     const std::vector<NumpyArray> &outputs)>
          onChunk,
      int64_t maxChunks = 0);

  /// Runs chunk `chunk` of `arrays` (see countChunks) into `outputs`, which
  /// must hold one float32 array per output of the function's own shape.
  llvm::Error runChunk(const std::vector<NumpyArray> &arrays, int64_t chunk,
                       int64_t chunks, std::vector<NumpyArray> &outputs);
  /// Output buffers of the function's own shapes, for runChunk.
  std::vector<NumpyArray> makeOutputBuffers() const;

  /// Number of chunks `arrays` make, after validating them.
  llvm::Expected<int64_t> countChunks(const std::vector<NumpyArray> &arrays);

private:
  ModelRunner() = default;
  std::unique_ptr<JitKernel> kernel;
  std::string functionName;
  std::vector<TensorSignature> inputSigs, outputSigs;
};

} // namespace qopt

#endif // QOPT_EXECUTIONENGINE_MODELRUNNER_H
