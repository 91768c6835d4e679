//===- IntegerLayerBounds.cpp - accumulator bounds of integer layers ------===//

#include "qopt/Dialect/QOpt/Transforms/IntegerLayerBounds.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

SmallVector<int64_t> qopt::accumulatorBounds(Operation *layer,
                                             DenseIntElementsAttr weights,
                                             int64_t inputMagnitude,
                                             DenseIntElementsAttr bias) {
  ArrayRef<int64_t> shape = weights.getType().getShape();
  bool outermost = isa<tosa::Conv2DOp>(layer);
  int64_t channels = outermost                             ? shape[0]
                     : isa<tosa::DepthwiseConv2DOp>(layer) ? shape[2] * shape[3]
                                                           : shape[2];
  int64_t perChannel = weights.getNumElements() / channels;
  SmallVector<int64_t> bound(channels, 0);
  for (auto [i, w] : llvm::enumerate(weights.getValues<APInt>())) {
    int64_t index = static_cast<int64_t>(i);
    bound[outermost ? index / perChannel : index % channels] +=
        std::abs(w.getSExtValue()) * inputMagnitude;
  }
  if (bias) {
    SmallVector<APInt> values(bias.getValues<APInt>());
    for (int64_t c = 0; c < channels; ++c)
      bound[c] += std::abs(values[values.size() == 1 ? 0 : c].getSExtValue());
  }
  return bound;
}
