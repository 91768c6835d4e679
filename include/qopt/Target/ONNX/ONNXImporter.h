//===- ONNXImporter.h - ONNX models to TOSA -------------------*- C++ -*-===//
//
// Reads an ONNX model (through ONNX's own protobuf, checker and shape
// inference libraries) and builds a func.func of TOSA ops in NHWC layout,
// the graph representation every qopt pass works on (docs/Import.md).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_ONNX_ONNXIMPORTER_H
#define QOPT_TARGET_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace qopt {

struct ONNXImportOptions {
  /// Value substituted for a symbolic (dim_param) batch dimension.
  int64_t batch = 1;
};

/// Lowest and highest default-domain opset qopt imports.
inline constexpr int64_t kMinONNXOpset = 11;
inline constexpr int64_t kMaxONNXOpset = 17;

/// Imports the ONNX model in `path`. On failure, reports errors (with the
/// node name and operator where one is at fault) through the context's
/// diagnostic engine and returns null.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXFile(llvm::StringRef path, mlir::MLIRContext *context,
               const ONNXImportOptions &options = {});

/// Same, from serialized ModelProto bytes; `name` is used in locations.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXBytes(llvm::StringRef bytes, llvm::StringRef name,
                mlir::MLIRContext *context,
                const ONNXImportOptions &options = {});

} // namespace qopt

#endif // QOPT_TARGET_ONNX_ONNXIMPORTER_H
