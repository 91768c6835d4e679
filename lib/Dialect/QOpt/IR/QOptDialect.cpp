//===- QOptDialect.cpp - qopt dialect -------------------------------------===//

#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace qopt;

#include "qopt/Dialect/QOpt/IR/QOptDialect.cpp.inc"

void QOptDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "qopt/Dialect/QOpt/IR/QOptOps.cpp.inc"
      >();
}

Operation *QOptDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (tensorType && isQuantizedElementType(tensorType.getElementType())) {
    auto elements = dyn_cast<ElementsAttr>(value);
    if (!elements)
      return nullptr;
    return ConstantOp::create(builder, loc, tensorType, elements);
  }
  if (arith::ConstantOp::isBuildableWith(value, type))
    return arith::ConstantOp::create(builder, loc, type,
                                     cast<TypedAttr>(value));
  return nullptr;
}

/// Checks that `attr` (qopt.range or qopt.policy) fits a value of `type`.
static LogicalResult
verifyValueAttr(function_ref<InFlightDiagnostic()> emitError,
                NamedAttribute attr, Type type) {
  StringRef name = attr.getName().getValue();
  if (name == QOptDialect::kRangeAttrName) {
    if (!isa<RangeAttr>(attr.getValue()))
      return emitError() << "'" << name << "' must be a #qopt.range attribute";
    if (!isa<FloatType>(getElementTypeOrSelf(type)))
      return emitError() << "'" << name << "' applies to float values, not to "
                         << type;
    return success();
  }
  if (name == QOptDialect::kPolicyAttrName) {
    auto policy = dyn_cast<PolicyAttr>(attr.getValue());
    if (!policy)
      return emitError() << "'" << name << "' must be a #qopt.policy attribute";
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || !isa<FloatType>(tensorType.getElementType()))
      return emitError() << "'" << name
                         << "' applies to ranked float tensors, not to "
                         << type;
    return policy.verifyForShape(emitError, tensorType.getShape());
  }
  return emitError() << "unknown qopt attribute '" << name << "'";
}

LogicalResult QOptDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  auto emitError = [&] { return op->emitOpError(); };
  if (attr.getName() == kSensitivityAttrName) {
    // A layer's property, not a value's: any op with weights may carry it.
    if (!isa<SensitivityAttr>(attr.getValue()))
      return emitError() << "'" << kSensitivityAttrName
                         << "' must be a #qopt.sensitivity attribute";
    return success();
  }
  if (op->getNumResults() != 1)
    return op->emitOpError() << "'" << attr.getName().getValue()
                             << "' needs an op with exactly one result, this "
                                "one has "
                             << op->getNumResults();
  return verifyValueAttr(emitError, attr, op->getResult(0).getType());
}

LogicalResult QOptDialect::verifyRegionArgAttribute(Operation *op,
                                                    unsigned regionIndex,
                                                    unsigned argIndex,
                                                    NamedAttribute attr) {
  auto emitError = [&] {
    return op->emitOpError() << "argument " << argIndex << ": ";
  };
  Region &region = op->getRegion(regionIndex);
  if (region.empty() || argIndex >= region.getNumArguments())
    return op->emitOpError() << "has no argument " << argIndex;
  return verifyValueAttr(emitError, attr,
                         region.getArgument(argIndex).getType());
}
