//===- CalibratedValues.cpp - calibrated ranges on values -----------------===//

#include "qopt/Dialect/QOpt/Utils/CalibratedValues.h"
#include "qopt/Dialect/QOpt/IR/QOptDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;
using namespace qopt;

RangeAttr qopt::getCalibratedRange(Value value) {
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    return func ? func.getArgAttrOfType<RangeAttr>(arg.getArgNumber(),
                                                   QOptDialect::kRangeAttrName)
                : RangeAttr();
  }
  return value.getDefiningOp()->getAttrOfType<RangeAttr>(
      QOptDialect::kRangeAttrName);
}

bool qopt::isSameScaleOp(Operation *op) {
  return isa<tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ReshapeOp,
             tosa::TransposeOp, tosa::PadOp, tosa::SliceOp>(op);
}
