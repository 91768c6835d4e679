//===- InsertQDQ.cpp - quantize calibrated values as Q/DQ pairs -----------===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/IR/Matchers.h"

namespace qopt {
#define GEN_PASS_DEF_INSERTQDQPASS
#include "qopt/Dialect/QOpt/Transforms/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {
struct InsertQDQPass : qopt::impl::InsertQDQPassBase<InsertQDQPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (failed(parsePolicyOption(ctx, activationPolicy, "activation-policy",
                                 defaultActivationPolicy)))
      return failure();
    if (!weightPolicy.empty() &&
        failed(parsePolicyOption(ctx, weightPolicy, "weight-policy",
                                 defaultWeightPolicy)))
      return failure();
    return success();
  }

  void runOnOperation() override;

private:
  static LogicalResult parsePolicyOption(MLIRContext *ctx, StringRef body,
                                         StringRef name, PolicyAttr &result) {
    std::string error;
    result = parsePolicy(ctx, body, error);
    if (!result)
      return emitError(UnknownLoc::get(ctx))
             << "invalid " << name << " '" << body << "': " << error;
    return success();
  }

  /// Inserts quantize + dequantize after `value` and reroutes its users.
  void materializeQDQ(OpBuilder &builder, Value value, Type quantElement) {
    auto floatType = cast<RankedTensorType>(value.getType());
    auto quantType = floatType.clone(quantElement);
    Location loc = value.getLoc();
    auto quantize = QuantizeOp::create(
        builder, loc, quantType, value,
        RoundingModeAttr::get(builder.getContext(), rounding));
    auto dequantize = DequantizeOp::create(builder, loc, floatType, quantize);
    value.replaceAllUsesExcept(dequantize, quantize);
  }

  /// Quantizes a value with one calibrated range.
  LogicalResult quantizeCalibrated(OpBuilder &builder, Value value,
                                   RangeAttr range, PolicyAttr policy,
                                   function_ref<InFlightDiagnostic()> emitErr) {
    if (policy.getGranularity() != Granularity::per_tensor)
      return emitErr() << "has one calibrated range but policy " << policy
                       << " needs one range per channel or group";
    auto type = cast<RankedTensorType>(value.getType());
    auto expressed = cast<FloatType>(type.getElementType());
    FloatRange floatRange{static_cast<float>(range.getMinValue()),
                          static_cast<float>(range.getMaxValue())};
    Type element = buildQuantizedElementType(policy, expressed, type.getShape(),
                                             {floatRange});
    materializeQDQ(builder, value, element);
    return success();
  }

  /// Quantizes a float constant from its own values.
  LogicalResult quantizeConstant(OpBuilder &builder, Operation *op,
                                 DenseFPElementsAttr values,
                                 PolicyAttr policy) {
    auto type = cast<RankedTensorType>(values.getType());
    if (failed(policy.verifyForShape([&] { return op->emitOpError(); },
                                     type.getShape())))
      return failure();
    std::string error;
    std::optional<int64_t> channelAxis = outputChannelAxis(op->getResult(0));
    FailureOr<RankedTensorType> quantType =
        quantizedTypeOfConstant(values, policy, error, channelAxis);
    if (failed(quantType))
      return op->emitOpError() << "cannot be quantized: " << error;
    materializeQDQ(builder, op->getResult(0), quantType->getElementType());
    return success();
  }

  /// `axisOf(user, operand)` of every use of `weights` when it is known for
  /// each and they agree, else nullopt.
  static std::optional<int64_t> axisOfEveryUse(
      Value weights,
      function_ref<std::optional<int64_t>(Operation *, unsigned)> axisOf) {
    std::optional<int64_t> axis;
    for (OpOperand &use : weights.getUses()) {
      std::optional<int64_t> useAxis =
          axisOf(use.getOwner(), use.getOperandNumber());
      if (!useAxis || (axis && axis != useAxis))
        return std::nullopt;
      axis = useAxis;
    }
    return axis;
  }

  /// The output-channel axis of `weights` when every use is the weight
  /// operand of a convolution or matmul (and they agree), else nullopt.
  static std::optional<int64_t> outputChannelAxis(Value weights) {
    return axisOfEveryUse(weights, weightOutputChannelAxis);
  }

  /// A default weight policy applies along the axes of the op the weights
  /// feed, whatever axis the option names: per channel along the output
  /// channels (conv2d OHWI: 0, depthwise [KH, KW, C, M]: 2, matmul
  /// [1, K, N]: 2); per group along the axis the op sums over (conv2d: the
  /// input channels, matmul: K). A reduction axis no longer than one group
  /// (a first convolution's 3 input channels, a depthwise convolution) has
  /// one group per output channel: per channel.
  static PolicyAttr withLayerAxes(PolicyAttr policy, Value weights) {
    if (!policy || policy.getGranularity() == Granularity::per_tensor)
      return policy;
    std::optional<int64_t> channelAxis = outputChannelAxis(weights);
    if (!channelAxis)
      return policy;
    auto withGranularity = [&](Granularity granularity, int64_t axis,
                               int64_t groupSize) {
      return PolicyAttr::get(policy.getContext(), policy.getKind(),
                             policy.getBits(), policy.getIsSigned(),
                             policy.getSymmetric(), policy.getNarrowRange(),
                             granularity, axis, groupSize);
    };
    std::optional<int64_t> groupAxis =
        axisOfEveryUse(weights, weightReductionAxis);
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(weights.getType()).getShape();
    if (policy.getGranularity() == Granularity::per_group && groupAxis &&
        shape[*groupAxis] > policy.getGroupSize())
      return withGranularity(Granularity::per_group, *groupAxis,
                             policy.getGroupSize());
    return withGranularity(Granularity::per_channel, *channelAxis, 0);
  }

  PolicyAttr defaultActivationPolicy;
  PolicyAttr defaultWeightPolicy;
};
} // namespace

void InsertQDQPass::runOnOperation() {
  func::FuncOp func = getOperation();
  OpBuilder builder(func.getContext());
  bool failedAny = false;

  if (!func.isExternal()) {
    Block &entry = func.getBody().front();
    for (BlockArgument arg : entry.getArguments()) {
      auto range = func.getArgAttrOfType<RangeAttr>(
          arg.getArgNumber(), QOptDialect::kRangeAttrName);
      if (!range)
        continue;
      auto policy = func.getArgAttrOfType<PolicyAttr>(
          arg.getArgNumber(), QOptDialect::kPolicyAttrName);
      builder.setInsertionPointToStart(&entry);
      auto emitErr = [&] {
        return func.emitOpError() << "argument " << arg.getArgNumber() << " ";
      };
      if (failed(quantizeCalibrated(builder, arg, range,
                                    policy ? policy : defaultActivationPolicy,
                                    emitErr)))
        failedAny = true;
      func.removeArgAttr(arg.getArgNumber(), QOptDialect::kRangeAttrName);
      func.removeArgAttr(arg.getArgNumber(), QOptDialect::kPolicyAttrName);
    }
  }

  func.walk([&](Operation *op) {
    if (isa<QuantizeOp, DequantizeOp>(op) || op->getNumResults() != 1)
      return;
    auto range = op->getAttrOfType<RangeAttr>(QOptDialect::kRangeAttrName);
    auto policy = op->getAttrOfType<PolicyAttr>(QOptDialect::kPolicyAttrName);
    builder.setInsertionPointAfter(op);
    DenseFPElementsAttr values;
    if (range) {
      auto emitErr = [&] { return op->emitOpError(); };
      if (failed(quantizeCalibrated(builder, op->getResult(0), range,
                                    policy ? policy : defaultActivationPolicy,
                                    emitErr)))
        failedAny = true;
    } else if (matchPattern(op, m_Constant(&values)) &&
               isa<RankedTensorType>(values.getType())) {
      // Weights feed a convolution or matmul, or have two or more non-unit
      // dimensions; a broadcast vector ([1, C], [1, 1, 1, C]) is a bias or
      // per-channel factor, which the integer conversion takes in float
      // (biases become int32).
      ArrayRef<int64_t> shape = values.getType().getShape();
      if (!policy &&
          (outputChannelAxis(op->getResult(0)) ||
           llvm::count_if(shape, [](int64_t d) { return d != 1; }) >= 2))
        policy = withLayerAxes(defaultWeightPolicy, op->getResult(0));
      if (policy && failed(quantizeConstant(builder, op, values, policy)))
        failedAny = true;
    } else if (policy) {
      op->emitOpError() << "has a qopt.policy but neither a qopt.range nor "
                           "constant values to derive scales from";
      failedAny = true;
    }
    op->removeAttr(QOptDialect::kRangeAttrName);
    op->removeAttr(QOptDialect::kPolicyAttrName);
  });
  if (failedAny)
    signalPassFailure();
}
