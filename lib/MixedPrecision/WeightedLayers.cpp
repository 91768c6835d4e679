//===- WeightedLayers.cpp - the layers mixed precision decides ------------===//

#include "qopt/MixedPrecision/WeightedLayers.h"
#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/Utils/CalibratedValues.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"
#include "qopt/Support/Error.h"
#include "qopt/Support/Locations.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

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

/// An op whose result is operand 0's values moved, selected, pooled or
/// clamped: it keeps the precision of its input.
static bool keepsPrecision(Operation *op) {
  return (isSameScaleOp(op) || isa<tosa::ClampOp>(op)) &&
         op->getNumResults() == 1;
}

InputActivation qopt::inputActivation(const WeightedLayer &layer) {
  InputActivation activation;
  Value root = layer.op->getOperand(0);
  while (Operation *def = root.getDefiningOp()) {
    if (!keepsPrecision(def))
      break;
    root = def->getOperand(0);
  }
  activation.root = root;
  activation.values.push_back(root);
  for (size_t i = 0; i < activation.values.size(); ++i)
    for (OpOperand &use : activation.values[i].getUses())
      if (use.getOperandNumber() == 0 && keepsPrecision(use.getOwner()) &&
          !llvm::is_contained(activation.values, use.getOwner()->getResult(0)))
        activation.values.push_back(use.getOwner()->getResult(0));
  return activation;
}

std::string qopt::activationName(const InputActivation &activation) {
  if (auto arg = dyn_cast<BlockArgument>(activation.root))
    return "argument " + std::to_string(arg.getArgNumber());
  return layerName(activation.root.getLoc());
}

PolicyAttr qopt::int16ActivationPolicy(MLIRContext *ctx) {
  std::string error;
  PolicyAttr policy = parsePolicy(ctx, kInt16ActivationPolicy, error);
  assert(policy && "kInt16ActivationPolicy is a valid policy");
  return policy;
}

llvm::Expected<PolicyAttr>
qopt::activationPolicyForWidth(MLIRContext *ctx, int64_t bits,
                               StringRef activationPolicy) {
  if (bits == 16)
    return int16ActivationPolicy(ctx);
  if (bits != 8)
    return fail("activation width " + Twine(bits) +
                " is not supported: activations are 8 or 16 bits");
  std::string error;
  PolicyAttr policy = parsePolicy(ctx, activationPolicy, error);
  if (!policy)
    return fail("invalid activation-policy '" + activationPolicy +
                "': " + error);
  if (policy.getKind() != StorageKind::integer || policy.getBits() != 8 ||
      policy.getGranularity() != Granularity::per_tensor)
    return fail("activation width 8 stands for the activation-policy, which "
                "must then be an 8-bit per-tensor integer policy; got '" +
                activationPolicy + "'");
  return policy;
}

void qopt::setActivationPolicy(const InputActivation &activation,
                               PolicyAttr policy) {
  for (Value value : activation.values) {
    if (!getCalibratedRange(value))
      continue;
    if (auto arg = dyn_cast<BlockArgument>(value))
      cast<func::FuncOp>(arg.getOwner()->getParentOp())
          .setArgAttr(arg.getArgNumber(), QOptDialect::kPolicyAttrName, policy);
    else
      value.getDefiningOp()->setAttr(QOptDialect::kPolicyAttrName, policy);
  }
}

unsigned qopt::storageBitsForWidth(unsigned bits) {
  return bits <= 2 ? 2 : bits <= 4 ? 4 : 8;
}
