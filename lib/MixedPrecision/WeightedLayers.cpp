//===- WeightedLayers.cpp - the layers mixed precision decides ------------===//

#include "qopt/MixedPrecision/WeightedLayers.h"
#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace qopt;

std::optional<WeightedLayer> qopt::asWeightedLayer(Operation *op) {
  if (op->getNumOperands() <= WeightedLayer::kWeightOperand)
    return std::nullopt;
  std::optional<int64_t> axis =
      weightOutputChannelAxis(op, WeightedLayer::kWeightOperand);
  DenseFPElementsAttr weights;
  if (!axis || !matchPattern(op->getOperand(WeightedLayer::kWeightOperand),
                             m_Constant(&weights)))
    return std::nullopt;
  return WeightedLayer{op, weights, *axis};
}

SmallVector<WeightedLayer> qopt::findWeightedLayers(func::FuncOp func) {
  SmallVector<WeightedLayer> layers;
  func.walk([&](Operation *op) {
    if (std::optional<WeightedLayer> layer = asWeightedLayer(op))
      layers.push_back(*layer);
  });
  return layers;
}

PolicyAttr qopt::weightPolicyForWidth(MLIRContext *ctx, unsigned bits,
                                      int64_t outputAxis) {
  return PolicyAttr::get(ctx, StorageKind::integer, bits, /*isSigned=*/true,
                         /*symmetric=*/true, /*narrowRange=*/true,
                         Granularity::per_channel, outputAxis,
                         /*groupSize=*/0);
}

void qopt::setWeightPolicy(const WeightedLayer &layer, PolicyAttr policy) {
  OpOperand &use = layer.op->getOpOperand(WeightedLayer::kWeightOperand);
  Operation *constant = use.get().getDefiningOp();
  if (!constant->hasOneUse()) {
    // Shared weights: this layer gets its own copy to carry its width.
    OpBuilder builder(layer.op);
    constant = builder.clone(*constant);
    use.set(constant->getResult(0));
  }
  constant->setAttr(QOptDialect::kPolicyAttrName, policy);
}

unsigned qopt::storageBitsForWidth(unsigned bits) {
  return bits <= 2 ? 2 : bits <= 4 ? 4 : 8;
}
