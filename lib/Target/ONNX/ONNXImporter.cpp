//===- ONNXImporter.cpp - ONNX models to TOSA -----------------------------===//
//
// The model is parsed, checked and shape-inferred by ONNX's own libraries;
// this file only maps each operator to TOSA. 4-D activations are kept in
// NHWC (TOSA's layout) from the first convolution-like use on: each value
// remembers whether it is stored NHWC while ONNX indexes it as NCHW, and
// transposes are inserted only where an operator needs the ONNX order
// (Reshape, Flatten, Transpose, Gemm inputs, graph outputs).
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/ONNX/ONNXImporter.h"

#include "qopt/Dialect/QOpt/IR/QOptOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include "onnx/checker.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <cmath>
#include <deque>
#include <numeric>

using namespace mlir;
using namespace qopt;
using qopt::ConstantOp;

namespace {

/// A converted ONNX tensor: the TOSA value and whether a 4-D value is stored
/// NHWC while ONNX indexes it NCHW.
struct Tensor {
  Value value;
  bool nhwc = false;
};

/// Raised (as a failure) with a message; the importer turns it into an
/// error at the node's location.
struct ImportError {
  std::string message;
};

constexpr int64_t kToNHWC[] = {0, 2, 3, 1};
constexpr int64_t kToNCHW[] = {0, 3, 1, 2};

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef fileName, const ONNXImportOptions &opts)
      : ctx(ctx), builder(ctx), fileName(fileName.str()), options(opts) {}

  OwningOpRef<ModuleOp> run(onnx::ModelProto &model);

private:
  // --- diagnostics ---------------------------------------------------------
  Location nodeLoc(const onnx::NodeProto &node, int index) {
    std::string name = node.name().empty()
                           ? node.op_type() + "#" + std::to_string(index)
                           : node.name();
    return NameLoc::get(StringAttr::get(ctx, name),
                        FileLineColLoc::get(ctx, fileName, index + 1, 0));
  }
  LogicalResult fail(const std::string &message) {
    pendingError = message;
    return failure();
  }

  // --- types and constants -------------------------------------------------
  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }
  Value constF32(ArrayRef<float> data, ArrayRef<int64_t> shape) {
    auto type = f32(shape);
    return tosa::ConstOp::create(builder, loc, type,
                                 DenseElementsAttr::get(type, data));
  }
  Value scalarF32(float v) { return constF32({v}, {1}); }
  Value zeroPoint() { return scalarF32(0.0f); }
  Value mulShift() {
    auto type = RankedTensorType::get({1}, builder.getI8Type());
    return tosa::ConstOp::create(
        builder, loc, type, DenseElementsAttr::get(type, ArrayRef<int8_t>{0}));
  }
  Value shapeValue(ArrayRef<int64_t> shape) {
    auto type = tosa::shapeType::get(ctx, shape.size());
    auto attr = DenseIntElementsAttr::get(
        RankedTensorType::get({static_cast<int64_t>(shape.size())},
                              builder.getIndexType()),
        shape);
    return tosa::ConstShapeOp::create(builder, loc, type, attr);
  }

  // --- layout ----------------------------------------------------------------
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  Value transpose(Value v, ArrayRef<int64_t> perm) {
    ArrayRef<int64_t> in = shapeOf(v);
    SmallVector<int64_t> out;
    SmallVector<int32_t> perm32;
    for (int64_t p : perm) {
      out.push_back(in[p]);
      perm32.push_back(static_cast<int32_t>(p));
    }
    return tosa::TransposeOp::create(builder, loc, like(v, out), v,
                                     builder.getDenseI32ArrayAttr(perm32));
  }
  /// The slice of `v` at `offsets` of `shape`; computed here when `v` is a
  /// constant, so that grouped convolution weights stay constants the
  /// quantizer can see.
  Value slice(Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> shape) {
    DenseElementsAttr values;
    if (!matchPattern(v, m_Constant(&values)))
      return tosa::SliceOp::create(builder, loc, like(v, shape), v,
                                   shapeValue(offsets), shapeValue(shape));
    ArrayRef<int64_t> in = shapeOf(v);
    SmallVector<Attribute> all(values.getValues<Attribute>());
    SmallVector<Attribute> out;
    SmallVector<int64_t> index(shape.size(), 0);
    int64_t count = ShapedType::getNumElements(shape);
    for (int64_t i = 0; i < count; ++i) {
      int64_t flat = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        flat = flat * in[d] + offsets[d] + index[d];
      out.push_back(values.isSplat() ? all.front() : all[flat]);
      for (int64_t d = shape.size() - 1; d >= 0 && ++index[d] == shape[d]; --d)
        index[d] = 0;
    }
    auto type = like(v, shape);
    return tosa::ConstOp::create(builder, loc, type,
                                 DenseElementsAttr::get(type, out));
  }
  /// A tensor type of `shape` with `v`'s element type.
  static RankedTensorType like(Value v, ArrayRef<int64_t> shape) {
    return cast<RankedTensorType>(v.getType()).clone(shape);
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    if (shapeOf(v) == shape)
      return v;
    return tosa::ReshapeOp::create(builder, loc, like(v, shape), v,
                                   shapeValue(shape));
  }
  /// The value in ONNX's own dimension order.
  Value plain(const Tensor &t) {
    return t.nhwc ? transpose(t.value, kToNCHW) : t.value;
  }
  /// A 4-D value stored NHWC.
  Value asNHWC(const Tensor &t) {
    return t.nhwc ? t.value : transpose(t.value, kToNHWC);
  }
  /// ONNX (logical) shape of a tensor.
  SmallVector<int64_t> logicalShape(const Tensor &t) {
    SmallVector<int64_t> s(shapeOf(t.value));
    if (t.nhwc)
      return {s[0], s[3], s[1], s[2]};
    return s;
  }
  /// Stored axis for a logical axis of `t`.
  static int64_t storedAxis(const Tensor &t, int64_t axis) {
    return t.nhwc ? (axis == 0 ? 0 : axis == 1 ? 3 : axis - 1) : axis;
  }

  // --- ONNX accessors -----------------------------------------------------
  FailureOr<Tensor> input(const onnx::NodeProto &node, int i) {
    if (i >= node.input_size() || node.input(i).empty())
      return fail("missing input " + std::to_string(i));
    auto it = values.find(node.input(i));
    if (it == values.end())
      return fail("input '" + node.input(i) + "' is not defined");
    return it->second;
  }
  bool hasInput(const onnx::NodeProto &node, int i) {
    return i < node.input_size() && !node.input(i).empty();
  }
  const onnx::TensorProto *initializer(const std::string &name) {
    auto it = initializers.find(name);
    return it == initializers.end() ? nullptr : it->second;
  }
  FailureOr<std::vector<float>> floatData(const onnx::TensorProto &t);
  FailureOr<std::vector<int64_t>> intData(const onnx::TensorProto &t);
  /// Input `i` as a constant tensor, or null with the error set.
  const onnx::TensorProto *requireConstant(const onnx::NodeProto &node, int i,
                                           const char *what);
  /// Constant float data of input `i` (an initializer or a Constant node).
  FailureOr<std::vector<float>> constFloats(const onnx::NodeProto &node, int i,
                                            const char *what);
  FailureOr<std::vector<int64_t>> constInts(const onnx::NodeProto &node, int i,
                                            const char *what);
  const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                   StringRef name) {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  int64_t intAttr(const onnx::NodeProto &node, StringRef name, int64_t def) {
    const auto *a = attr(node, name);
    return a ? a->i() : def;
  }
  float floatAttr(const onnx::NodeProto &node, StringRef name, float def) {
    const auto *a = attr(node, name);
    return a ? a->f() : def;
  }
  std::string stringAttr(const onnx::NodeProto &node, StringRef name,
                         StringRef def) {
    const auto *a = attr(node, name);
    return a ? a->s() : def.str();
  }
  SmallVector<int64_t> intsAttr(const onnx::NodeProto &node, StringRef name,
                                ArrayRef<int64_t> def) {
    const auto *a = attr(node, name);
    if (!a)
      return SmallVector<int64_t>(def);
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  }
  /// Shape ONNX's shape inference gave output `i` of `node`.
  FailureOr<SmallVector<int64_t>> outputShape(const onnx::NodeProto &node,
                                              int i);

  // --- operators
  // --------------------------------------------------------------
  static bool isSupportedOperator(const onnx::NodeProto &node);
  LogicalResult convertNode(const onnx::NodeProto &node);
  LogicalResult convertConv(const onnx::NodeProto &node);
  /// Operands of one convolution: float (f32 throughout) or integer (i8
  /// operands with i8 zero points, i32 bias, accumulator and result).
  struct ConvOperands {
    Tensor x;
    Value weights; // OIHW
    Value bias;    // [O]
    Value inputZp, weightZp;
    Type accType;
  };
  /// Emits the convolution `node` describes; the result is NHWC.
  FailureOr<Value> emitConv(const onnx::NodeProto &node,
                            const ConvOperands &ops);
  LogicalResult convertPool(const onnx::NodeProto &node, bool isMax,
                            bool global);
  LogicalResult convertBatchNorm(const onnx::NodeProto &node);
  LogicalResult convertBinary(const onnx::NodeProto &node);
  LogicalResult convertGemm(const onnx::NodeProto &node);
  LogicalResult convertMatMul(const onnx::NodeProto &node);
  LogicalResult convertConcat(const onnx::NodeProto &node);
  LogicalResult convertReshape(const onnx::NodeProto &node, bool flatten);
  LogicalResult convertTranspose(const onnx::NodeProto &node);
  LogicalResult convertPad(const onnx::NodeProto &node);
  LogicalResult convertSoftmax(const onnx::NodeProto &node);
  LogicalResult convertClamp(const onnx::NodeProto &node, float lo, float hi);
  LogicalResult convertConstant(const onnx::NodeProto &node);
  LogicalResult convertQuantizeLinear(const onnx::NodeProto &node);
  LogicalResult convertIntegerConv(const onnx::NodeProto &node, bool qlinear);
  LogicalResult convertIntegerMatMul(const onnx::NodeProto &node, bool qlinear);
  LogicalResult convertCast(const onnx::NodeProto &node);
  /// An 8-bit operand of an integer operator as signed i8 storage. Unsigned
  /// data moves to signed by flipping the top bit (u - 128), and its zero
  /// point moves alike, so (x - zp) is unchanged.
  struct IntOperand {
    Tensor value;
    int64_t zeroPoint = 0;
  };
  FailureOr<IntOperand> intOperand(const onnx::NodeProto &node, int valueIdx,
                                   int zpIdx, int scaleIdx);
  /// Zero points of input `idx` (an initializer or Constant) and their
  /// ONNX element type; `count` zeros of `defaultType` when absent.
  FailureOr<std::pair<std::vector<int64_t>, int>>
  zeroPoints(const onnx::NodeProto &node, int idx, size_t count,
             int defaultType);
  /// requantize an i32 accumulator at scale s_in[c] to the output described
  /// by inputs (scaleIdx, zpIdx), per channel along `channelAxis`.
  FailureOr<Value> requantizeAccumulator(const onnx::NodeProto &node, Value acc,
                                         ArrayRef<double> accScales,
                                         int64_t channelAxis, int scaleIdx,
                                         int zpIdx);
  LogicalResult convertDequantizeLinear(const onnx::NodeProto &node);
  /// The !quant.uniform type a Q/DQ node's scale and zero point describe
  /// for a tensor of logical shape `shape` (per tensor, or per axis along
  /// the stored axis of `layoutOf`).
  FailureOr<Type> quantTypeOf(const onnx::NodeProto &node,
                              ArrayRef<int64_t> shape, const Tensor &layoutOf);

  /// Spatial padding [top, bottom, left, right] adjusted so TOSA's exact
  /// output-size rule holds (ONNX floors the window count): trailing rows
  /// and columns no window reads are dropped, first from the end padding,
  /// then by cropping the input (`crop` = {rows, columns}).
  struct Windows {
    std::array<int64_t, 4> pads;
    std::array<int64_t, 2> crop;
  };
  FailureOr<Windows>
  spatialPads(const onnx::NodeProto &node, ArrayRef<int64_t> inHW,
              ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
              ArrayRef<int64_t> dilations, ArrayRef<int64_t> outHW);
  /// Drops `crop` trailing rows/columns of an NHWC value.
  Value cropNHWC(Value v, std::array<int64_t, 2> crop) {
    if (crop[0] == 0 && crop[1] == 0)
      return v;
    ArrayRef<int64_t> s = shapeOf(v);
    SmallVector<int64_t> size{s[0], s[1] - crop[0], s[2] - crop[1], s[3]};
    return tosa::SliceOp::create(builder, loc, like(v, size), v,
                                 shapeValue({0, 0, 0, 0}), shapeValue(size));
  }

  void define(const onnx::NodeProto &node, int i, Tensor t) {
    values[node.output(i)] = t;
  }

  MLIRContext *ctx;
  OpBuilder builder;
  Location loc = UnknownLoc::get(ctx);
  std::string fileName;
  ONNXImportOptions options;
  int64_t opset = 0;
  std::string pendingError;
  llvm::StringMap<Tensor> values;
  llvm::StringMap<const onnx::TensorProto *> initializers;
  llvm::StringMap<SmallVector<int64_t>> shapes;
  llvm::StringMap<const onnx::TensorProto *> constantNodes;
  /// Tensors the importer computes itself (ConstantOfShape, casts of
  /// constants); stable addresses for constantNodes.
  std::deque<onnx::TensorProto> synthesized;
  /// An initializer or a Constant / constant-folded node output.
  const onnx::TensorProto *constantTensor(const std::string &name) {
    if (const onnx::TensorProto *t = initializer(name))
      return t;
    auto it = constantNodes.find(name);
    return it == constantNodes.end() ? nullptr : it->second;
  }
  LogicalResult convertConstantOfShape(const onnx::NodeProto &node);
};

} // namespace

//===----------------------------------------------------------------------===//
// Data access
//===----------------------------------------------------------------------===//

FailureOr<std::vector<float>> Importer::floatData(const onnx::TensorProto &t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("tensor '" + t.name() +
                "' uses external data, which qopt does not read");
  if (t.data_type() != onnx::TensorProto::FLOAT)
    return fail("tensor '" + t.name() + "' is not float32");
  int64_t count = 1;
  for (int64_t d : t.dims())
    count *= d;
  std::vector<float> data;
  if (t.has_raw_data()) {
    if (static_cast<int64_t>(t.raw_data().size()) != count * 4)
      return fail("tensor '" + t.name() + "' has " +
                  std::to_string(t.raw_data().size()) + " bytes of data for " +
                  std::to_string(count) + " floats");
    data.resize(count);
    std::memcpy(data.data(), t.raw_data().data(), count * 4);
  } else {
    if (t.float_data_size() != count)
      return fail("tensor '" + t.name() + "' has " +
                  std::to_string(t.float_data_size()) + " values for " +
                  std::to_string(count) + " elements");
    data.assign(t.float_data().begin(), t.float_data().end());
  }
  return data;
}

FailureOr<std::vector<int64_t>> Importer::intData(const onnx::TensorProto &t) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return fail("tensor '" + t.name() + "' uses external data");
  int64_t count = 1;
  for (int64_t d : t.dims())
    count *= d;
  std::vector<int64_t> data;
  if (t.data_type() == onnx::TensorProto::INT64) {
    if (t.has_raw_data()) {
      if (static_cast<int64_t>(t.raw_data().size()) != count * 8)
        return fail("tensor '" + t.name() + "' has the wrong data size");
      data.resize(count);
      std::memcpy(data.data(), t.raw_data().data(), count * 8);
    } else {
      data.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    if (t.has_raw_data()) {
      std::vector<int32_t> tmp(count);
      if (static_cast<int64_t>(t.raw_data().size()) != count * 4)
        return fail("tensor '" + t.name() + "' has the wrong data size");
      std::memcpy(tmp.data(), t.raw_data().data(), count * 4);
      data.assign(tmp.begin(), tmp.end());
    } else {
      data.assign(t.int32_data().begin(), t.int32_data().end());
    }
  } else {
    return fail("tensor '" + t.name() + "' is not an integer tensor");
  }
  if (static_cast<int64_t>(data.size()) != count)
    return fail("tensor '" + t.name() + "' has " + std::to_string(data.size()) +
                " values for " + std::to_string(count) + " elements");
  return data;
}

const onnx::TensorProto *Importer::requireConstant(const onnx::NodeProto &node,
                                                   int i, const char *what) {
  if (!hasInput(node, i)) {
    (void)fail(std::string("missing ") + what);
    return nullptr;
  }
  const onnx::TensorProto *t = constantTensor(node.input(i));
  if (!t)
    (void)fail(std::string(what) + " '" + node.input(i) +
               "' must be an initializer or Constant");
  return t;
}

FailureOr<std::vector<float>> Importer::constFloats(const onnx::NodeProto &node,
                                                    int i, const char *what) {
  const onnx::TensorProto *t = requireConstant(node, i, what);
  if (!t)
    return failure();
  return floatData(*t);
}

FailureOr<std::vector<int64_t>> Importer::constInts(const onnx::NodeProto &node,
                                                    int i, const char *what) {
  const onnx::TensorProto *t = requireConstant(node, i, what);
  if (!t)
    return failure();
  return intData(*t);
}

FailureOr<SmallVector<int64_t>>
Importer::outputShape(const onnx::NodeProto &node, int i) {
  auto it = shapes.find(node.output(i));
  if (it == shapes.end())
    return fail("ONNX shape inference gave no static shape for output '" +
                node.output(i) + "'");
  return it->second;
}

//===----------------------------------------------------------------------===//
// Operators
//===----------------------------------------------------------------------===//

FailureOr<Importer::Windows>
Importer::spatialPads(const onnx::NodeProto &node, ArrayRef<int64_t> inHW,
                      ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                      ArrayRef<int64_t> dilations, ArrayRef<int64_t> outHW) {
  std::string autoPad = stringAttr(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> pads = intsAttr(node, "pads", {0, 0, 0, 0});
  if (pads.size() != 4)
    return fail("expected 4 pads for a 2-D operator, got " +
                std::to_string(pads.size()));
  std::array<int64_t, 2> begin{pads[0], pads[1]}, end{pads[2], pads[3]};
  std::array<int64_t, 2> crop{0, 0};
  for (int d = 0; d < 2; ++d) {
    int64_t effective = (kernel[d] - 1) * dilations[d] + 1;
    if (autoPad == "VALID") {
      begin[d] = end[d] = 0;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (inHW[d] + strides[d] - 1) / strides[d];
      int64_t total =
          std::max<int64_t>(0, (out - 1) * strides[d] + effective - inHW[d]);
      int64_t small = total / 2, large = total - small;
      begin[d] = autoPad == "SAME_UPPER" ? small : large;
      end[d] = total - begin[d];
    } else if (autoPad != "NOTSET") {
      return fail("unknown auto_pad '" + autoPad + "'");
    }
    // TOSA requires (in - 1 + pads - (k - 1) * d) to divide by the stride;
    // ONNX floors. Trailing rows that no output reads are dropped by
    // shrinking the end padding.
    int64_t span =
        inHW[d] - 1 + begin[d] + end[d] - (kernel[d] - 1) * dilations[d];
    int64_t rem = span % strides[d];
    int64_t fromPad = std::min(rem, end[d]);
    end[d] -= fromPad;
    crop[d] = rem - fromPad;
    if ((span - rem) / strides[d] + 1 != outHW[d])
      return fail("output size " + std::to_string(outHW[d]) +
                  " does not match the window arithmetic");
  }
  return Windows{{begin[0], end[0], begin[1], end[1]}, crop};
}

LogicalResult Importer::convertConv(const onnx::NodeProto &node) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  // Weights and bias are values: float initializers, or the output of a
  // DequantizeLinear in QDQ models.
  FailureOr<Tensor> wT = input(node, 1);
  if (failed(wT))
    return failure();
  ConvOperands ops;
  ops.x = *x;
  ops.weights = plain(*wT);
  if (shapeOf(ops.weights).size() != 4)
    return fail("weights must be 4-D (OIHW)");
  int64_t cout = shapeOf(ops.weights)[0];
  if (hasInput(node, 2)) {
    FailureOr<Tensor> bT = input(node, 2);
    if (failed(bT))
      return failure();
    ops.bias = plain(*bT);
  } else {
    ops.bias = constF32(std::vector<float>(cout, 0.0f), {cout});
  }
  ops.inputZp = ops.weightZp = zeroPoint();
  ops.accType = builder.getF32Type();
  FailureOr<Value> result = emitConv(node, ops);
  if (failed(result))
    return failure();
  define(node, 0, {*result, true});
  return success();
}

FailureOr<Value> Importer::emitConv(const onnx::NodeProto &node,
                                    const ConvOperands &ops) {
  SmallVector<int64_t> xShape = logicalShape(ops.x);
  if (xShape.size() != 4)
    return fail("only 2-D convolutions (4-D inputs) are supported, input has "
                "rank " +
                std::to_string(xShape.size()));
  Value weights = ops.weights;
  SmallVector<int64_t> wShape(shapeOf(weights));
  int64_t group = intAttr(node, "group", 1);
  int64_t cin = xShape[1], cout = wShape[0];
  if (group < 1 || cin % group || cout % group || wShape[1] * group != cin)
    return fail("group " + std::to_string(group) +
                " does not match input channels " + std::to_string(cin) +
                " and weight shape");
  if (shapeOf(ops.bias) != ArrayRef<int64_t>{cout})
    return fail("bias must have " + std::to_string(cout) + " values");
  SmallVector<int64_t> kernel{wShape[2], wShape[3]};
  SmallVector<int64_t> strides = intsAttr(node, "strides", {1, 1});
  SmallVector<int64_t> dilations = intsAttr(node, "dilations", {1, 1});
  FailureOr<SmallVector<int64_t>> outShape = outputShape(node, 0);
  if (failed(outShape))
    return failure();
  auto windows = spatialPads(node, {xShape[2], xShape[3]}, kernel, strides,
                             dilations, {(*outShape)[2], (*outShape)[3]});
  if (failed(windows))
    return failure();
  Value in = cropNHWC(asNHWC(ops.x), windows->crop);
  SmallVector<int64_t> outNHWC{(*outShape)[0], (*outShape)[2], (*outShape)[3],
                               cout};
  auto padAttr = builder.getDenseI64ArrayAttr(windows->pads);
  auto strideAttr = builder.getDenseI64ArrayAttr(strides);
  auto dilationAttr = builder.getDenseI64ArrayAttr(dilations);
  auto acc = TypeAttr::get(ops.accType);
  auto resultType = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, ops.accType);
  };

  if (group == 1)
    return Value(tosa::Conv2DOp::create(builder, loc, resultType(outNHWC), in,
                                        transpose(weights, kToNHWC), ops.bias,
                                        ops.inputZp, ops.weightZp, padAttr,
                                        strideAttr, dilationAttr, acc));
  if (group == cin) {
    // Depthwise: OIHW [C*M, 1, KH, KW] -> [KH, KW, C, M].
    int64_t mult = cout / cin;
    Value dw = transpose(reshape(weights, {cin, mult, kernel[0], kernel[1]}),
                         {2, 3, 0, 1});
    return Value(tosa::DepthwiseConv2DOp::create(
        builder, loc, resultType(outNHWC), in, dw, ops.bias, ops.inputZp,
        ops.weightZp, padAttr, strideAttr, dilationAttr, acc));
  }
  // Grouped: one convolution per group on channel slices, concatenated.
  int64_t gin = cin / group, gout = cout / group;
  SmallVector<Value> parts;
  ArrayRef<int64_t> inShape = shapeOf(in);
  for (int64_t g = 0; g < group; ++g) {
    SmallVector<int64_t> sliceShape{inShape[0], inShape[1], inShape[2], gin};
    Value part = slice(in, {0, 0, 0, g * gin}, sliceShape);
    Value gw =
        slice(weights, {g * gout, 0, 0, 0}, {gout, gin, kernel[0], kernel[1]});
    Value gb = slice(ops.bias, {g * gout}, {gout});
    parts.push_back(tosa::Conv2DOp::create(
        builder, loc, resultType({outNHWC[0], outNHWC[1], outNHWC[2], gout}),
        part, transpose(gw, kToNHWC), gb, ops.inputZp, ops.weightZp, padAttr,
        strideAttr, dilationAttr, acc));
  }
  return Value(tosa::ConcatOp::create(builder, loc, resultType(outNHWC), parts,
                                      builder.getI32IntegerAttr(3)));
}

LogicalResult Importer::convertPool(const onnx::NodeProto &node, bool isMax,
                                    bool global) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> xShape = logicalShape(*x);
  if (xShape.size() != 4)
    return fail("only 2-D pooling (4-D inputs) is supported");
  FailureOr<SmallVector<int64_t>> outShape = outputShape(node, 0);
  if (failed(outShape))
    return failure();
  SmallVector<int64_t> kernel, strides{1, 1};
  std::array<int64_t, 4> pads{0, 0, 0, 0};
  Value in = asNHWC(*x);
  if (global) {
    kernel = {xShape[2], xShape[3]};
  } else {
    kernel = intsAttr(node, "kernel_shape", {});
    if (kernel.size() != 2)
      return fail("kernel_shape must have 2 entries");
    strides = intsAttr(node, "strides", {1, 1});
    SmallVector<int64_t> dilations = intsAttr(node, "dilations", {1, 1});
    if (dilations != SmallVector<int64_t>{1, 1})
      return fail("dilated pooling is not supported");
    if (intAttr(node, "ceil_mode", 0) != 0) {
      // ceil_mode only matters when the last window is partial.
      for (int d = 0; d < 2; ++d) {
        SmallVector<int64_t> p = intsAttr(node, "pads", {0, 0, 0, 0});
        if ((xShape[2 + d] + p[d] + p[d + 2] - kernel[d]) % strides[d] != 0)
          return fail("ceil_mode=1 with a partial last window is not "
                      "supported");
      }
    }
    auto windows = spatialPads(node, {xShape[2], xShape[3]}, kernel, strides,
                               {1, 1}, {(*outShape)[2], (*outShape)[3]});
    if (failed(windows))
      return failure();
    pads = windows->pads;
    in = cropNHWC(in, windows->crop);
    if (!isMax && intAttr(node, "count_include_pad", 0) != 0 &&
        llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      // Padding counts in the divisor: pad explicitly with zeros.
      ArrayRef<int64_t> s = shapeOf(in);
      SmallVector<int64_t> padded{s[0], s[1] + pads[0] + pads[1],
                                  s[2] + pads[2] + pads[3], s[3]};
      in = tosa::PadOp::create(
          builder, loc, f32(padded), in,
          shapeValue({0, 0, pads[0], pads[1], pads[2], pads[3], 0, 0}),
          scalarF32(0.0f));
      pads = {0, 0, 0, 0};
    }
  }
  SmallVector<int64_t> outNHWC{(*outShape)[0], (*outShape)[2], (*outShape)[3],
                               (*outShape)[1]};
  Value result;
  if (isMax)
    result = tosa::MaxPool2dOp::create(builder, loc, f32(outNHWC), in,
                                       builder.getDenseI64ArrayAttr(kernel),
                                       builder.getDenseI64ArrayAttr(strides),
                                       builder.getDenseI64ArrayAttr(pads));
  else
    result = tosa::AvgPool2dOp::create(builder, loc, f32(outNHWC), in,
                                       zeroPoint(), zeroPoint(),
                                       builder.getDenseI64ArrayAttr(kernel),
                                       builder.getDenseI64ArrayAttr(strides),
                                       builder.getDenseI64ArrayAttr(pads),
                                       TypeAttr::get(builder.getF32Type()));
  define(node, 0, {result, true});
  return success();
}

LogicalResult Importer::convertBatchNorm(const onnx::NodeProto &node) {
  if (intAttr(node, "training_mode", 0) != 0)
    return fail("training_mode=1 is not supported (inference only)");
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  auto scale = constFloats(node, 1, "scale");
  auto bias = constFloats(node, 2, "B");
  auto mean = constFloats(node, 3, "mean");
  auto var = constFloats(node, 4, "var");
  if (failed(scale) || failed(bias) || failed(mean) || failed(var))
    return failure();
  SmallVector<int64_t> shape = logicalShape(*x);
  if (shape.size() < 2)
    return fail("input must have a channel dimension");
  size_t channels = shape[1];
  for (auto *v : {&*scale, &*bias, &*mean, &*var})
    if (v->size() != channels)
      return fail("parameters must have one value per channel (" +
                  std::to_string(channels) + ")");
  float epsilon = floatAttr(node, "epsilon", 1e-5f);
  // y = x * a + b with a = scale / sqrt(var + eps), b = B - mean * a: the
  // per-channel multiply/add the BN-folding pass recognizes.
  std::vector<float> a(channels), b(channels);
  for (size_t c = 0; c < channels; ++c) {
    a[c] = (*scale)[c] / std::sqrt((*var)[c] + epsilon);
    b[c] = (*bias)[c] - (*mean)[c] * a[c];
  }
  SmallVector<int64_t> paramShape(shape.size(), 1);
  Value in = x->value;
  if (x->nhwc)
    paramShape.back() = channels;
  else
    paramShape[1] = channels;
  Value mul = tosa::MulOp::create(builder, loc, in.getType(), in,
                                  constF32(a, paramShape), mulShift());
  Value add = tosa::AddOp::create(builder, loc, in.getType(), mul,
                                  constF32(b, paramShape));
  define(node, 0, {add, x->nhwc});
  return success();
}

LogicalResult Importer::convertBinary(const onnx::NodeProto &node) {
  FailureOr<Tensor> a = input(node, 0), b = input(node, 1);
  if (failed(a) || failed(b))
    return failure();
  FailureOr<SmallVector<int64_t>> outShape = outputShape(node, 0);
  if (failed(outShape))
    return failure();
  size_t rank = outShape->size();
  // Bring both operands to the output rank (leading 1s, ONNX broadcasting)
  // and to a common layout: NHWC if either is stored NHWC.
  auto expand = [&](const Tensor &t) -> Tensor {
    if (t.nhwc)
      return t;
    SmallVector<int64_t> s(shapeOf(t.value));
    SmallVector<int64_t> padded(rank - s.size(), 1);
    padded.append(s.begin(), s.end());
    return {reshape(t.value, padded), false};
  };
  Tensor ea = expand(*a), eb = expand(*b);
  bool nhwc = (ea.nhwc || eb.nhwc) && rank == 4;
  Value va = nhwc ? asNHWC(ea) : plain(ea);
  Value vb = nhwc ? asNHWC(eb) : plain(eb);
  SmallVector<int64_t> out(*outShape);
  if (nhwc)
    out = {out[0], out[2], out[3], out[1]};
  Value result;
  const std::string &op = node.op_type();
  if (op == "Add")
    result = tosa::AddOp::create(builder, loc, f32(out), va, vb);
  else if (op == "Sub")
    result = tosa::SubOp::create(builder, loc, f32(out), va, vb);
  else
    result = tosa::MulOp::create(builder, loc, f32(out), va, vb, mulShift());
  define(node, 0, {result, nhwc});
  return success();
}

LogicalResult Importer::convertGemm(const onnx::NodeProto &node) {
  FailureOr<Tensor> aT = input(node, 0);
  if (failed(aT))
    return failure();
  Value a = plain(*aT);
  if (shapeOf(a).size() != 2)
    return fail("Gemm input A must be 2-D");
  if (intAttr(node, "transA", 0))
    a = transpose(a, {1, 0});
  FailureOr<Tensor> bT = input(node, 1);
  if (failed(bT))
    return failure();
  Value b = plain(*bT);
  if (shapeOf(b).size() != 2)
    return fail("Gemm input B must be 2-D");
  if (intAttr(node, "transB", 0))
    b = transpose(b, {1, 0});
  int64_t m = shapeOf(a)[0], k = shapeOf(a)[1], n = shapeOf(b)[1];
  if (shapeOf(b)[0] != k)
    return fail("Gemm inner dimensions differ (" + std::to_string(k) + " vs " +
                std::to_string(shapeOf(b)[0]) + ")");
  Value product = tosa::MatMulOp::create(
      builder, loc, f32({1, m, n}), reshape(a, {1, m, k}),
      reshape(b, {1, k, n}), zeroPoint(), zeroPoint());
  Value y = reshape(product, {m, n});
  float alpha = floatAttr(node, "alpha", 1.0f),
        beta = floatAttr(node, "beta", 1.0f);
  if (alpha != 1.0f)
    y = tosa::MulOp::create(builder, loc, f32({m, n}), y,
                            constF32({alpha}, {1, 1}), mulShift());
  if (hasInput(node, 2) && beta != 0.0f) {
    FailureOr<Tensor> cT = input(node, 2);
    if (failed(cT))
      return failure();
    Value c = plain(*cT);
    SmallVector<int64_t> cs(shapeOf(c));
    SmallVector<int64_t> c2(2 - std::min<size_t>(cs.size(), 2), 1);
    c2.append(cs.begin(), cs.end());
    c = reshape(c, c2);
    if (beta != 1.0f)
      c = tosa::MulOp::create(builder, loc, f32(c2), c,
                              constF32({beta}, {1, 1}), mulShift());
    y = tosa::AddOp::create(builder, loc, f32({m, n}), y, c);
  }
  define(node, 0, {y, false});
  return success();
}

LogicalResult Importer::convertMatMul(const onnx::NodeProto &node) {
  FailureOr<Tensor> aT = input(node, 0), bT = input(node, 1);
  if (failed(aT) || failed(bT))
    return failure();
  Value a = plain(*aT), b = plain(*bT);
  ArrayRef<int64_t> as = shapeOf(a), bs = shapeOf(b);
  FailureOr<SmallVector<int64_t>> outShape = outputShape(node, 0);
  if (failed(outShape))
    return failure();
  if (as.size() == 2 && bs.size() == 2) {
    Value p = tosa::MatMulOp::create(
        builder, loc, f32({1, as[0], bs[1]}), reshape(a, {1, as[0], as[1]}),
        reshape(b, {1, bs[0], bs[1]}), zeroPoint(), zeroPoint());
    define(node, 0, {reshape(p, {as[0], bs[1]}), false});
    return success();
  }
  if (as.size() == 3 && bs.size() == 3 && as[0] == bs[0]) {
    define(node, 0,
           {tosa::MatMulOp::create(builder, loc, f32(*outShape), a, b,
                                   zeroPoint(), zeroPoint()),
            false});
    return success();
  }
  return fail("MatMul supports 2-D x 2-D and 3-D x 3-D with equal batch");
}

LogicalResult Importer::convertConcat(const onnx::NodeProto &node) {
  SmallVector<Tensor> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    FailureOr<Tensor> t = input(node, i);
    if (failed(t))
      return failure();
    inputs.push_back(*t);
  }
  FailureOr<SmallVector<int64_t>> outShape = outputShape(node, 0);
  if (failed(outShape))
    return failure();
  int64_t rank = outShape->size();
  int64_t axis = intAttr(node, "axis", 0);
  if (axis < 0)
    axis += rank;
  bool nhwc =
      rank == 4 && llvm::all_of(inputs, [](const Tensor &t) { return t.nhwc; });
  SmallVector<Value> parts;
  for (const Tensor &t : inputs)
    parts.push_back(nhwc ? t.value : plain(t));
  SmallVector<int64_t> out(*outShape);
  int64_t storedAx = axis;
  if (nhwc) {
    out = {out[0], out[2], out[3], out[1]};
    storedAx = storedAxis(inputs.front(), axis);
  }
  define(node, 0,
         {tosa::ConcatOp::create(builder, loc, f32(out), parts,
                                 builder.getI32IntegerAttr(storedAx)),
          nhwc});
  return success();
}

LogicalResult Importer::convertReshape(const onnx::NodeProto &node,
                                       bool flatten) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  FailureOr<SmallVector<int64_t>> outShape = outputShape(node, 0);
  if (failed(outShape))
    return failure();
  if (!flatten) {
    // The target shape must be known at import time.
    FailureOr<std::vector<int64_t>> target = constInts(node, 1, "shape");
    if (failed(target))
      return failure();
  }
  // ONNX reshapes in its own (NCHW) element order.
  define(node, 0, {reshape(plain(*x), *outShape), false});
  return success();
}

LogicalResult Importer::convertTranspose(const onnx::NodeProto &node) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  Value v = plain(*x);
  int64_t rank = shapeOf(v).size();
  SmallVector<int64_t> reversed(rank);
  for (int64_t i = 0; i < rank; ++i)
    reversed[i] = rank - 1 - i;
  SmallVector<int64_t> perm = intsAttr(node, "perm", reversed);
  if (static_cast<int64_t>(perm.size()) != rank)
    return fail("perm has " + std::to_string(perm.size()) +
                " entries for rank " + std::to_string(rank));
  define(node, 0, {transpose(v, perm), false});
  return success();
}

LogicalResult Importer::convertPad(const onnx::NodeProto &node) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  std::string mode = stringAttr(node, "mode", "constant");
  if (mode != "constant")
    return fail("pad mode '" + mode + "' is not supported (only constant)");
  FailureOr<std::vector<int64_t>> pads = constInts(node, 1, "pads");
  if (failed(pads))
    return failure();
  float value = 0.0f;
  if (hasInput(node, 2)) {
    FailureOr<std::vector<float>> v = constFloats(node, 2, "constant_value");
    if (failed(v))
      return failure();
    if (!v->empty())
      value = v->front();
  }
  if (hasInput(node, 3))
    return fail("the axes input of Pad is not supported");
  int64_t rank = shapeOf(x->value).size();
  if (static_cast<int64_t>(pads->size()) != 2 * rank)
    return fail("pads has " + std::to_string(pads->size()) +
                " entries for rank " + std::to_string(rank));
  SmallVector<int64_t> padding(2 * rank);
  SmallVector<int64_t> out(shapeOf(x->value));
  for (int64_t d = 0; d < rank; ++d) {
    int64_t s = storedAxis(*x, d);
    padding[2 * s] = (*pads)[d];
    padding[2 * s + 1] = (*pads)[d + rank];
    out[s] += (*pads)[d] + (*pads)[d + rank];
  }
  if (llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return fail("negative pads (cropping) are not supported");
  define(node, 0,
         {tosa::PadOp::create(builder, loc, f32(out), x->value,
                              shapeValue(padding), scalarF32(value)),
          x->nhwc});
  return success();
}

LogicalResult Importer::convertSoftmax(const onnx::NodeProto &node) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  int64_t rank = shapeOf(x->value).size();
  int64_t axis = intAttr(node, "axis", opset >= 13 ? -1 : 1);
  if (axis < 0)
    axis += rank;
  Value v = x->value;
  bool nhwc = x->nhwc;
  SmallVector<int64_t> original(shapeOf(v));
  int64_t reduceAxis;
  if (opset < 13 && axis != rank - 1) {
    // Before opset 13, Softmax normalizes the flattened [d0..axis-1] x
    // [axis..] view.
    v = plain(*x);
    nhwc = false;
    original.assign(shapeOf(v).begin(), shapeOf(v).end());
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < axis ? outer : inner) *= original[d];
    v = reshape(v, {outer, inner});
    reduceAxis = 1;
  } else {
    reduceAxis = storedAxis(*x, axis);
  }
  ArrayRef<int64_t> s = shapeOf(v);
  SmallVector<int64_t> reduced(s);
  reduced[reduceAxis] = 1;
  auto axisAttr = builder.getI32IntegerAttr(reduceAxis);
  Value max =
      tosa::ReduceMaxOp::create(builder, loc, f32(reduced), v, axisAttr);
  Value shifted = tosa::SubOp::create(builder, loc, v.getType(), v, max);
  Value e = tosa::ExpOp::create(builder, loc, v.getType(), shifted);
  Value sum =
      tosa::ReduceSumOp::create(builder, loc, f32(reduced), e, axisAttr);
  Value inv = tosa::ReciprocalOp::create(builder, loc, f32(reduced), sum);
  Value y = tosa::MulOp::create(builder, loc, v.getType(), e, inv, mulShift());
  y = reshape(y, original);
  define(node, 0, {y, nhwc});
  return success();
}

LogicalResult Importer::convertClamp(const onnx::NodeProto &node, float lo,
                                     float hi) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  Value y = tosa::ClampOp::create(
      builder, loc, x->value.getType(), x->value, builder.getF32FloatAttr(lo),
      builder.getF32FloatAttr(hi),
      tosa::NanPropagationModeAttr::get(ctx,
                                        tosa::NanPropagationMode::PROPAGATE));
  define(node, 0, {y, x->nhwc});
  return success();
}

LogicalResult Importer::convertConstant(const onnx::NodeProto &node) {
  const auto *value = attr(node, "value");
  if (!value || !value->has_t())
    return fail("only Constant nodes with a tensor 'value' are supported");
  const onnx::TensorProto &t = value->t();
  constantNodes[node.output(0)] = &t;
  if (t.data_type() != onnx::TensorProto::FLOAT)
    return success(); // Integer constants are read where used (shapes, pads).
  FailureOr<std::vector<float>> data = floatData(t);
  if (failed(data))
    return failure();
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  define(node, 0, {constF32(*data, shape), false});
  return success();
}

bool Importer::isSupportedOperator(const onnx::NodeProto &node) {
  static const llvm::StringSet<> kSupported = {"Add",
                                               "AveragePool",
                                               "BatchNormalization",
                                               "Clip",
                                               "Concat",
                                               "Constant",
                                               "Conv",
                                               "Dropout",
                                               "Flatten",
                                               "Gemm",
                                               "GlobalAveragePool",
                                               "Identity",
                                               "LeakyRelu",
                                               "MatMul",
                                               "MaxPool",
                                               "Mul",
                                               "Pad",
                                               "Relu",
                                               "Reshape",
                                               "Sigmoid",
                                               "Softmax",
                                               "Sub",
                                               "Transpose",
                                               "QuantizeLinear",
                                               "DequantizeLinear",
                                               "QLinearConv",
                                               "QLinearMatMul",
                                               "ConvInteger",
                                               "MatMulInteger",
                                               "Cast",
                                               "ConstantOfShape"};
  return (node.domain().empty() || node.domain() == "ai.onnx") &&
         kSupported.contains(node.op_type());
}

FailureOr<Type> Importer::quantTypeOf(const onnx::NodeProto &node,
                                      ArrayRef<int64_t> shape,
                                      const Tensor &layoutOf) {
  FailureOr<std::vector<float>> scales = constFloats(node, 1, "scale");
  if (failed(scales))
    return failure();
  auto zpInfo = zeroPoints(node, 2, scales->size(), onnx::TensorProto::UINT8);
  if (failed(zpInfo))
    return failure();
  std::vector<int64_t> zps = zpInfo->first;
  int storageType = zpInfo->second;
  if (zps.size() != scales->size())
    return fail("scale and zero point have different sizes");
  for (float scale : *scales)
    if (!(scale > 0.0f) || !std::isfinite(scale))
      return fail("scale " + std::to_string(scale) +
                  " must be positive and finite");
  bool isSigned = storageType != onnx::TensorProto::UINT8;
  unsigned width = storageType == onnx::TensorProto::INT32 ? 32 : 8;
  int64_t qmin = isSigned ? -(int64_t(1) << (width - 1)) : 0;
  int64_t qmax =
      isSigned ? (int64_t(1) << (width - 1)) - 1 : (int64_t(1) << width) - 1;
  for (int64_t zp : zps)
    if (zp < qmin || zp > qmax)
      return fail("zero point " + std::to_string(zp) + " is out of range");
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  auto storage = builder.getIntegerType(width);
  if (scales->size() == 1)
    return Type(quant::UniformQuantizedType::get(
        flags, storage, builder.getF32Type(), scales->front(), zps.front(),
        qmin, qmax));
  int64_t rank = shape.size();
  int64_t axis = intAttr(node, "axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank ||
      shape[axis] != static_cast<int64_t>(scales->size()))
    return fail("per-axis scale has " + std::to_string(scales->size()) +
                " values, which does not match axis " + std::to_string(axis));
  SmallVector<double> s(scales->begin(), scales->end());
  return Type(quant::UniformQuantizedPerAxisType::get(
      flags, storage, builder.getF32Type(), s, zps,
      static_cast<int32_t>(storedAxis(layoutOf, axis)), qmin, qmax));
}

FailureOr<std::pair<std::vector<int64_t>, int>>
Importer::zeroPoints(const onnx::NodeProto &node, int idx, size_t count,
                     int defaultType) {
  if (!hasInput(node, idx))
    return std::make_pair(std::vector<int64_t>(count, 0), defaultType);
  const onnx::TensorProto *zp = requireConstant(node, idx, "zero point");
  if (!zp)
    return failure();
  int type = zp->data_type();
  int64_t n = 1;
  for (int64_t d : zp->dims())
    n *= d;
  std::vector<int64_t> values;
  if (type == onnx::TensorProto::INT8 || type == onnx::TensorProto::UINT8) {
    const std::string &raw = zp->raw_data();
    if (!raw.empty() && static_cast<int64_t>(raw.size()) != n)
      return fail("zero point has the wrong data size");
    if (raw.empty() && zp->int32_data_size() != n)
      return fail("zero point has the wrong number of values");
    for (int64_t i = 0; i < n; ++i)
      values.push_back(raw.empty() ? int64_t(zp->int32_data(i))
                       : type == onnx::TensorProto::INT8
                           ? int64_t(int8_t(raw[i]))
                           : int64_t(uint8_t(raw[i])));
  } else if (type == onnx::TensorProto::INT32) {
    FailureOr<std::vector<int64_t>> v = intData(*zp);
    if (failed(v))
      return failure();
    values = *v;
  } else {
    return fail("zero point type must be int8, uint8 or int32");
  }
  return std::make_pair(values, type);
}

FailureOr<Importer::IntOperand>
Importer::intOperand(const onnx::NodeProto &node, int valueIdx, int zpIdx,
                     int scaleIdx) {
  if (!hasInput(node, valueIdx))
    return fail("missing input " + std::to_string(valueIdx));
  IntOperand result;
  auto i8 = builder.getI8Type();
  bool isUnsigned;
  if (const onnx::TensorProto *t = constantTensor(node.input(valueIdx))) {
    if (t->data_type() != onnx::TensorProto::INT8 &&
        t->data_type() != onnx::TensorProto::UINT8)
      return fail("integer operand '" + t->name() + "' must be int8 or uint8");
    isUnsigned = t->data_type() == onnx::TensorProto::UINT8;
    SmallVector<int64_t> shape(t->dims().begin(), t->dims().end());
    auto type = RankedTensorType::get(shape, i8);
    const std::string &raw = t->raw_data();
    int64_t n = type.getNumElements();
    if (!raw.empty() ? static_cast<int64_t>(raw.size()) != n
                     : t->int32_data_size() != n)
      return fail("integer operand '" + t->name() + "' has the wrong size");
    SmallVector<int8_t> data;
    for (int64_t i = 0; i < n; ++i) {
      int v = raw.empty() ? t->int32_data(i) : uint8_t(raw[i]);
      data.push_back(static_cast<int8_t>(isUnsigned ? (v ^ 0x80) : v));
    }
    result.value = {
        tosa::ConstOp::create(builder, loc, type,
                              DenseElementsAttr::get(type, ArrayRef(data))),
        false};
  } else {
    FailureOr<Tensor> v = input(node, valueIdx);
    if (failed(v))
      return failure();
    auto type = cast<RankedTensorType>(v->value.getType());
    auto quant = dyn_cast<quant::UniformQuantizedType>(type.getElementType());
    if (!quant || quant.getStorageTypeIntegralWidth() != 8)
      return fail("integer operand '" + node.input(valueIdx) +
                  "' must be an 8-bit quantized tensor (QuantizeLinear "
                  "output) or initializer");
    isUnsigned = !quant.isSigned();
    // The operator's own scale and zero point must describe this tensor.
    if (scaleIdx >= 0) {
      FailureOr<std::vector<float>> sc = constFloats(node, scaleIdx, "scale");
      if (failed(sc))
        return failure();
      if (sc->size() != 1 ||
          static_cast<float>(quant.getScale()) != sc->front())
        return fail("scale of '" + node.input(valueIdx) +
                    "' differs from its QuantizeLinear");
    }
    Value stored =
        quant::StorageCastOp::create(builder, loc, type.clone(i8), v->value);
    if (isUnsigned) {
      SmallVector<int64_t> ones(type.getRank(), 1);
      auto flipType = RankedTensorType::get(ones, i8);
      Value flip = tosa::ConstOp::create(
          builder, loc, flipType,
          DenseElementsAttr::get(flipType, ArrayRef<int8_t>{int8_t(-128)}));
      stored = tosa::BitwiseXorOp::create(builder, loc, type.clone(i8), stored,
                                          flip);
    }
    result.value = {stored, v->nhwc};
  }
  auto zps = zeroPoints(node, zpIdx, 1,
                        isUnsigned ? onnx::TensorProto::UINT8
                                   : onnx::TensorProto::INT8);
  if (failed(zps))
    return failure();
  if (llvm::any_of(zps->first,
                   [&](int64_t z) { return z != zps->first.front(); }))
    return fail("per-channel zero points that differ are not supported");
  if ((zps->second == onnx::TensorProto::UINT8) != isUnsigned)
    return fail("zero point and operand differ in signedness");
  result.zeroPoint = zps->first.front() - (isUnsigned ? 128 : 0);
  return result;
}

FailureOr<Value> Importer::requantizeAccumulator(const onnx::NodeProto &node,
                                                 Value acc,
                                                 ArrayRef<double> accScales,
                                                 int64_t channelAxis,
                                                 int scaleIdx, int zpIdx) {
  auto accType = cast<RankedTensorType>(acc.getType());
  auto f32Type = builder.getF32Type();
  Type accQuant;
  if (accScales.size() == 1)
    accQuant = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, builder.getI32Type(), f32Type,
        accScales.front(), 0, INT32_MIN, INT32_MAX);
  else
    accQuant = quant::UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, builder.getI32Type(), f32Type,
        accScales, SmallVector<int64_t>(accScales.size(), 0),
        static_cast<int32_t>(channelAxis), INT32_MIN, INT32_MAX);
  FailureOr<std::vector<float>> yScale = constFloats(node, scaleIdx, "y_scale");
  if (failed(yScale))
    return failure();
  if (yScale->size() != 1 || !(yScale->front() > 0.0f))
    return fail("y_scale must be one positive value");
  auto yZp = zeroPoints(node, zpIdx, 1, onnx::TensorProto::UINT8);
  if (failed(yZp))
    return failure();
  bool isSigned = yZp->second == onnx::TensorProto::INT8;
  if (yZp->second == onnx::TensorProto::INT32)
    return fail("y_zero_point must be int8 or uint8");
  Type yQuant = quant::UniformQuantizedType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0, builder.getI8Type(),
      f32Type, yScale->front(), yZp->first.front(), isSigned ? -128 : 0,
      isSigned ? 127 : 255);
  Value quantAcc =
      quant::StorageCastOp::create(builder, loc, accType.clone(accQuant), acc);
  // ONNX's float requantization: float32 accumulator times the float32
  // factor (s_x * s_w) / s_y, rounded half to even, saturated.
  return Value(
      RequantizeOp::create(builder, loc, accType.clone(yQuant), quantAcc,
                           RoundingModeAttr::get(ctx, RoundingMode::fp32_rne)));
}

static std::vector<double> productScales(ArrayRef<float> a, ArrayRef<float> b) {
  std::vector<double> out;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i)
    out.push_back(static_cast<double>(a[a.size() == 1 ? 0 : i]) *
                  static_cast<double>(b[b.size() == 1 ? 0 : i]));
  return out;
}

LogicalResult Importer::convertIntegerConv(const onnx::NodeProto &node,
                                           bool qlinear) {
  // QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B].
  // ConvInteger: x, w, [x_zp], [w_zp].
  int wIdx = qlinear ? 3 : 1;
  auto x = intOperand(node, 0, qlinear ? 2 : 2, qlinear ? 1 : -1);
  if (failed(x))
    return failure();
  auto w = intOperand(node, wIdx, qlinear ? 5 : 3, -1);
  if (failed(w))
    return failure();
  int64_t cout = shapeOf(w->value.value)[0];
  auto i32 = builder.getI32Type();
  auto biasType = RankedTensorType::get({cout}, i32);
  ConvOperands ops;
  ops.x = x->value;
  ops.weights = w->value.value;
  if (qlinear && hasInput(node, 8)) {
    const onnx::TensorProto *b = initializer(node.input(8));
    if (!b)
      return fail("bias must be an int32 initializer");
    FailureOr<std::vector<int64_t>> data = intData(*b);
    if (failed(data))
      return failure();
    if (static_cast<int64_t>(data->size()) != cout)
      return fail("bias must have " + std::to_string(cout) + " values");
    SmallVector<int32_t> values(data->begin(), data->end());
    ops.bias = tosa::ConstOp::create(
        builder, loc, biasType,
        DenseElementsAttr::get(biasType, ArrayRef(values)));
  } else {
    ops.bias = tosa::ConstOp::create(
        builder, loc, biasType,
        DenseElementsAttr::get(biasType,
                               ArrayRef(SmallVector<int32_t>(cout, 0))));
  }
  auto zpType = RankedTensorType::get({1}, builder.getI8Type());
  auto zpConst = [&](int64_t v) {
    return tosa::ConstOp::create(
        builder, loc, zpType,
        DenseElementsAttr::get(zpType, ArrayRef<int8_t>{int8_t(v)}));
  };
  ops.inputZp = zpConst(x->zeroPoint);
  ops.weightZp = zpConst(w->zeroPoint);
  ops.accType = i32;
  FailureOr<Value> acc = emitConv(node, ops);
  if (failed(acc))
    return failure();
  if (!qlinear) {
    define(node, 0, {*acc, true});
    return success();
  }
  FailureOr<std::vector<float>> xs = constFloats(node, 1, "x_scale");
  FailureOr<std::vector<float>> ws = constFloats(node, 4, "w_scale");
  if (failed(xs) || failed(ws))
    return failure();
  FailureOr<Value> y = requantizeAccumulator(
      node, *acc, productScales(*xs, *ws), /*channelAxis=*/3, 6, 7);
  if (failed(y))
    return failure();
  define(node, 0, {*y, true});
  return success();
}

LogicalResult Importer::convertIntegerMatMul(const onnx::NodeProto &node,
                                             bool qlinear) {
  // QLinearMatMul: a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp.
  // MatMulInteger: a, b, [a_zp], [b_zp].
  auto a = intOperand(node, 0, 2, qlinear ? 1 : -1);
  if (failed(a))
    return failure();
  auto b = intOperand(node, qlinear ? 3 : 1, qlinear ? 5 : 3, -1);
  if (failed(b))
    return failure();
  Value av = plain(a->value), bv = plain(b->value);
  ArrayRef<int64_t> as = shapeOf(av), bs = shapeOf(bv);
  if (as.size() != 2 || bs.size() != 2 || as[1] != bs[0])
    return fail("integer MatMul supports 2-D x 2-D with matching inner "
                "dimensions");
  auto zpType = RankedTensorType::get({1}, builder.getI8Type());
  auto zpConst = [&](int64_t v) {
    return tosa::ConstOp::create(
        builder, loc, zpType,
        DenseElementsAttr::get(zpType, ArrayRef<int8_t>{int8_t(v)}));
  };
  Value acc = tosa::MatMulOp::create(
      builder, loc,
      RankedTensorType::get({1, as[0], bs[1]}, builder.getI32Type()),
      reshape(av, {1, as[0], as[1]}), reshape(bv, {1, bs[0], bs[1]}),
      zpConst(a->zeroPoint), zpConst(b->zeroPoint));
  acc = reshape(acc, {as[0], bs[1]});
  if (!qlinear) {
    define(node, 0, {acc, false});
    return success();
  }
  FailureOr<std::vector<float>> sa = constFloats(node, 1, "a_scale");
  FailureOr<std::vector<float>> sb = constFloats(node, 4, "b_scale");
  if (failed(sa) || failed(sb))
    return failure();
  FailureOr<Value> y = requantizeAccumulator(node, acc, productScales(*sa, *sb),
                                             /*channelAxis=*/1, 6, 7);
  if (failed(y))
    return failure();
  define(node, 0, {*y, false});
  return success();
}

LogicalResult Importer::convertCast(const onnx::NodeProto &node) {
  int64_t to = intAttr(node, "to", 0);
  if (!hasInput(node, 0))
    return fail("missing input 0");
  // Casts of integer constants (zero points built by exporters) fold.
  if (const onnx::TensorProto *c = constantTensor(node.input(0))) {
    if (c->data_type() != onnx::TensorProto::FLOAT &&
        to != onnx::TensorProto::FLOAT) {
      FailureOr<std::vector<int64_t>> values =
          c->data_type() == onnx::TensorProto::INT8 ||
                  c->data_type() == onnx::TensorProto::UINT8
              ? FailureOr<std::vector<int64_t>>(std::vector<int64_t>())
              : intData(*c);
      if (failed(values))
        return failure();
      if (values->empty() && c->dims_size() >= 0) {
        const std::string &raw = c->raw_data();
        for (size_t i = 0; i < raw.size(); ++i)
          values->push_back(c->data_type() == onnx::TensorProto::INT8
                                ? int64_t(int8_t(raw[i]))
                                : int64_t(uint8_t(raw[i])));
        for (int32_t v : c->int32_data())
          values->push_back(v);
      }
      onnx::TensorProto &t = synthesized.emplace_back();
      t.set_name(node.output(0));
      t.mutable_dims()->CopyFrom(c->dims());
      t.set_data_type(static_cast<int32_t>(to));
      for (int64_t v : *values) {
        if (to == onnx::TensorProto::INT64)
          t.add_int64_data(v);
        else
          t.add_int32_data(static_cast<int32_t>(v));
      }
      constantNodes[node.output(0)] = &t;
      return success();
    }
  }
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  // A cast of a quantized tensor to its own storage type is the identity
  // (PyTorch's exporter puts one after every QuantizeLinear).
  if (auto quantType = dyn_cast<quant::QuantizedType>(
          cast<RankedTensorType>(x->value.getType()).getElementType())) {
    bool storageMatches =
        quantType.getStorageTypeIntegralWidth() == 8 &&
        ((to == onnx::TensorProto::UINT8 && !quantType.isSigned()) ||
         (to == onnx::TensorProto::INT8 && quantType.isSigned()));
    if (!storageMatches)
      return fail("a cast of a quantized tensor must keep its storage type");
    define(node, 0, *x);
    return success();
  }
  if (to != onnx::TensorProto::FLOAT)
    return fail("only casts to float are supported");
  auto type = cast<RankedTensorType>(x->value.getType());
  if (!type.getElementType().isSignlessInteger())
    return fail("only integer-to-float casts are supported");
  define(node, 0,
         {tosa::CastOp::create(builder, loc, type.clone(builder.getF32Type()),
                               x->value),
          x->nhwc});
  return success();
}

LogicalResult Importer::convertConstantOfShape(const onnx::NodeProto &node) {
  FailureOr<std::vector<int64_t>> shape = constInts(node, 0, "shape");
  if (failed(shape))
    return failure();
  onnx::TensorProto &t = synthesized.emplace_back();
  t.set_name(node.output(0));
  int64_t count = 1;
  for (int64_t d : *shape) {
    t.add_dims(d);
    count *= d;
  }
  const auto *value = attr(node, "value");
  int type = value && value->has_t() ? value->t().data_type()
                                     : int(onnx::TensorProto::FLOAT);
  t.set_data_type(type);
  if (type == onnx::TensorProto::FLOAT) {
    float v = 0.0f;
    if (value && value->has_t()) {
      FailureOr<std::vector<float>> data = floatData(value->t());
      if (failed(data))
        return failure();
      if (data->size() != 1)
        return fail("value must hold one float");
      v = data->front();
    }
    for (int64_t i = 0; i < count; ++i)
      t.add_float_data(v);
    constantNodes[node.output(0)] = &t;
    define(node, 0,
           {constF32(std::vector<float>(count, v),
                     SmallVector<int64_t>(shape->begin(), shape->end())),
            false});
    return success();
  }
  FailureOr<std::vector<int64_t>> data = intData(value->t());
  if (failed(data))
    return failure();
  if (data->size() != 1)
    return fail("value must hold one integer");
  for (int64_t i = 0; i < count; ++i) {
    if (type == onnx::TensorProto::INT64)
      t.add_int64_data(data->front());
    else
      t.add_int32_data(static_cast<int32_t>(data->front()));
  }
  constantNodes[node.output(0)] = &t;
  return success();
}

LogicalResult Importer::convertQuantizeLinear(const onnx::NodeProto &node) {
  FailureOr<Tensor> x = input(node, 0);
  if (failed(x))
    return failure();
  FailureOr<Type> element = quantTypeOf(node, logicalShape(*x), *x);
  if (failed(element))
    return failure();
  auto type = cast<RankedTensorType>(x->value.getType()).clone(*element);
  // ONNX QuantizeLinear: saturate(round_half_even(x / y_scale) + zp), the
  // division in float32 -- qopt's fp32_rne.
  Value q =
      QuantizeOp::create(builder, loc, type, x->value,
                         RoundingModeAttr::get(ctx, RoundingMode::fp32_rne));
  define(node, 0, {q, x->nhwc});
  return success();
}

LogicalResult Importer::convertDequantizeLinear(const onnx::NodeProto &node) {
  if (!hasInput(node, 0))
    return fail("missing input 0");
  Tensor q;
  if (const onnx::TensorProto *stored = constantTensor(node.input(0))) {
    // Quantized weights or biases: the stored integers become a
    // qopt.constant.
    SmallVector<int64_t> shape(stored->dims().begin(), stored->dims().end());
    FailureOr<Type> element = quantTypeOf(node, shape, Tensor{});
    if (failed(element))
      return failure();
    auto quantType = cast<quant::QuantizedType>(*element);
    unsigned width = quantType.getStorageTypeIntegralWidth();
    auto storageType =
        RankedTensorType::get(shape, builder.getIntegerType(width));
    int64_t count = storageType.getNumElements();
    SmallVector<APInt> values;
    const std::string &raw = stored->raw_data();
    if (width == 8) {
      if (!raw.empty() && static_cast<int64_t>(raw.size()) != count)
        return fail("quantized initializer has the wrong data size");
      if (raw.empty() && stored->int32_data_size() != count)
        return fail("quantized initializer has the wrong number of values");
      for (int64_t i = 0; i < count; ++i)
        values.push_back(APInt(8, raw.empty() ? stored->int32_data(i) : raw[i],
                               /*isSigned=*/true, /*implicitTrunc=*/true));
    } else {
      FailureOr<std::vector<int64_t>> data = intData(*stored);
      if (failed(data))
        return failure();
      for (int64_t v : *data)
        values.push_back(APInt(32, v, /*isSigned=*/true));
    }
    q.value =
        ConstantOp::create(builder, loc, RankedTensorType::get(shape, *element),
                           DenseIntElementsAttr::get(storageType, values));
  } else {
    FailureOr<Tensor> x = input(node, 0);
    if (failed(x))
      return failure();
    q = *x;
    FailureOr<Type> element = quantTypeOf(node, logicalShape(q), q);
    if (failed(element))
      return failure();
    Type actual = cast<RankedTensorType>(q.value.getType()).getElementType();
    if (actual != *element)
      return fail("input is not the output of a QuantizeLinear with the same "
                  "scale and zero point");
  }
  auto floatType =
      cast<RankedTensorType>(q.value.getType()).clone(builder.getF32Type());
  define(node, 0,
         {DequantizeOp::create(builder, loc, floatType, q.value), q.nhwc});
  return success();
}

LogicalResult Importer::convertNode(const onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  if (op == "QuantizeLinear")
    return convertQuantizeLinear(node);
  if (op == "QLinearConv" || op == "ConvInteger")
    return convertIntegerConv(node, op == "QLinearConv");
  if (op == "QLinearMatMul" || op == "MatMulInteger")
    return convertIntegerMatMul(node, op == "QLinearMatMul");
  if (op == "Cast")
    return convertCast(node);
  if (op == "ConstantOfShape")
    return convertConstantOfShape(node);
  if (op == "DequantizeLinear")
    return convertDequantizeLinear(node);
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return fail("operator domain '" + node.domain() + "' is not supported");
  if (op == "Conv")
    return convertConv(node);
  if (op == "MaxPool")
    return convertPool(node, /*isMax=*/true, /*global=*/false);
  if (op == "AveragePool")
    return convertPool(node, /*isMax=*/false, /*global=*/false);
  if (op == "GlobalAveragePool")
    return convertPool(node, /*isMax=*/false, /*global=*/true);
  if (op == "BatchNormalization")
    return convertBatchNorm(node);
  if (op == "Add" || op == "Sub" || op == "Mul")
    return convertBinary(node);
  if (op == "Gemm")
    return convertGemm(node);
  if (op == "MatMul")
    return convertMatMul(node);
  if (op == "Concat")
    return convertConcat(node);
  if (op == "Reshape")
    return convertReshape(node, /*flatten=*/false);
  if (op == "Flatten")
    return convertReshape(node, /*flatten=*/true);
  if (op == "Transpose")
    return convertTranspose(node);
  if (op == "Pad")
    return convertPad(node);
  if (op == "Softmax")
    return convertSoftmax(node);
  if (op == "Relu")
    return convertClamp(node, 0.0f, std::numeric_limits<float>::max());
  if (op == "Clip") {
    float lo = -std::numeric_limits<float>::max();
    float hi = std::numeric_limits<float>::max();
    if (hasInput(node, 1)) {
      auto v = constFloats(node, 1, "min");
      if (failed(v))
        return failure();
      if (v->size() != 1)
        return fail("min must be a scalar");
      lo = v->front();
    }
    if (hasInput(node, 2)) {
      auto v = constFloats(node, 2, "max");
      if (failed(v))
        return failure();
      if (v->size() != 1)
        return fail("max must be a scalar");
      hi = v->front();
    }
    return convertClamp(node, lo, hi);
  }
  if (op == "LeakyRelu") {
    FailureOr<Tensor> x = input(node, 0);
    if (failed(x))
      return failure();
    float alpha = floatAttr(node, "alpha", 0.01f);
    int64_t rank = shapeOf(x->value).size();
    SmallVector<int64_t> ones(rank, 1);
    Type type = x->value.getType();
    auto boolType = cast<RankedTensorType>(type).clone(builder.getI1Type());
    Value positive = tosa::GreaterOp::create(builder, loc, boolType, x->value,
                                             constF32({0.0f}, ones));
    Value scaled = tosa::MulOp::create(builder, loc, type, x->value,
                                       constF32({alpha}, ones), mulShift());
    define(
        node, 0,
        {tosa::SelectOp::create(builder, loc, type, positive, x->value, scaled),
         x->nhwc});
    return success();
  }
  if (op == "Sigmoid") {
    FailureOr<Tensor> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0,
           {tosa::SigmoidOp::create(builder, loc, x->value.getType(), x->value),
            x->nhwc});
    return success();
  }
  if (op == "Identity") {
    FailureOr<Tensor> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, *x);
    return success();
  }
  if (op == "Constant")
    return convertConstant(node);
  if (op == "Dropout") {
    FailureOr<Tensor> x = input(node, 0);
    if (failed(x))
      return failure();
    define(node, 0, *x); // Inference: identity.
    return success();
  }
  return fail("unsupported operator");
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

static std::string sanitize(StringRef name) {
  std::string out;
  for (char c : name)
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out = "model_" + out;
  return out;
}

OwningOpRef<ModuleOp> Importer::run(onnx::ModelProto &model) {
  Location fileLoc = FileLineColLoc::get(ctx, fileName, 0, 0);
  for (const auto &imp : model.opset_import())
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  if (opset < kMinONNXOpset || opset > kMaxONNXOpset) {
    emitError(fileLoc) << "unsupported ONNX opset " << opset
                       << " (qopt imports " << kMinONNXOpset << " to "
                       << kMaxONNXOpset << ")";
    return nullptr;
  }
  onnx::GraphProto *graph = model.mutable_graph();
  for (const auto &init : graph->initializer())
    initializers[init.name()] = &init;

  // Report every unsupported operator at once, each with its node.
  bool supported = true;
  for (auto [index, node] : llvm::enumerate(graph->node())) {
    if (isSupportedOperator(node))
      continue;
    emitError(nodeLoc(node, static_cast<int>(index)))
        << "unsupported operator " << node.op_type()
        << (node.domain().empty() ? "" : " (domain '" + node.domain() + "')")
        << " in node '"
        << (node.name().empty() ? "#" + std::to_string(index) : node.name())
        << "'";
    supported = false;
  }
  if (!supported)
    return nullptr;

  // Fix the batch dimension, so ONNX's shape inference produces static
  // shapes everywhere.
  for (auto &in : *graph->mutable_input()) {
    if (initializers.count(in.name()))
      continue;
    if (!in.type().has_tensor_type()) {
      emitError(fileLoc) << "graph input '" << in.name() << "' is not a tensor";
      return nullptr;
    }
    auto *shape = in.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int d = 0; d < shape->dim_size(); ++d) {
      auto *dim = shape->mutable_dim(d);
      if (dim->has_dim_value() && dim->dim_value() > 0)
        continue;
      if (d != 0) {
        emitError(fileLoc) << "graph input '" << in.name() << "' has dynamic "
                           << "dimension " << d << " ('" << dim->dim_param()
                           << "'); only the batch dimension may be dynamic";
        return nullptr;
      }
      dim->set_dim_value(options.batch);
    }
  }
  // Re-infer every intermediate and output shape from the fixed inputs
  // (exporters record symbolic dimensions there).
  graph->clear_value_info();
  for (auto &out : *graph->mutable_output())
    out.mutable_type()->mutable_tensor_type()->clear_shape();
  try {
    onnx::ShapeInferenceOptions inference(/*check_type=*/true,
                                          /*strict_mode=*/1);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "ONNX shape inference failed: " << e.what();
    return nullptr;
  }
  auto recordShape = [&](const onnx::ValueInfoProto &info) {
    if (!info.type().has_tensor_type() ||
        !info.type().tensor_type().has_shape())
      return;
    SmallVector<int64_t> dims;
    for (const auto &dim : info.type().tensor_type().shape().dim()) {
      if (!dim.has_dim_value())
        return;
      dims.push_back(dim.dim_value());
    }
    shapes[info.name()] = dims;
  };
  for (const auto &v : graph->value_info())
    recordShape(v);
  for (const auto &v : graph->output())
    recordShape(v);

  // Function signature: graph inputs (in ONNX layout) -> graph outputs.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (const auto &in : graph->input()) {
    if (initializers.count(in.name()))
      continue;
    if (in.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
      emitError(fileLoc) << "graph input '" << in.name()
                         << "' is not float32; qopt imports float models";
      return nullptr;
    }
    SmallVector<int64_t> dims;
    for (const auto &dim : in.type().tensor_type().shape().dim())
      dims.push_back(dim.dim_value());
    argTypes.push_back(f32(dims));
    argNames.push_back(in.name());
  }
  SmallVector<Type> resultTypes;
  for (const auto &out : graph->output()) {
    auto it = shapes.find(out.name());
    if (it == shapes.end()) {
      emitError(fileLoc) << "no static shape for graph output '" << out.name()
                         << "'";
      return nullptr;
    }
    resultTypes.push_back(f32(it->second));
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());
  std::string funcName =
      sanitize(graph->name().empty() ? "main" : graph->name());
  auto func =
      func::FuncOp::create(builder, fileLoc, funcName,
                           builder.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(name));
    values[name] = {entry->getArgument(i), false};
  }
  builder.setInsertionPointToStart(entry);

  // Initializers become constants where first used (by name lookup).
  for (const auto &init : graph->initializer()) {
    if (init.data_type() != onnx::TensorProto::FLOAT)
      continue; // Integer initializers (shapes, pads) are read at import.
    loc = NameLoc::get(StringAttr::get(ctx, init.name()), fileLoc);
    FailureOr<std::vector<float>> data = floatData(init);
    if (failed(data)) {
      emitError(loc) << pendingError;
      return nullptr;
    }
    SmallVector<int64_t> dims(init.dims().begin(), init.dims().end());
    values[init.name()] = {constF32(*data, dims), false};
  }

  for (auto [index, node] : llvm::enumerate(graph->node())) {
    loc = nodeLoc(node, static_cast<int>(index));
    pendingError.clear();
    if (failed(convertNode(node))) {
      emitError(loc) << "cannot import node '"
                     << (node.name().empty() ? "#" + std::to_string(index)
                                             : node.name())
                     << "' (" << node.op_type() << "): " << pendingError;
      return nullptr;
    }
  }

  SmallVector<Value> results;
  loc = fileLoc;
  for (const auto &out : graph->output()) {
    auto it = values.find(out.name());
    if (it == values.end() || !it->second.value) {
      emitError(fileLoc) << "graph output '" << out.name()
                         << "' is not produced";
      return nullptr;
    }
    results.push_back(plain(it->second));
  }
  func::ReturnOp::create(builder, fileLoc, results);
  for (auto [i, out] : llvm::enumerate(graph->output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(out.name()));

  if (failed(verify(*module)))
    return nullptr;
  // Fold the layout transposes of constants (weights) and tidy up.
  PassManager pm(ctx);
  pm.addNestedPass<func::FuncOp>(tosa::createTosaLayerwiseConstantFoldPass());
  pm.addPass(createCanonicalizerPass());
  if (failed(pm.run(*module)))
    return nullptr;
  return module;
}

static OwningOpRef<ModuleOp> importModel(onnx::ModelProto &model,
                                         StringRef name, MLIRContext *context,
                                         const ONNXImportOptions &options) {
  context->loadDialect<func::FuncDialect, tosa::TosaDialect, qopt::QOptDialect,
                       quant::QuantDialect>();
  Location fileLoc = FileLineColLoc::get(context, name, 0, 0);
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    emitError(fileLoc) << "invalid ONNX model: " << e.what();
    return nullptr;
  }
  Importer importer(context, name, options);
  return importer.run(model);
}

OwningOpRef<ModuleOp> qopt::importONNXBytes(StringRef bytes, StringRef name,
                                            MLIRContext *context,
                                            const ONNXImportOptions &options) {
  onnx::ModelProto model;
  if (bytes.empty() ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      !model.has_graph()) {
    emitError(FileLineColLoc::get(context, name, 0, 0))
        << "not a valid ONNX model: the protobuf could not be parsed (file "
           "truncated or corrupt?)";
    return nullptr;
  }
  return importModel(model, name, context, options);
}

OwningOpRef<ModuleOp> qopt::importONNXFile(StringRef path, MLIRContext *context,
                                           const ONNXImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read '" << path << "': " << buffer.getError().message();
    return nullptr;
  }
  return importONNXBytes((*buffer)->getBuffer(), path, context, options);
}
