//===- InsertQDQ.cpp - quantize calibrated values as Q/DQ pairs -----------===//

#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/AsmParser/AsmParser.h"
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
    std::string text = ("#qopt.policy<" + body + ">").str();
    std::string diagnostic;
    {
      // The parser reports into its own buffer; surface it with the option.
      ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
        diagnostic = diag.str();
        return success();
      });
      result = dyn_cast_if_present<PolicyAttr>(parseAttribute(text, ctx));
    }
    if (!result)
      return emitError(UnknownLoc::get(ctx))
             << "invalid " << name << " '" << body << "': "
             << (diagnostic.empty() ? "not a policy" : diagnostic);
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
    Type element = buildQuantizedElementType(policy, expressed,
                                             type.getShape(), {floatRange});
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
    FailureOr<SmallVector<FloatRange>> ranges =
        computeConstantRanges(values, policy, error);
    if (failed(ranges))
      return op->emitOpError() << "cannot be quantized: " << error;
    Type element = buildQuantizedElementType(
        policy, cast<FloatType>(type.getElementType()), type.getShape(),
        *ranges);
    materializeQDQ(builder, op->getResult(0), element);
    return success();
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
      auto range = func.getArgAttrOfType<RangeAttr>(arg.getArgNumber(),
                                                    QOptDialect::kRangeAttrName);
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
      int64_t rank = cast<RankedTensorType>(values.getType()).getRank();
      if (!policy && rank >= 2)
        policy = defaultWeightPolicy;
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
