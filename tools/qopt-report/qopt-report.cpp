//===- qopt-report.cpp - per-layer numerics of a quantized model ----------===//
//
//   qopt-report model.{mlir,onnx} --pipeline "<passes>" --input data.npz:x
//               [--json report.json] [--max-samples N] [--function f]
//
// Quantizes the float model with `--pipeline` (qopt's passes, e.g.
// calibration, QDQ, integer conversion), runs the float model and the
// quantized one on the same data and, for every quantized activation (each
// qopt.quantize / qopt.requantize / 8-bit storage cast), reports against the
// float model's value at the same layer (the op of the same kind, location and
// shape): the SQNR in dB and the largest absolute error in LSBs of that
// activation's scale. Accumulated batch by batch in constant memory.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/InitAllDialects.h"
#include "qopt/Support/Locations.h"
#include "qopt/Support/NumpyIO.h"
#include "qopt/Target/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <cmath>
#include <limits>

using namespace llvm;
using namespace mlir;
using qopt::layerName;
using qopt::locationKey;

namespace {

int failWith(const Twine &message) {
  errs() << "qopt-report: error: " << message << "\n";
  return 1;
}

/// The float-graph op a quantized activation stands for: the producer of a
/// quantize's input, or the integer layer behind a requantize's (or dyadic
/// rescale's) accumulator.
std::string producerName(Operation *quantizing) {
  Operation *def = quantizing->getOperand(0).getDefiningOp();
  // Through the casts and the dyadic rescale qopt-requant-to-dyadic makes
  // of a requantize.
  while (isa_and_present<quant::StorageCastOp, qopt::RescaleOp>(def))
    def = def->getOperand(0).getDefiningOp();
  return def ? def->getName().getStringRef().str() : "";
}

/// Key matching a value across the float and quantized graphs.
std::string matchKey(Location loc, ArrayRef<int64_t> shape, StringRef op) {
  std::string key = locationKey(loc) + "|" + op.str() + "|";
  for (int64_t d : shape)
    key += std::to_string(d) + "x";
  return key;
}

/// A float activation of the float model: a non-constant f32 tensor result.
bool isFloatActivation(Operation *op) {
  if (op->getNumResults() != 1 || op->hasTrait<OpTrait::ConstantLike>())
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.getElementType().isF32();
}

/// A quantized activation: a quantize, a requantize, or an 8-bit integer
/// layer's result cast to its quantized type (e.g. an integer max pool whose
/// result is not consumed as integers).
bool isQuantizedActivation(Operation *op) {
  if (isa<qopt::QuantizeOp, qopt::RequantizeOp>(op))
    return true;
  auto cast = dyn_cast<quant::StorageCastOp>(op);
  if (!cast)
    return false;
  auto quant = dyn_cast<quant::QuantizedType>(
      getElementTypeOrSelf(cast.getResult().getType()));
  return quant && quant.getStorageTypeIntegralWidth() == 8 &&
         cast.getInput().getDefiningOp();
}

/// The ops of `func` that `pick` selects, in walk order. A position in this
/// list names the same op in a clone of `func`.
SmallVector<Operation *>
collectOps(Operation *func, llvm::function_ref<bool(Operation *)> pick) {
  SmallVector<Operation *> ops;
  func->walk([&](Operation *op) {
    if (pick(op))
      ops.push_back(op);
  });
  return ops;
}

struct Layer {
  std::string name, op;
  double scale = 0;
  int64_t floatIndex = -1, quantIndex = -1; // positions from collectOps
  double signal = 0, noise = 0, maxError = 0;
  int64_t count = 0;
};

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // Only this tool's options in --help, not every LLVM backend flag.
  cl::OptionCategory toolOptions("qopt-report options");
  cl::opt<std::string> floatPath(cl::cat(toolOptions), cl::Positional,
                                 cl::desc("<float.mlir|onnx>"), cl::Required);
  cl::opt<std::string> pipeline(
      cl::cat(toolOptions), "pipeline",
      cl::desc("Passes that quantize the model, e.g. "
               "\"qopt-calibrate{data=calib.npy},qopt-quantize-qdq\""),
      cl::Required);
  cl::opt<std::string> input(cl::cat(toolOptions), "input",
                             cl::desc("Data: file.npy or file.npz:key"),
                             cl::Required);
  cl::opt<std::string> jsonPath(cl::cat(toolOptions), "json",
                                cl::desc("Also write the report as JSON"));
  cl::opt<int64_t> maxSamples(cl::cat(toolOptions), "max-samples",
                              cl::desc("Use at most this many samples"),
                              cl::init(0));
  cl::opt<std::string> function(
      cl::cat(toolOptions), "function",
      cl::desc("Function to compare (default: the only public one)"));
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qopt-report: per-layer SQNR and LSB error of a quantized model\n");
  qopt::registerJitPasses();

  DialectRegistry registry;
  qopt::registerAllDialects(registry);
  MLIRContext context(registry);
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  // An ONNX model imports in memory and keeps its node names as locations.
  OwningOpRef<ModuleOp> floatModule =
      StringRef(floatPath).ends_with(".onnx")
          ? qopt::importONNXFile(floatPath, &context)
          : parseSourceFile<ModuleOp>(floatPath, sourceMgr, &context);
  if (!floatModule)
    return 1;
  // The quantized model is derived in memory, so every op keeps the
  // location of the float op it came from.
  OwningOpRef<ModuleOp> quantModule = cast<ModuleOp>((*floatModule)->clone());
  {
    mlir::PassManager pm(&context);
    std::string errors;
    raw_string_ostream os(errors);
    if (failed(parsePassPipeline(pipeline, pm, os)))
      return failWith("bad --pipeline: " + errors);
    if (failed(pm.run(*quantModule)))
      return failWith("the quantization pipeline failed");
  }
  auto floatFound =
      qopt::findEntryFunction(*floatModule, function, "--function");
  if (!floatFound)
    return failWith(toString(floatFound.takeError()));
  func::FuncOp floatFunc = *floatFound;
  auto quantFound = qopt::findEntryFunction(
      *quantModule, floatFunc.getSymName(), "--function");
  if (!quantFound)
    return failWith("after --pipeline: " + toString(quantFound.takeError()));
  func::FuncOp quantFunc = *quantFound;

  // Float values by (location, op, shape), in program order: one ONNX node
  // can give several ops with the same key (a grouped convolution's
  // per-group convolutions); the k-th quantized one matches the k-th float
  // one.
  SmallVector<Operation *> floatOps = collectOps(floatFunc, isFloatActivation);
  llvm::StringMap<SmallVector<int64_t>> floatValueIndex;
  for (auto [index, op] : llvm::enumerate(floatOps))
    floatValueIndex[matchKey(
                        op->getLoc(),
                        cast<ShapedType>(op->getResult(0).getType()).getShape(),
                        op->getName().getStringRef())]
        .push_back(index);
  llvm::StringMap<size_t> keyOccurrences;

  // Float ops the quantized graph still has (by location); an activation
  // absent from it was fused into its producer's requantize.
  llvm::StringSet<> quantLocations;
  quantFunc.walk(
      [&](Operation *op) { quantLocations.insert(locationKey(op->getLoc())); });
  llvm::DenseMap<Operation *, int64_t> floatOpIndex;
  for (auto [index, op] : llvm::enumerate(floatOps))
    floatOpIndex[op] = index;

  // Quantized activations and their float counterparts.
  std::vector<Layer> layers;
  SmallVector<Operation *> quantOps =
      collectOps(quantFunc, isQuantizedActivation);
  for (auto [index, op] : llvm::enumerate(quantOps)) {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    auto quant = dyn_cast<quant::UniformQuantizedType>(type.getElementType());
    if (!quant)
      continue;
    std::string key = matchKey(op->getLoc(), type.getShape(), producerName(op));
    auto it = floatValueIndex.find(key);
    if (it == floatValueIndex.end())
      continue;
    size_t occurrence = std::min(keyOccurrences[key]++, it->second.size() - 1);
    Layer layer;
    layer.name = layerName(op->getLoc());
    layer.floatIndex = it->second[occurrence];
    Operation *floatOp = floatOps[layer.floatIndex];
    layer.op = floatOp->getName().getStringRef().str();
    // A ReLU/clamp fused into this layer (qopt-propagate-ranges): the
    // quantized value stands for the clamp's output.
    if (floatOp->hasOneUse()) {
      Operation *user = *floatOp->getUsers().begin();
      if (isa<tosa::ClampOp>(user) &&
          !quantLocations.contains(locationKey(user->getLoc()))) {
        layer.floatIndex = floatOpIndex.lookup(user);
        layer.op += "+clamp";
      }
    }
    layer.scale = quant.getScale();
    layer.quantIndex = index;
    layers.push_back(layer);
  }
  if (layers.empty())
    return failWith("no quantized activation matches a float layer (same "
                    "location and shape)");

  // Instrumented copies: float values, and dequantized quantized values.
  int64_t floatBase = floatFunc.getNumResults();
  auto floatCopy = qopt::withExtraResults(
      *floatModule, floatFunc.getSymName(), [&](Operation *f) {
        SmallVector<Operation *> ops = collectOps(f, isFloatActivation);
        SmallVector<mlir::Value> extra;
        for (const Layer &l : layers)
          extra.push_back(ops[l.floatIndex]->getResult(0));
        return extra;
      });
  int64_t quantBase = quantFunc.getNumResults();
  auto quantCopy = qopt::withExtraResults(
      *quantModule, quantFunc.getSymName(), [&](Operation *f) {
        SmallVector<Operation *> ops = collectOps(f, isQuantizedActivation);
        SmallVector<mlir::Value> extra;
        for (const Layer &l : layers) {
          Operation *op = ops[l.quantIndex];
          OpBuilder b(op->getContext());
          b.setInsertionPointAfter(op);
          auto type = cast<RankedTensorType>(op->getResult(0).getType());
          extra.push_back(qopt::DequantizeOp::create(
              b, op->getLoc(), type.clone(b.getF32Type()), op->getResult(0)));
        }
        return extra;
      });

  auto floatRunner =
      qopt::ModelRunner::create(*floatCopy, floatFunc.getSymName());
  if (!floatRunner)
    return failWith("float model: " + toString(floatRunner.takeError()));
  auto quantRunner =
      qopt::ModelRunner::create(*quantCopy, quantFunc.getSymName());
  if (!quantRunner)
    return failWith("quantized model: " + toString(quantRunner.takeError()));

  auto data = qopt::readArray(input);
  if (!data)
    return failWith(toString(data.takeError()));
  std::vector<qopt::NumpyArray> inputs{std::move(*data)};
  auto chunks = (*floatRunner)->countChunks(inputs);
  if (!chunks)
    return failWith(toString(chunks.takeError()));
  int64_t batch = (*floatRunner)->inputs().front().shape[0];
  int64_t limit = *chunks;
  if (maxSamples > 0)
    limit = std::min<int64_t>(limit, (maxSamples + batch - 1) / batch);
  std::vector<qopt::NumpyArray> floatOut = (*floatRunner)->makeOutputBuffers();
  std::vector<qopt::NumpyArray> quantOut = (*quantRunner)->makeOutputBuffers();
  for (int64_t c = 0; c < limit; ++c) {
    if (auto err = (*floatRunner)->runChunk(inputs, c, *chunks, floatOut))
      return failWith(toString(std::move(err)));
    if (auto err = (*quantRunner)->runChunk(inputs, c, *chunks, quantOut))
      return failWith(toString(std::move(err)));
    for (size_t i = 0; i < layers.size(); ++i) {
      const qopt::NumpyArray &f = floatOut[floatBase + i];
      const qopt::NumpyArray &q = quantOut[quantBase + i];
      const float *fv = reinterpret_cast<const float *>(f.data.data());
      const float *qv = reinterpret_cast<const float *>(q.data.data());
      for (int64_t e = 0; e < f.numElements(); ++e) {
        double d = double(fv[e]) - double(qv[e]);
        layers[i].signal += double(fv[e]) * fv[e];
        layers[i].noise += d * d;
        layers[i].maxError = std::max(layers[i].maxError, std::fabs(d));
      }
      layers[i].count += f.numElements();
    }
  }

  json::Array jsonLayers;
  int nameWidth = 5, opWidth = 2;
  for (const Layer &l : layers) {
    nameWidth = std::max(nameWidth, static_cast<int>(l.name.size()));
    opWidth = std::max(opWidth, static_cast<int>(l.op.size()));
  }
  outs() << format("%-*s  %-*s %12s %10s %14s\n", nameWidth, "layer", opWidth,
                   "op", "scale", "SQNR (dB)", "max |err| LSB");
  for (const Layer &l : layers) {
    double sqnr = l.noise == 0 ? std::numeric_limits<double>::infinity()
                               : 10.0 * std::log10(l.signal / l.noise);
    double lsb = l.maxError / l.scale;
    outs() << format("%-*s  %-*s %12.6g %10.2f %14.2f\n", nameWidth,
                     l.name.c_str(), opWidth, l.op.c_str(), l.scale, sqnr, lsb);
    jsonLayers.push_back(
        json::Object{{"layer", l.name},
                     {"op", l.op},
                     {"scale", l.scale},
                     // An exact layer has no finite SQNR: JSON null.
                     {"sqnr_db", std::isinf(sqnr) ? json::Value(nullptr)
                                                  : json::Value(sqnr)},
                     {"max_abs_error_lsb", lsb},
                     {"elements", l.count}});
  }
  outs() << "qopt-report: " << layers.size() << " layers, " << limit * batch
         << " samples\n";
  if (!jsonPath.empty()) {
    std::error_code ec;
    raw_fd_ostream os(jsonPath, ec, sys::fs::OF_Text);
    if (ec)
      return failWith("cannot write '" + jsonPath + "': " + ec.message());
    os << formatv("{0:2}", llvm::json::Value(
                               json::Object{{"samples", limit * batch},
                                            {"layers", std::move(jsonLayers)}}))
       << "\n";
  }
  return 0;
}
