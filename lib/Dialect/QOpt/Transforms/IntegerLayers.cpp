//===- IntegerLayers.cpp - integer TOSA layer helpers --------------------===//

#include "qopt/Dialect/QOpt/Transforms/IntegerLayers.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

Value qopt::createIntegerConstant(OpBuilder &builder, Location loc,
                                  ArrayRef<int64_t> shape, unsigned width,
                                  ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, builder.getIntegerType(width));
  SmallVector<APInt> bits;
  for (int64_t v : values)
    bits.emplace_back(width, v, /*isSigned=*/true);
  return tosa::ConstOp::create(builder, loc, type,
                               DenseElementsAttr::get(type, bits));
}

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
