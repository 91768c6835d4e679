//===- QOptEnums.h - qopt enums ---------------------------------*- C++ -*-===//
//
// Generated enums (RoundingMode, Granularity, StorageKind), usable without
// the rest of the dialect (e.g. by the context-free numerics in Utils/).
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTENUMS_H
#define QOPT_DIALECT_QOPT_IR_QOPTENUMS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>

#include "qopt/Dialect/QOpt/IR/QOptEnums.h.inc"

#endif // QOPT_DIALECT_QOPT_IR_QOPTENUMS_H
