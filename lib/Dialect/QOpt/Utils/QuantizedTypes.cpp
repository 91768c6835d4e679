//===- QuantizedTypes.cpp - building and reading quantized types ----------===//

#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace qopt;

PolicyAttr qopt::parsePolicy(MLIRContext *ctx, StringRef body,
                             std::string &error) {
  std::string text = ("#qopt.policy<" + body + ">").str();
  std::string diagnostic;
  PolicyAttr policy;
  {
    // The parser reports into its own buffer; the caller names the option.
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
      diagnostic = diag.str();
      return success();
    });
    policy = dyn_cast_if_present<PolicyAttr>(parseAttribute(text, ctx));
  }
  if (!policy)
    error = diagnostic.empty() ? "not a policy" : diagnostic;
  return policy;
}

/// Block size of every dimension under `policy`: 0 means one parameter for
/// the whole dimension, otherwise the number of consecutive elements that
/// share a parameter.
static SmallVector<int64_t> getBlockSizes(PolicyAttr policy,
                                          ArrayRef<int64_t> shape) {
  SmallVector<int64_t> blocks(shape.size(), 0);
  switch (policy.getGranularity()) {
  case Granularity::per_tensor:
    break;
  case Granularity::per_channel:
    blocks[policy.getAxis()] = 1;
    break;
  case Granularity::per_group:
    // Groups run along `axis`; every other dimension is its own block.
    std::fill(blocks.begin(), blocks.end(), 1);
    blocks[policy.getAxis()] = policy.getGroupSize();
    break;
  }
  return blocks;
}

SmallVector<int64_t> qopt::getParamShape(PolicyAttr policy,
                                         ArrayRef<int64_t> shape) {
  SmallVector<int64_t> blocks = getBlockSizes(policy, shape);
  SmallVector<int64_t> paramShape;
  for (auto [size, block] : llvm::zip(shape, blocks))
    paramShape.push_back(block == 0 ? 1 : size / block);
  return paramShape;
}

static int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t v : values)
    result *= v;
  return result;
}

Type qopt::buildQuantizedElementType(PolicyAttr policy, FloatType expressed,
                                     ArrayRef<int64_t> shape,
                                     ArrayRef<QuantParams> params) {
  MLIRContext *ctx = expressed.getContext();
  QuantScheme scheme = policy.getScheme();
  StorageRange range = scheme.getStorageRange();
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  for (const QuantParams &p : params) {
    scales.push_back(p.scale);
    zeroPoints.push_back(p.zeroPoint);
  }
  if (scheme.kind == StorageKind::binary) {
    int64_t axis = policy.getGranularity() == Granularity::per_channel
                       ? policy.getAxis()
                       : -1;
    return BinaryType::get(ctx, expressed, DenseF64ArrayAttr::get(ctx, scales),
                           axis);
  }
  unsigned flags = scheme.isSigned ? quant::QuantizationFlags::Signed : 0;
  auto storage = IntegerType::get(ctx, scheme.bits);
  switch (policy.getGranularity()) {
  case Granularity::per_tensor:
    return quant::UniformQuantizedType::get(flags, storage, expressed,
                                            scales.front(), zeroPoints.front(),
                                            range.min, range.max);
  case Granularity::per_channel:
    return quant::UniformQuantizedPerAxisType::get(
        flags, storage, expressed, scales, zeroPoints, policy.getAxis(),
        range.min, range.max);
  case Granularity::per_group: {
    SmallVector<int64_t> paramShape = getParamShape(policy, shape);
    auto scaleType = RankedTensorType::get(paramShape, expressed);
    auto zpType = RankedTensorType::get(paramShape, storage);
    SmallVector<APFloat> scaleValues;
    SmallVector<APInt> zpValues;
    for (auto [s, zp] : llvm::zip(scales, zeroPoints)) {
      APFloat value(s);
      bool lost;
      value.convert(expressed.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
      scaleValues.push_back(value);
      zpValues.push_back(APInt(scheme.bits, zp, /*isSigned=*/true));
    }
    SmallVector<int32_t> dims;
    SmallVector<int64_t> blocks;
    for (auto [d, block] : llvm::enumerate(getBlockSizes(policy, shape))) {
      if (block == 0 || (block == 1 && shape[d] == 1))
        continue;
      dims.push_back(static_cast<int32_t>(d));
      blocks.push_back(block);
    }
    return quant::UniformQuantizedSubChannelType::get(
        flags, storage, expressed,
        DenseElementsAttr::get(scaleType, scaleValues),
        DenseElementsAttr::get(zpType, zpValues), dims, blocks, range.min,
        range.max);
  }
  }
  llvm_unreachable("unknown granularity");
}

/// Whether `policy` gives weights integer sub-scales when their output
/// channels are known: per group, signed symmetric (or ternary), narrower
/// than 8 bits.
static bool hasIntegerSubScales(PolicyAttr policy) {
  QuantScheme scheme = policy.getScheme();
  return policy.getGranularity() == Granularity::per_group &&
         scheme.kind != StorageKind::binary && scheme.isSigned &&
         (scheme.symmetric || scheme.kind == StorageKind::ternary) &&
         maxGroupMultiplier(scheme.getStorageRange()) > 1;
}

/// Rewrites per-group scales (row-major over `paramShape`) as u[c] * m with
/// integer m in [1, maxMultiplier], u[c] = the largest scale of output
/// channel c / maxMultiplier. m is rounded up, so no group's range shrinks.
static void toIntegerSubScales(MutableArrayRef<QuantParams> params,
                               ArrayRef<int64_t> paramShape,
                               int64_t channelAxis, int64_t maxMultiplier) {
  int64_t inner = product(paramShape.drop_front(channelAxis + 1));
  int64_t channels = paramShape[channelAxis];
  auto channelOf = [&](int64_t p) { return (p / inner) % channels; };
  SmallVector<double> unit(channels, 0.0);
  for (auto [p, param] : llvm::enumerate(params))
    unit[channelOf(p)] = std::max(unit[channelOf(p)], param.scale);
  for (double &u : unit)
    u /= static_cast<double>(maxMultiplier);
  for (auto [p, param] : llvm::enumerate(params)) {
    double u = unit[channelOf(p)];
    // A ratio within float rounding of an integer is that integer.
    double m = std::ceil(param.scale / u * (1.0 - 1e-12));
    param.scale = u * std::clamp<double>(m, 1.0, maxMultiplier);
  }
}

Type qopt::buildQuantizedElementType(PolicyAttr policy, FloatType expressed,
                                     ArrayRef<int64_t> shape,
                                     ArrayRef<FloatRange> ranges,
                                     std::optional<int64_t> channelAxis) {
  QuantScheme scheme = policy.getScheme();
  SmallVector<QuantParams> params;
  for (const FloatRange &r : ranges)
    params.push_back(computeQuantParams(r.min, r.max, scheme));
  if (channelAxis && hasIntegerSubScales(policy)) {
    SmallVector<int64_t> paramShape = getParamShape(policy, shape);
    int64_t maxMultiplier = maxGroupMultiplier(scheme.getStorageRange());
    toIntegerSubScales(params, paramShape, *channelAxis, maxMultiplier);
  }
  return buildQuantizedElementType(policy, expressed, shape, params);
}

/// Maps a row-major element index of `shape` to the row-major index of its
/// parameter in `paramShape`, given per-dimension block sizes (0 = whole
/// dimension).
static int64_t paramIndexOf(int64_t flatIndex, ArrayRef<int64_t> shape,
                            ArrayRef<int64_t> blocks,
                            ArrayRef<int64_t> paramShape) {
  int64_t paramIndex = 0, paramStride = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    int64_t coord = flatIndex % shape[d];
    flatIndex /= shape[d];
    int64_t paramCoord = blocks[d] == 0 ? 0 : coord / blocks[d];
    paramIndex += paramCoord * paramStride;
    paramStride *= paramShape[d];
  }
  return paramIndex;
}

FailureOr<SmallVector<FloatRange>>
qopt::computeConstantRanges(DenseFPElementsAttr values, PolicyAttr policy,
                            std::string &error) {
  auto type = cast<RankedTensorType>(values.getType());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<int64_t> blocks = getBlockSizes(policy, shape);
  SmallVector<int64_t> paramShape = getParamShape(policy, shape);
  int64_t count = product(paramShape);
  bool binary = policy.getKind() == StorageKind::binary;
  SmallVector<FloatRange> ranges(count);
  SmallVector<bool> seen(count, false);
  SmallVector<double> absSum(count, 0.0);
  SmallVector<int64_t> members(count, 0);
  int64_t index = 0;
  for (APFloat value : values.getValues<APFloat>()) {
    float v = value.convertToFloat();
    if (!std::isfinite(v)) {
      llvm::raw_string_ostream os(error);
      os << "constant element " << index << " is " << v
         << "; only finite values can be quantized";
      return failure();
    }
    int64_t p = paramIndexOf(index++, shape, blocks, paramShape);
    FloatRange &r = ranges[p];
    if (!seen[p]) {
      r = {v, v};
      seen[p] = true;
    }
    r.min = std::min(r.min, v);
    r.max = std::max(r.max, v);
    absSum[p] += std::fabs(v);
    ++members[p];
  }
  if (binary)
    for (int64_t p = 0; p < count; ++p) {
      float meanAbs =
          members[p] ? static_cast<float>(absSum[p] / members[p]) : 0.0f;
      ranges[p] = {-meanAbs, meanAbs};
    }
  return ranges;
}

ElementQuantParams::ElementQuantParams(RankedTensorType type)
    : shape(type.getShape()) {
  blockSizes.assign(shape.size(), 0);
  paramShape.assign(shape.size(), 1);
  TypeSwitch<Type>(type.getElementType())
      .Case([&](quant::UniformQuantizedType t) {
        table.push_back({t.getScale(), t.getZeroPoint()});
      })
      .Case([&](quant::UniformQuantizedPerAxisType t) {
        for (auto [s, zp] : llvm::zip(t.getScales(), t.getZeroPoints()))
          table.push_back({s, zp});
        int32_t axis = t.getQuantizedDimension();
        blockSizes[axis] = 1;
        paramShape[axis] = shape[axis];
      })
      .Case([&](quant::UniformQuantizedSubChannelType t) {
        for (auto [s, zp] : llvm::zip(t.getScales().getValues<APFloat>(),
                                      t.getZeroPoints().getValues<APInt>()))
          table.push_back({s.convertToDouble(), zp.getSExtValue()});
        auto scalesType = cast<ShapedType>(t.getScales().getType());
        for (int64_t d = 0; d < type.getRank(); ++d) {
          paramShape[d] = scalesType.getDimSize(d);
          blockSizes[d] = shape[d] / paramShape[d];
        }
      })
      .Case([&](BinaryType t) {
        for (double s : t.getScaleValues())
          table.push_back({s, 0});
        if (t.isPerAxis()) {
          blockSizes[t.getAxis()] = 1;
          paramShape[t.getAxis()] = shape[t.getAxis()];
        }
      });
}

QuantParams ElementQuantParams::at(int64_t flatIndex) const {
  if (table.size() == 1)
    return table.front();
  return table[paramIndexOf(flatIndex, shape, blockSizes, paramShape)];
}

FailureOr<RankedTensorType>
qopt::quantizedTypeOfConstant(DenseFPElementsAttr values, PolicyAttr policy,
                              std::string &error,
                              std::optional<int64_t> channelAxis) {
  auto type = cast<RankedTensorType>(values.getType());
  FailureOr<SmallVector<FloatRange>> ranges =
      computeConstantRanges(values, policy, error);
  if (failed(ranges))
    return failure();
  auto expressed = cast<FloatType>(type.getElementType());
  Type element = buildQuantizedElementType(policy, expressed, type.getShape(),
                                           *ranges, channelAxis);
  return type.clone(element);
}

std::optional<int64_t> qopt::weightOutputChannelAxis(Operation *user,
                                                     unsigned operandNumber) {
  if (operandNumber != 1)
    return std::nullopt;
  if (isa<tosa::Conv2DOp>(user))
    return 0;
  if (isa<tosa::DepthwiseConv2DOp, tosa::MatMulOp>(user))
    return 2;
  return std::nullopt;
}

std::optional<int64_t> qopt::weightReductionAxis(Operation *user,
                                                 unsigned operandNumber) {
  if (operandNumber != 1)
    return std::nullopt;
  if (isa<tosa::Conv2DOp>(user))
    return 3;
  if (isa<tosa::MatMulOp>(user))
    return 1;
  return std::nullopt;
}
