//===- QOptAttrs.cpp - qopt attributes and types --------------------------===//

#include "qopt/Dialect/QOpt/IR/QOptAttrs.h"
#include "qopt/Dialect/QOpt/IR/QOptDialect.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace qopt;

#include "qopt/Dialect/QOpt/IR/QOptEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Dialect/QOpt/IR/QOptAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "qopt/Dialect/QOpt/IR/QOptTypes.cpp.inc"

void QOptDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qopt/Dialect/QOpt/IR/QOptAttrs.cpp.inc"
      >();
}

void QOptDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "qopt/Dialect/QOpt/IR/QOptTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// PolicyAttr
//===----------------------------------------------------------------------===//

static constexpr unsigned kMinPolicyBits = 2;
static constexpr unsigned kMaxPolicyBits = 16;

QuantScheme PolicyAttr::getScheme() const {
  QuantScheme scheme;
  scheme.kind = getKind();
  scheme.bits = getBits();
  scheme.isSigned = getIsSigned();
  scheme.symmetric = getSymmetric();
  scheme.narrowRange = getNarrowRange();
  return scheme;
}

LogicalResult PolicyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StorageKind kind, unsigned bits, bool isSigned,
                                 bool symmetric, bool narrowRange,
                                 Granularity granularity, int64_t axis,
                                 int64_t groupSize) {
  switch (kind) {
  case StorageKind::integer:
    if (bits < kMinPolicyBits || bits > kMaxPolicyBits)
      return emitError() << "storage width must be between " << kMinPolicyBits
                         << " and " << kMaxPolicyBits << " bits, got " << bits;
    break;
  case StorageKind::ternary:
    if (bits != 2 || !isSigned || !symmetric || !narrowRange)
      return emitError()
             << "ternary storage is 2 signed bits, symmetric, narrow range";
    break;
  case StorageKind::binary:
    if (bits != 1 || !symmetric)
      return emitError() << "binary storage is 1 bit and symmetric";
    break;
  }
  if (granularity == Granularity::per_tensor) {
    if (axis != -1 || groupSize != 0)
      return emitError() << "per_tensor policy takes no axis or group size";
    return success();
  }
  if (axis < 0)
    return emitError() << "axis must be non-negative, got " << axis;
  if (granularity == Granularity::per_channel && groupSize != 0)
    return emitError() << "per_channel policy takes no group size";
  if (granularity == Granularity::per_group) {
    if (groupSize < 1)
      return emitError() << "group size must be positive, got " << groupSize;
    if (kind == StorageKind::binary)
      return emitError() << "binary storage supports per_tensor and "
                            "per_channel granularity only";
  }
  return success();
}

LogicalResult
PolicyAttr::verifyForShape(function_ref<InFlightDiagnostic()> emitError,
                           ArrayRef<int64_t> shape) const {
  if (getGranularity() == Granularity::per_tensor)
    return success();
  int64_t rank = static_cast<int64_t>(shape.size());
  if (getAxis() >= rank)
    return emitError() << "policy axis " << getAxis()
                       << " is out of range for a tensor of rank " << rank;
  int64_t dim = shape[getAxis()];
  if (getGranularity() == Granularity::per_group &&
      !ShapedType::isDynamic(dim) && dim % getGroupSize() != 0)
    return emitError() << "group size " << getGroupSize()
                       << " does not divide dimension " << getAxis()
                       << " of size " << dim;
  return success();
}

/// Parses `(axis = A)` or `(axis = A, size = S)`.
static ParseResult parseAxisSpec(AsmParser &parser, int64_t &axis,
                                 int64_t *groupSize) {
  if (parser.parseLParen() || parser.parseKeyword("axis") ||
      parser.parseEqual() || parser.parseInteger(axis))
    return failure();
  if (groupSize && (parser.parseComma() || parser.parseKeyword("size") ||
                    parser.parseEqual() || parser.parseInteger(*groupSize)))
    return failure();
  return parser.parseRParen();
}

Attribute PolicyAttr::parse(AsmParser &parser, Type) {
  auto emitError = [&] {
    return parser.emitError(parser.getCurrentLocation());
  };
  if (parser.parseLess())
    return {};
  SMLoc storageLoc = parser.getCurrentLocation();
  StringRef storage;
  if (parser.parseKeyword(&storage))
    return {};

  StorageKind kind = StorageKind::integer;
  unsigned bits = 0;
  bool isSigned = true, symmetric = true, narrowRange = false;
  bool symmetrySeen = false;
  if (storage == "ternary") {
    kind = StorageKind::ternary;
    bits = 2;
    narrowRange = true;
  } else if (storage == "binary") {
    kind = StorageKind::binary;
    bits = 1;
  } else if ((storage.starts_with("si") || storage.starts_with("ui")) &&
             !storage.drop_front(2).getAsInteger(10, bits)) {
    isSigned = storage.front() == 's';
  } else {
    parser.emitError(storageLoc)
        << "expected storage 'si<N>', 'ui<N>', 'ternary' or 'binary', got '"
        << storage << "'";
    return {};
  }

  Granularity granularity = Granularity::per_tensor;
  int64_t axis = -1, groupSize = 0;
  bool granularitySeen = false;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef word;
    if (parser.parseKeyword(&word))
      return {};
    if (word == "symmetric" || word == "asymmetric") {
      if (symmetrySeen) {
        parser.emitError(loc) << "symmetry given twice";
        return {};
      }
      symmetrySeen = true;
      symmetric = word == "symmetric";
    } else if (word == "narrow_range") {
      narrowRange = true;
    } else if (word == "per_tensor" || word == "per_channel" ||
               word == "per_group") {
      if (granularitySeen) {
        parser.emitError(loc) << "granularity given twice";
        return {};
      }
      granularitySeen = true;
      if (word == "per_channel") {
        granularity = Granularity::per_channel;
        if (parseAxisSpec(parser, axis, nullptr))
          return {};
      } else if (word == "per_group") {
        granularity = Granularity::per_group;
        if (parseAxisSpec(parser, axis, &groupSize))
          return {};
      }
    } else {
      parser.emitError(loc) << "unknown policy keyword '" << word << "'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  if (kind == StorageKind::integer && !symmetrySeen) {
    parser.emitError(storageLoc)
        << "integer policy must say 'symmetric' or 'asymmetric'";
    return {};
  }
  return PolicyAttr::getChecked(emitError, parser.getContext(), kind, bits,
                                isSigned, symmetric, narrowRange, granularity,
                                axis, groupSize);
}

void PolicyAttr::print(AsmPrinter &printer) const {
  printer << "<";
  switch (getKind()) {
  case StorageKind::ternary:
    printer << "ternary";
    break;
  case StorageKind::binary:
    printer << "binary";
    break;
  case StorageKind::integer:
    printer << (getIsSigned() ? "si" : "ui") << getBits() << ", "
            << (getSymmetric() ? "symmetric" : "asymmetric");
    if (getNarrowRange())
      printer << ", narrow_range";
    break;
  }
  switch (getGranularity()) {
  case Granularity::per_tensor:
    printer << ", per_tensor";
    break;
  case Granularity::per_channel:
    printer << ", per_channel(axis = " << getAxis() << ")";
    break;
  case Granularity::per_group:
    printer << ", per_group(axis = " << getAxis()
            << ", size = " << getGroupSize() << ")";
    break;
  }
  printer << ">";
}

//===----------------------------------------------------------------------===//
// RangeAttr
//===----------------------------------------------------------------------===//

LogicalResult RangeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                APFloat minValue, APFloat maxValue,
                                ArrayRef<int64_t> histogram) {
  double min = minValue.convertToDouble(), max = maxValue.convertToDouble();
  if (!std::isfinite(min) || !std::isfinite(max))
    return emitError() << "range bounds must be finite, got [" << min << ", "
                       << max << "]";
  if (min > max)
    return emitError() << "range min " << min << " is greater than max " << max;
  for (auto [i, count] : llvm::enumerate(histogram))
    if (count < 0)
      return emitError() << "histogram bin " << i << " has negative count "
                         << count;
  return success();
}

Attribute RangeAttr::parse(AsmParser &parser, Type) {
  auto emitError = [&] {
    return parser.emitError(parser.getCurrentLocation());
  };
  double min = 0.0, max = 0.0;
  SmallVector<int64_t> histogram;
  if (parser.parseLess() || parser.parseKeyword("min") || parser.parseEqual() ||
      parser.parseFloat(min) || parser.parseComma() ||
      parser.parseKeyword("max") || parser.parseEqual() ||
      parser.parseFloat(max))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("histogram") || parser.parseEqual() ||
        parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
          return parser.parseInteger(histogram.emplace_back());
        }))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return RangeAttr::getChecked(emitError, parser.getContext(), APFloat(min),
                               APFloat(max), histogram);
}

void RangeAttr::print(AsmPrinter &printer) const {
  printer << "<min = " << getMinValue() << ", max = " << getMaxValue();
  if (!getHistogram().empty()) {
    printer << ", histogram = [";
    llvm::interleaveComma(getHistogram(), printer);
    printer << "]";
  }
  printer << ">";
}

//===----------------------------------------------------------------------===//
// SensitivityAttr
//===----------------------------------------------------------------------===//

LogicalResult SensitivityAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, ArrayRef<int64_t> bits,
    DenseF64ArrayAttr noiseAttr, ArrayRef<int64_t> activationBits,
    DenseF64ArrayAttr activationNoiseAttr, DenseF64ArrayAttr latencyAttr) {
  auto values = [](DenseF64ArrayAttr attr) {
    return attr ? attr.asArrayRef() : ArrayRef<double>();
  };
  ArrayRef<double> noise = values(noiseAttr);
  ArrayRef<double> activationNoise = values(activationNoiseAttr);
  ArrayRef<double> latency = values(latencyAttr);
  if (bits.empty())
    return emitError() << "sensitivity needs at least one width";
  if (noise.size() != bits.size())
    return emitError() << "sensitivity has " << bits.size() << " widths but "
                       << noise.size() << " noise values";
  if (activationNoise.size() != activationBits.size())
    return emitError() << "sensitivity has " << activationBits.size()
                       << " activation widths but " << activationNoise.size()
                       << " activation noise values";
  size_t pairs = bits.size() * std::max<size_t>(activationBits.size(), 1);
  if (!latency.empty() && latency.size() != pairs)
    return emitError() << "sensitivity has " << pairs
                       << (activationBits.empty()
                               ? " widths"
                               : " (weight, activation) width pairs")
                       << " but " << latency.size() << " latencies";
  for (auto [i, b] : llvm::enumerate(bits)) {
    if (b < 2 || b > 16)
      return emitError() << "width " << b << " is outside [2, 16]";
    if (llvm::is_contained(bits.take_front(i), b))
      return emitError() << "width " << b << " appears twice";
  }
  for (auto [i, b] : llvm::enumerate(activationBits)) {
    if (b != 8 && b != 16)
      return emitError() << "activation width " << b << " is not 8 or 16";
    if (llvm::is_contained(activationBits.take_front(i), b))
      return emitError() << "activation width " << b << " appears twice";
  }
  for (ArrayRef<double> list : {noise, activationNoise})
    for (double n : list)
      if (!std::isfinite(n) || n < 0)
        return emitError() << "noise must be finite and non-negative, got "
                           << n;
  for (double t : latency)
    if (!std::isfinite(t) || t < 0)
      return emitError() << "latency must be finite and non-negative, got "
                         << t;
  return success();
}

Attribute SensitivityAttr::parse(AsmParser &parser, Type) {
  auto emitError = [&] {
    return parser.emitError(parser.getCurrentLocation());
  };
  SmallVector<int64_t> bits, activationBits;
  SmallVector<double> noise, activationNoise, latency;
  auto parseDoubles = [&](SmallVector<double> &into) {
    return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
      return parser.parseFloat(into.emplace_back());
    });
  };
  auto parseIntegers = [&](SmallVector<int64_t> &into) {
    return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
      return parser.parseInteger(into.emplace_back());
    });
  };
  if (parser.parseLess() || parser.parseKeyword("bits") ||
      parser.parseEqual() || parseIntegers(bits) || parser.parseComma() ||
      parser.parseKeyword("noise") || parser.parseEqual() ||
      parseDoubles(noise))
    return {};
  // Optional fields, in this order.
  bool comma = succeeded(parser.parseOptionalComma());
  if (comma && succeeded(parser.parseOptionalKeyword("activation_bits"))) {
    if (parser.parseEqual() || parseIntegers(activationBits) ||
        parser.parseComma() || parser.parseKeyword("activation_noise") ||
        parser.parseEqual() || parseDoubles(activationNoise))
      return {};
    comma = succeeded(parser.parseOptionalComma());
  }
  if (comma && (parser.parseKeyword("latency") || parser.parseEqual() ||
                parseDoubles(latency)))
    return {};
  if (parser.parseGreater())
    return {};
  MLIRContext *ctx = parser.getContext();
  auto optional = [&](ArrayRef<double> list) {
    return list.empty() ? DenseF64ArrayAttr()
                        : DenseF64ArrayAttr::get(ctx, list);
  };
  return SensitivityAttr::getChecked(
      emitError, ctx, bits, DenseF64ArrayAttr::get(ctx, noise), activationBits,
      optional(activationNoise), optional(latency));
}

void SensitivityAttr::print(AsmPrinter &printer) const {
  printer << "<bits = [";
  llvm::interleaveComma(getBits(), printer);
  printer << "], noise = [";
  llvm::interleaveComma(getNoise(), printer);
  printer << "]";
  if (!getActivationBits().empty()) {
    printer << ", activation_bits = [";
    llvm::interleaveComma(getActivationBits(), printer);
    printer << "], activation_noise = [";
    llvm::interleaveComma(getActivationNoise(), printer);
    printer << "]";
  }
  if (!getLatency().empty()) {
    printer << ", latency = [";
    llvm::interleaveComma(getLatency(), printer);
    printer << "]";
  }
  printer << ">";
}

//===----------------------------------------------------------------------===//
// BinaryType
//===----------------------------------------------------------------------===//

LogicalResult BinaryType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 FloatType expressedType,
                                 DenseF64ArrayAttr scaleAttr, int64_t axis) {
  ArrayRef<double> scales =
      scaleAttr ? scaleAttr.asArrayRef() : ArrayRef<double>();
  if (!expressedType)
    return emitError() << "binary type needs a float expressed type";
  if (scales.empty())
    return emitError() << "binary type needs at least one scale";
  if (axis < -1)
    return emitError() << "axis must be non-negative, got " << axis;
  if (axis == -1 && scales.size() != 1)
    return emitError() << "per-tensor binary type takes exactly one scale";
  for (double scale : scales)
    if (!std::isfinite(scale) || scale <= 0.0)
      return emitError() << "scale must be positive and finite, got " << scale;
  return success();
}

Type BinaryType::parse(AsmParser &parser) {
  auto emitError = [&] {
    return parser.emitError(parser.getCurrentLocation());
  };
  Type expressed;
  int64_t axis = -1;
  SmallVector<double> scales;
  if (parser.parseLess() || parser.parseType(expressed))
    return {};
  auto floatType = dyn_cast<FloatType>(expressed);
  if (!floatType) {
    emitError() << "expected a float expressed type, got " << expressed;
    return {};
  }
  auto parseScale = [&] { return parser.parseFloat(scales.emplace_back()); };
  if (succeeded(parser.parseOptionalColon())) {
    if (parser.parseInteger(axis) || parser.parseComma() ||
        parser.parseCommaSeparatedList(AsmParser::Delimiter::Braces,
                                       parseScale))
      return {};
  } else if (parser.parseComma() || parseScale()) {
    return {};
  }
  if (parser.parseGreater())
    return {};
  return BinaryType::getChecked(
      emitError, parser.getContext(), floatType,
      DenseF64ArrayAttr::get(parser.getContext(), scales), axis);
}

void BinaryType::print(AsmPrinter &printer) const {
  printer << "<" << getExpressedType();
  if (isPerAxis()) {
    printer << ":" << getAxis() << ", {";
    llvm::interleaveComma(getScaleValues(), printer);
    printer << "}>";
    return;
  }
  printer << ", " << getScaleValues().front() << ">";
}

//===----------------------------------------------------------------------===//
// Quantized element type queries
//===----------------------------------------------------------------------===//

bool qopt::isQuantizedElementType(Type type) {
  return isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType,
             quant::UniformQuantizedSubChannelType, BinaryType>(type);
}

StorageRange qopt::getStorageRange(Type type) {
  if (isa<BinaryType>(type))
    return {0, 1};
  auto quantType = cast<quant::QuantizedType>(type);
  return {quantType.getStorageTypeMin(), quantType.getStorageTypeMax()};
}

FloatType qopt::getExpressedType(Type type) {
  if (auto binary = dyn_cast<BinaryType>(type))
    return binary.getExpressedType();
  return dyn_cast<FloatType>(
      cast<quant::QuantizedType>(type).getExpressedType());
}

IntegerType qopt::getStorageIntegerType(Type type) {
  if (isa<BinaryType>(type))
    return IntegerType::get(type.getContext(), 1);
  auto quantType = cast<quant::QuantizedType>(type);
  return IntegerType::get(type.getContext(),
                          quantType.getStorageTypeIntegralWidth());
}

static LogicalResult
verifyZeroPoint(function_ref<InFlightDiagnostic()> emitError, int64_t zp,
                StorageRange range) {
  if (!range.contains(zp))
    return emitError() << "zero point " << zp
                       << " is outside the storage range [" << range.min << ", "
                       << range.max << "]";
  return success();
}

/// Upstream !quant.uniform rejects zero, negative and infinite scales but
/// lets NaN through; every qopt op re-checks.
static LogicalResult verifyScale(function_ref<InFlightDiagnostic()> emitError,
                                 double scale) {
  if (!std::isfinite(scale) || scale <= 0.0)
    return emitError() << "scale " << scale << " must be positive and finite";
  return success();
}

static LogicalResult
verifyChannelCount(function_ref<InFlightDiagnostic()> emitError,
                   RankedTensorType type, int64_t axis, size_t count) {
  if (axis >= type.getRank())
    return emitError() << "quantized axis " << axis
                       << " is out of range for a tensor of rank "
                       << type.getRank();
  int64_t dim = type.getDimSize(axis);
  if (!ShapedType::isDynamic(dim) && static_cast<int64_t>(count) != dim)
    return emitError() << "expected " << dim
                       << " scales (size of quantized axis " << axis
                       << "), got " << count;
  return success();
}

LogicalResult
qopt::verifyQuantizedTensorType(function_ref<InFlightDiagnostic()> emitError,
                                RankedTensorType type) {
  Type element = type.getElementType();
  StorageRange range = getStorageRange(element);
  return TypeSwitch<Type, LogicalResult>(element)
      .Case([&](quant::UniformQuantizedType t) {
        if (failed(verifyScale(emitError, t.getScale())))
          return failure();
        return verifyZeroPoint(emitError, t.getZeroPoint(), range);
      })
      .Case([&](quant::UniformQuantizedPerAxisType t) {
        for (double scale : t.getScales())
          if (failed(verifyScale(emitError, scale)))
            return failure();
        for (int64_t zp : t.getZeroPoints())
          if (failed(verifyZeroPoint(emitError, zp, range)))
            return failure();
        return verifyChannelCount(emitError, type, t.getQuantizedDimension(),
                                  t.getScales().size());
      })
      .Case([&](quant::UniformQuantizedSubChannelType t) {
        for (const APFloat &scale : t.getScales().getValues<APFloat>())
          if (failed(verifyScale(emitError, scale.convertToDouble())))
            return failure();
        for (const APInt &zp : t.getZeroPoints().getValues<APInt>())
          if (failed(verifyZeroPoint(emitError, zp.getSExtValue(), range)))
            return failure();
        auto scalesType = cast<ShapedType>(t.getScales().getType());
        if (scalesType.getRank() != type.getRank())
          return LogicalResult(emitError() << "sub-channel scales have rank "
                                           << scalesType.getRank()
                                           << " but the tensor has rank "
                                           << type.getRank());
        SmallVector<int64_t> blocks(type.getShape());
        for (auto [dim, block] :
             llvm::zip(t.getQuantizedDimensions(), t.getBlockSizes())) {
          if (dim >= type.getRank())
            return LogicalResult(emitError()
                                 << "quantized dimension " << dim
                                 << " is out of range for a tensor of rank "
                                 << type.getRank());
          blocks[dim] = block;
        }
        for (int64_t d = 0; d < type.getRank(); ++d) {
          int64_t size = type.getDimSize(d);
          if (ShapedType::isDynamic(size))
            return LogicalResult(
                emitError() << "sub-channel quantization needs a static shape, "
                               "dimension "
                            << d << " is dynamic");
          if (blocks[d] <= 0 || size % blocks[d] != 0)
            return LogicalResult(emitError() << "block size " << blocks[d]
                                             << " does not divide dimension "
                                             << d << " of size " << size);
          if (scalesType.getDimSize(d) != size / blocks[d])
            return LogicalResult(emitError()
                                 << "expected " << size / blocks[d]
                                 << " scales along dimension " << d << ", got "
                                 << scalesType.getDimSize(d));
        }
        return success();
      })
      .Case([&](BinaryType t) {
        if (!t.isPerAxis())
          return success();
        return verifyChannelCount(emitError, type, t.getAxis(),
                                  t.getScaleValues().size());
      })
      .Default([&](Type) {
        return emitError() << "expected a quantized element type, got "
                           << element;
      });
}
