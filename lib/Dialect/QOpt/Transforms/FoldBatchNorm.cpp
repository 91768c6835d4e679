//===- FoldBatchNorm.cpp - fold per-channel mul/add into conv / matmul ----===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace qopt {
#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// Float values of a constant tensor.
std::optional<SmallVector<float>> constantValues(Value v) {
  DenseFPElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return std::nullopt;
  SmallVector<float> out;
  for (APFloat f : attr.getValues<APFloat>())
    out.push_back(f.convertToFloat());
  return out;
}

/// One value per output channel from a constant broadcast along the last
/// dimension: shape [1, ..., 1, C] or a single value.
std::optional<SmallVector<float>> channelVector(Value v, int64_t channels) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  for (size_t d = 0; d + 1 < shape.size(); ++d)
    if (shape[d] != 1)
      return std::nullopt;
  if (!shape.empty() && shape.back() != 1 && shape.back() != channels)
    return std::nullopt;
  std::optional<SmallVector<float>> values = constantValues(v);
  if (!values)
    return std::nullopt;
  if (values->size() == 1)
    values->assign(channels, values->front());
  return values;
}

Value makeConstant(PatternRewriter &rewriter, Location loc,
                   RankedTensorType type, ArrayRef<float> data) {
  return tosa::ConstOp::create(rewriter, loc, type,
                               DenseElementsAttr::get(type, data));
}

/// The other operand of a binary op when `producer` is one of them.
Value otherOperand(Operation *op, Value producer) {
  return op->getOperand(0) == producer ? op->getOperand(1) : op->getOperand(0);
}

bool isRelu(tosa::ClampOp clamp) {
  auto lo = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto hi = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  return lo && hi && lo.getValueAsDouble() == 0.0 &&
         hi.getValueAsDouble() >= std::numeric_limits<float>::max();
}

/// A layer whose output channels can absorb a per-channel scale and bias:
/// conv2d / depthwise_conv2d with constant weights and bias, or matmul with
/// a constant right-hand side (optionally behind a reshape).
struct Layer {
  Operation *op = nullptr; // conv / depthwise / matmul
  tosa::ReshapeOp reshape; // matmul's 3-D -> 2-D reshape, if any
  int64_t channels = 0;

  static std::optional<Layer> match(Value v) {
    Layer layer;
    Operation *def = v.getDefiningOp();
    if (auto reshape = dyn_cast_if_present<tosa::ReshapeOp>(def)) {
      if (!reshape->hasOneUse())
        return std::nullopt;
      layer.reshape = reshape;
      def = reshape.getInput1().getDefiningOp();
      if (!isa_and_present<tosa::MatMulOp>(def))
        return std::nullopt;
    }
    if (!def || !def->hasOneUse())
      return std::nullopt;
    auto out = cast<RankedTensorType>(def->getResult(0).getType());
    if (!out.getElementType().isF32() || !out.hasStaticShape())
      return std::nullopt;
    layer.op = def;
    layer.channels = out.getShape().back();
    if (auto conv = dyn_cast<tosa::Conv2DOp>(def))
      return constantValues(conv.getWeight()) && constantValues(conv.getBias())
                 ? std::optional(layer)
                 : std::nullopt;
    if (auto dw = dyn_cast<tosa::DepthwiseConv2DOp>(def))
      return constantValues(dw.getWeight()) && constantValues(dw.getBias())
                 ? std::optional(layer)
                 : std::nullopt;
    if (auto mm = dyn_cast<tosa::MatMulOp>(def))
      return constantValues(mm.getB()) ? std::optional(layer) : std::nullopt;
    return std::nullopt;
  }

  /// Replaces the layer's constants so that its output is scaled by
  /// `scale[o]` per output channel plus `shift[o]` (convolutions only).
  /// Returns the value that now carries the scaled output.
  Value rebuild(PatternRewriter &rewriter, ArrayRef<float> scale,
                ArrayRef<float> shift) {
    Location loc = op->getLoc();
    auto scaleWeights = [&](Value w, auto channelOf) {
      SmallVector<float> data = *constantValues(w);
      for (size_t i = 0; i < data.size(); ++i)
        data[i] *= scale[channelOf(i)];
      return makeConstant(rewriter, loc, cast<RankedTensorType>(w.getType()),
                          data);
    };
    auto newBias = [&](Value b) {
      SmallVector<float> data = *constantValues(b);
      for (size_t o = 0; o < data.size(); ++o)
        data[o] = data[o] * scale[o] + shift[o];
      return makeConstant(rewriter, loc, cast<RankedTensorType>(b.getType()),
                          data);
    };
    if (auto conv = dyn_cast<tosa::Conv2DOp>(op)) {
      // OHWI: the output channel is the slowest dimension.
      int64_t perChannel =
          cast<RankedTensorType>(conv.getWeight().getType()).getNumElements() /
          channels;
      Value w = scaleWeights(conv.getWeight(),
                             [&](size_t i) { return i / perChannel; });
      Value b = newBias(conv.getBias());
      rewriter.modifyOpInPlace(conv, [&] {
        conv.getWeightMutable().assign(w);
        conv.getBiasMutable().assign(b);
      });
      return conv.getResult();
    }
    if (auto dw = dyn_cast<tosa::DepthwiseConv2DOp>(op)) {
      // [KH, KW, C, M]: output channel c * M + m is the innermost pair.
      Value w =
          scaleWeights(dw.getWeight(), [&](size_t i) { return i % channels; });
      Value b = newBias(dw.getBias());
      rewriter.modifyOpInPlace(dw, [&] {
        dw.getWeightMutable().assign(w);
        dw.getBiasMutable().assign(b);
      });
      return dw.getResult();
    }
    auto mm = cast<tosa::MatMulOp>(op);
    // [1, K, N]: N is innermost.
    Value w = scaleWeights(mm.getB(), [&](size_t i) { return i % channels; });
    rewriter.modifyOpInPlace(mm, [&] { mm.getBMutable().assign(w); });
    return reshape ? reshape.getResult() : mm.getResult();
  }

  bool hasBias() const { return !isa<tosa::MatMulOp>(op); }
};

/// mul(layer(x), a) and mul(relu(layer(x)), a) with a > 0.
struct FoldMulIntoLayer : OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (Value side : {mul.getInput1(), mul.getInput2()}) {
      Value producer = side;
      tosa::ClampOp relu = producer.getDefiningOp<tosa::ClampOp>();
      if (relu && (!isRelu(relu) || !relu->hasOneUse()))
        continue;
      if (relu)
        producer = relu.getInput();
      std::optional<Layer> layer = Layer::match(producer);
      if (!layer)
        continue;
      std::optional<SmallVector<float>> scale =
          channelVector(otherOperand(mul, side), layer->channels);
      if (!scale || mul.getType() != side.getType())
        continue;
      // relu(y) * a == relu(y * a) only for a > 0.
      if (relu && llvm::any_of(*scale, [](float a) { return !(a > 0.0f); }))
        continue;
      SmallVector<float> zeros(layer->channels, 0.0f);
      Value scaled = layer->rebuild(rewriter, *scale, zeros);
      if (relu) {
        rewriter.replaceOp(mul, relu.getResult());
        (void)scaled;
      } else {
        rewriter.replaceOp(mul, scaled);
      }
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "no foldable layer operand");
  }
};

/// add(conv(x), c) -> conv with bias + c.
struct FoldAddIntoConv : OpRewritePattern<tosa::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::AddOp add,
                                PatternRewriter &rewriter) const override {
    for (Value side : {add.getInput1(), add.getInput2()}) {
      std::optional<Layer> layer = Layer::match(side);
      if (!layer || !layer->hasBias())
        continue;
      std::optional<SmallVector<float>> shift =
          channelVector(otherOperand(add, side), layer->channels);
      if (!shift || add.getType() != side.getType())
        continue;
      SmallVector<float> ones(layer->channels, 1.0f);
      rewriter.replaceOp(add, layer->rebuild(rewriter, ones, *shift));
      return success();
    }
    return rewriter.notifyMatchFailure(add, "no foldable convolution operand");
  }
};

/// mul(add(y, c1), a) -> add(mul(y, a), c1 * a) when y is a foldable layer,
/// so the multiply can reach it (a fully-connected layer's bias add).
struct DistributeMulOverAdd : OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::MulOp mul,
                                PatternRewriter &rewriter) const override {
    for (Value side : {mul.getInput1(), mul.getInput2()}) {
      auto add = side.getDefiningOp<tosa::AddOp>();
      if (!add || !add->hasOneUse())
        continue;
      for (Value inner : {add.getInput1(), add.getInput2()}) {
        std::optional<Layer> layer = Layer::match(inner);
        if (!layer || inner.getType() != add.getType())
          continue;
        Value c1 = otherOperand(add, inner);
        Value aValue = otherOperand(mul, side);
        std::optional<SmallVector<float>> a =
            channelVector(aValue, layer->channels);
        std::optional<SmallVector<float>> c =
            channelVector(c1, layer->channels);
        if (!a || !c)
          continue;
        SmallVector<float> scaledBias;
        for (int64_t o = 0; o < layer->channels; ++o)
          scaledBias.push_back((*c)[o] * (*a)[o]);
        auto type = cast<RankedTensorType>(add.getType());
        SmallVector<int64_t> shape(type.getRank(), 1);
        shape.back() = layer->channels;
        auto paramType = RankedTensorType::get(shape, rewriter.getF32Type());
        Location loc = mul.getLoc();
        Value newMul = tosa::MulOp::create(
            rewriter, loc, type, inner,
            makeConstant(rewriter, loc, paramType, *a), mul.getShift());
        rewriter.replaceOpWithNewOp<tosa::AddOp>(
            mul, type, newMul,
            makeConstant(rewriter, loc, paramType, scaledBias));
        return success();
      }
    }
    return rewriter.notifyMatchFailure(mul, "no add of a foldable layer");
  }
};

/// add(add(y, c1), c2) -> add(y, c1 + c2) for per-channel constants.
struct MergeConstantAdds : OpRewritePattern<tosa::AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tosa::AddOp add,
                                PatternRewriter &rewriter) const override {
    for (Value side : {add.getInput1(), add.getInput2()}) {
      auto inner = side.getDefiningOp<tosa::AddOp>();
      if (!inner || !inner->hasOneUse() || inner.getType() != add.getType())
        continue;
      auto type = cast<RankedTensorType>(add.getType());
      int64_t channels = type.getShape().back();
      Value c2v = otherOperand(add, side);
      std::optional<SmallVector<float>> c2 = channelVector(c2v, channels);
      if (!c2)
        continue;
      for (Value y : {inner.getInput1(), inner.getInput2()}) {
        Value c1v = otherOperand(inner, y);
        std::optional<SmallVector<float>> c1 = channelVector(c1v, channels);
        if (!c1 || y.getType() != type)
          continue;
        SmallVector<float> sum;
        for (int64_t o = 0; o < channels; ++o)
          sum.push_back((*c1)[o] + (*c2)[o]);
        SmallVector<int64_t> shape(type.getRank(), 1);
        shape.back() = channels;
        rewriter.replaceOpWithNewOp<tosa::AddOp>(
            add, type, y,
            makeConstant(rewriter, add.getLoc(),
                         RankedTensorType::get(shape, rewriter.getF32Type()),
                         sum));
        return success();
      }
    }
    return rewriter.notifyMatchFailure(add, "not an add of constant adds");
  }
};

struct FoldBatchNormPass
    : qopt::impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

void qopt::populateFoldBatchNormPatterns(RewritePatternSet &patterns) {
  patterns.add<FoldMulIntoLayer, FoldAddIntoConv, DistributeMulOverAdd,
               MergeConstantAdds>(patterns.getContext());
}
