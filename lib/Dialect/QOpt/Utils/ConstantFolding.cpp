//===- ConstantFolding.cpp - folding quantization of constants ------------===//

#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace qopt;

APInt qopt::makeStoredInteger(Type quantElement, int64_t value) {
  unsigned width = getStorageIntegerType(quantElement).getWidth();
  return APInt(width, static_cast<uint64_t>(value), /*isSigned=*/true,
               /*implicitTrunc=*/true);
}

int64_t qopt::readStoredInteger(Type quantElement, const APInt &value) {
  auto quantType = dyn_cast<quant::QuantizedType>(quantElement);
  if (quantType && quantType.isSigned())
    return value.getSExtValue();
  return static_cast<int64_t>(value.getZExtValue());
}

/// Calls `fn(index, element)` for every element of a dense attribute,
/// expanding splats to the full element count.
template <typename T, typename Fn>
static bool forEachElement(DenseElementsAttr values, Fn fn) {
  int64_t count = cast<ShapedType>(values.getType()).getNumElements();
  if (values.isSplat()) {
    T splat = values.getSplatValue<T>();
    for (int64_t i = 0; i < count; ++i)
      if (!fn(i, splat))
        return false;
    return true;
  }
  int64_t i = 0;
  for (T value : values.getValues<T>())
    if (!fn(i++, value))
      return false;
  return true;
}

FailureOr<DenseIntElementsAttr>
qopt::foldQuantizeConstant(DenseFPElementsAttr values,
                           RankedTensorType resultType, RoundingMode mode) {
  if (!resultType.hasStaticShape())
    return failure();
  Type element = resultType.getElementType();
  bool binary = isa<BinaryType>(element);
  StorageRange range = getStorageRange(element);
  ElementQuantParams params(resultType);
  SmallVector<APInt> stored;
  stored.reserve(resultType.getNumElements());
  bool ok = forEachElement<APFloat>(values, [&](int64_t i, const APFloat &v) {
    double x = v.convertToDouble();
    if (std::isnan(x))
      return false;
    int64_t q =
        binary ? binarizeValue(x) : quantizeValue(x, params.at(i), range, mode);
    stored.push_back(makeStoredInteger(element, q));
    return true;
  });
  if (!ok)
    return failure();
  return DenseIntElementsAttr::get(
      resultType.clone(getStorageIntegerType(element)), stored);
}

FailureOr<DenseFPElementsAttr>
qopt::foldDequantizeConstant(DenseIntElementsAttr values,
                             RankedTensorType inputType,
                             RankedTensorType resultType) {
  if (!inputType.hasStaticShape())
    return failure();
  Type element = inputType.getElementType();
  bool binary = isa<BinaryType>(element);
  ElementQuantParams params(inputType);
  const llvm::fltSemantics &semantics =
      cast<FloatType>(resultType.getElementType()).getFloatSemantics();
  SmallVector<APFloat> result;
  result.reserve(inputType.getNumElements());
  forEachElement<APInt>(values, [&](int64_t i, const APInt &stored) {
    int64_t q = readStoredInteger(element, stored);
    QuantParams p = params.at(i);
    double x = binary ? (q ? p.scale : -p.scale) : dequantizeValue(q, p);
    APFloat value(x);
    bool lost;
    value.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    result.push_back(value);
    return true;
  });
  return DenseFPElementsAttr::get(resultType, result);
}

FailureOr<DenseFPElementsAttr>
qopt::fakeQuantizeConstant(DenseFPElementsAttr values, PolicyAttr policy,
                           RoundingMode mode, std::string &error) {
  FailureOr<RankedTensorType> quantType =
      quantizedTypeOfConstant(values, policy, error);
  if (failed(quantType))
    return failure();
  FailureOr<DenseIntElementsAttr> stored =
      foldQuantizeConstant(values, *quantType, mode);
  if (failed(stored)) {
    error = "the values cannot be quantized";
    return failure();
  }
  return foldDequantizeConstant(*stored, *quantType,
                                cast<RankedTensorType>(values.getType()));
}

FailureOr<DenseIntElementsAttr>
qopt::foldRequantizeConstant(DenseIntElementsAttr values,
                             RankedTensorType inputType,
                             RankedTensorType resultType, RoundingMode mode) {
  if (!inputType.hasStaticShape())
    return failure();
  Type inElement = inputType.getElementType();
  Type outElement = resultType.getElementType();
  ElementQuantParams inParams(inputType), outParams(resultType);
  StorageRange range = getStorageRange(outElement);
  SmallVector<APInt> stored;
  stored.reserve(resultType.getNumElements());
  forEachElement<APInt>(values, [&](int64_t i, const APInt &v) {
    int64_t q = readStoredInteger(inElement, v);
    int64_t r =
        requantizeValue(q, inParams.at(i), outParams.at(i), range, mode);
    stored.push_back(makeStoredInteger(outElement, r));
    return true;
  });
  return DenseIntElementsAttr::get(
      resultType.clone(getStorageIntegerType(outElement)), stored);
}

FailureOr<DenseIntElementsAttr>
qopt::foldRescaleConstant(DenseIntElementsAttr values, RescaleOp op) {
  RankedTensorType inType = op.getInput().getType();
  RankedTensorType outType = op.getOutput().getType();
  if (!inType.hasStaticShape())
    return failure();
  ArrayRef<int64_t> shape = inType.getShape();
  std::optional<int64_t> axis = op.getAxis();
  int64_t stride = 1;
  if (axis)
    for (int64_t d = *axis + 1; d < inType.getRank(); ++d)
      stride *= shape[d];
  StorageRange out =
      getIntegerRange(outType.getElementTypeBitWidth(), op.getOutputUnsigned());
  int64_t inputZp = op.getInputZpAttr().getInt();
  int64_t outputZp = op.getOutputZpAttr().getInt();
  bool inputUnsigned = op.getInputUnsigned();
  unsigned outWidth = outType.getElementTypeBitWidth();
  SmallVector<APInt> result;
  result.reserve(inType.getNumElements());
  forEachElement<APInt>(values, [&](int64_t i, const APInt &v) {
    int64_t channel = axis ? (i / stride) % shape[*axis] : 0;
    DyadicScale scale{op.getMultiplier()[channel], op.getShift()[channel]};
    int64_t x = (inputUnsigned ? static_cast<int64_t>(v.getZExtValue())
                               : v.getSExtValue()) -
                inputZp;
    int64_t y = applyDyadicScale(x, scale, op.getRounding());
    // Saturate before adding the zero point (as the lowering does).
    y = std::clamp(y, out.min - outputZp, out.max - outputZp) + outputZp;
    result.push_back(APInt(outWidth, static_cast<uint64_t>(y),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
    return true;
  });
  return DenseIntElementsAttr::get(outType, result);
}
