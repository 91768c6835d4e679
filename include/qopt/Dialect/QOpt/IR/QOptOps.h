//===- QOptOps.h - qopt operations ------------------------------*- C++ -*-===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTOPS_H
#define QOPT_DIALECT_QOPT_IR_QOPTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qopt/Dialect/QOpt/IR/QOptAttrs.h"
#include "qopt/Dialect/QOpt/IR/QOptDialect.h"

#define GET_OP_CLASSES
#include "qopt/Dialect/QOpt/IR/QOptOps.h.inc"

#endif // QOPT_DIALECT_QOPT_IR_QOPTOPS_H
