//===- QOptOps.cpp - qopt operations --------------------------------------===//

#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"
#include "qopt/Dialect/QOpt/Utils/DyadicMath.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;
using namespace qopt;

/// Rounding modes print as a bare keyword: `rounding half_to_even`.
static ParseResult parseRounding(OpAsmParser &parser, RoundingModeAttr &attr) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<RoundingMode> mode = symbolizeRoundingMode(keyword);
  if (!mode)
    return parser.emitError(loc) << "unknown rounding mode '" << keyword << "'";
  attr = RoundingModeAttr::get(parser.getContext(), *mode);
  return success();
}

static void printRounding(OpAsmPrinter &printer, Operation *,
                          RoundingModeAttr attr) {
  printer << stringifyRoundingMode(attr.getValue());
}

//===----------------------------------------------------------------------===//
// Dot product ops
//===----------------------------------------------------------------------===//

/// Shared by the dot ops' verifiers: `bytesPerLane` bytes per 32-bit lane.
static LogicalResult verifyDotShapes(Operation *op, VectorType acc,
                                     VectorType lhs, int64_t bytesPerLane) {
  int64_t lanes = acc.getNumElements(), bytes = lhs.getNumElements();
  if (bytes != bytesPerLane * lanes)
    return op->emitOpError()
           << "needs " << bytesPerLane << " bytes per 32-bit lane: " << lanes
           << " lanes but " << bytes << " bytes";
  return success();
}

#define GET_OP_CLASSES
#include "qopt/Dialect/QOpt/IR/QOptOps.cpp.inc"

/// Verifies a quantized tensor operand/result type of `op`.
static LogicalResult verifyQuantized(Operation *op, RankedTensorType type,
                                     StringRef role) {
  return verifyQuantizedTensorType(
      [&] { return op->emitOpError() << role << " type " << type << ": "; },
      type);
}

/// The float type and the quantized type of a quantize/dequantize pair must
/// agree on the expressed type.
static LogicalResult verifyExpressedType(Operation *op,
                                         RankedTensorType floatType,
                                         RankedTensorType quantType) {
  FloatType expressed = getExpressedType(quantType.getElementType());
  if (expressed != floatType.getElementType())
    return op->emitOpError() << "float type " << floatType.getElementType()
                             << " does not match the expressed type "
                             << expressed << " of " << quantType;
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  RankedTensorType type = getOutput().getType();
  if (failed(verifyQuantized(*this, type, "result")))
    return failure();
  auto values = dyn_cast<DenseIntElementsAttr>(getValue());
  if (!values)
    return emitOpError() << "value must be a dense integer attribute";
  auto valueType = cast<ShapedType>(values.getType());
  if (valueType.getShape() != type.getShape())
    return emitOpError() << "value shape (" << valueType << ") does not match "
                         << "result shape (" << type << ")";
  Type element = type.getElementType();
  IntegerType storage = getStorageIntegerType(element);
  if (valueType.getElementType() != storage)
    return emitOpError() << "value element type " << valueType.getElementType()
                         << " must be the storage type " << storage;
  StorageRange range = getStorageRange(element);
  for (auto [i, value] : llvm::enumerate(values.getValues<APInt>())) {
    int64_t v = readStoredInteger(element, value);
    if (!range.contains(v))
      return emitOpError() << "element " << i << " (" << v
                           << ") is outside the storage range [" << range.min
                           << ", " << range.max << "]";
    if (values.isSplat())
      break;
  }
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (failed(verifyQuantized(*this, getOutput().getType(), "result")))
    return failure();
  return verifyExpressedType(*this, getInput().getType(),
                             getOutput().getType());
}

OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  FailureOr<DenseIntElementsAttr> folded =
      foldQuantizeConstant(input, getOutput().getType(), getRounding());
  return succeeded(folded) ? *folded : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  if (failed(verifyQuantized(*this, getInput().getType(), "operand")))
    return failure();
  return verifyExpressedType(*this, getOutput().getType(),
                             getInput().getType());
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult RequantizeOp::verify() {
  RankedTensorType inType = getInput().getType();
  RankedTensorType outType = getOutput().getType();
  if (failed(verifyQuantized(*this, inType, "operand")) ||
      failed(verifyQuantized(*this, outType, "result")))
    return failure();
  Type inElement = inType.getElementType(),
       outElement = outType.getElementType();
  for (Type element : {inElement, outElement})
    if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(
            element))
      return emitOpError() << "requantizes per-tensor or per-axis uniform "
                              "types only, got "
                           << element;
  if (getExpressedType(inElement) != getExpressedType(outElement))
    return emitOpError() << "operand and result expressed types differ ("
                         << getExpressedType(inElement) << " vs "
                         << getExpressedType(outElement) << ")";
  auto inAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(inElement);
  auto outAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(outElement);
  if (inAxis && outAxis &&
      inAxis.getQuantizedDimension() != outAxis.getQuantizedDimension())
    return emitOpError() << "operand is quantized along axis "
                         << inAxis.getQuantizedDimension()
                         << " but the result along axis "
                         << outAxis.getQuantizedDimension();
  return success();
}

OpFoldResult RequantizeOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  FailureOr<DenseIntElementsAttr> folded = foldRequantizeConstant(
      input, getInput().getType(), getOutput().getType(), getRounding());
  return succeeded(folded) ? *folded : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

LogicalResult RescaleOp::verify() {
  ArrayRef<int32_t> multipliers = getMultiplier();
  ArrayRef<int32_t> shifts = getShift();
  if (multipliers.empty())
    return emitOpError() << "needs at least one multiplier";
  if (multipliers.size() != shifts.size())
    return emitOpError() << "has " << multipliers.size() << " multipliers but "
                         << shifts.size() << " shifts";
  for (auto [i, m] : llvm::enumerate(multipliers))
    if (m < 0)
      return emitOpError() << "multiplier " << i << " (" << m
                           << ") is outside [0, 2^31 - 1]";
  for (auto [i, s] : llvm::enumerate(shifts))
    if (s < kMinRescaleShift || s > kMaxRescaleShift)
      return emitOpError() << "shift " << i << " (" << s << ") is outside ["
                           << kMinRescaleShift << ", " << kMaxRescaleShift
                           << "]";
  RankedTensorType inType = getInput().getType();
  std::optional<int64_t> axis = getAxis();
  if (axis) {
    if (*axis < 0 || *axis >= inType.getRank())
      return emitOpError() << "axis " << *axis
                           << " is out of range for a tensor of rank "
                           << inType.getRank();
    int64_t dim = inType.getDimSize(*axis);
    if (!ShapedType::isDynamic(dim) &&
        dim != static_cast<int64_t>(multipliers.size()))
      return emitOpError() << "expected " << dim
                           << " multipliers (size of axis " << *axis
                           << "), got " << multipliers.size();
  } else if (multipliers.size() != 1) {
    return emitOpError() << "per-channel rescale (" << multipliers.size()
                         << " multipliers) needs an axis";
  }
  StorageRange inRange = getIntegerRange(
      inType.getElementType().getIntOrFloatBitWidth(), getInputUnsigned());
  StorageRange outRange = getIntegerRange(
      getOutput().getType().getElementType().getIntOrFloatBitWidth(),
      getOutputUnsigned());
  // I64Attr getters return uint64_t; read the zero points as signed.
  int64_t inputZp = getInputZpAttr().getInt();
  int64_t outputZp = getOutputZpAttr().getInt();
  if (!inRange.contains(inputZp))
    return emitOpError() << "input zero point " << inputZp
                         << " is outside the input range [" << inRange.min
                         << ", " << inRange.max << "]";
  if (!outRange.contains(outputZp))
    return emitOpError() << "output zero point " << outputZp
                         << " is outside the output range [" << outRange.min
                         << ", " << outRange.max << "]";
  return success();
}

OpFoldResult RescaleOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_if_present<DenseIntElementsAttr>(adaptor.getInput());
  if (!input)
    return {};
  FailureOr<DenseIntElementsAttr> folded = foldRescaleConstant(input, *this);
  return succeeded(folded) ? *folded : OpFoldResult();
}

LogicalResult DyadicScaleOp::verify() {
  RoundingMode mode = getRounding();
  if (mode != RoundingMode::double_round && mode != RoundingMode::single_round)
    return emitOpError() << "needs a dyadic rounding (double_round or "
                            "single_round), not "
                         << stringifyRoundingMode(mode);
  return success();
}
