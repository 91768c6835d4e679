//===- MeasureLatency.cpp - per-layer, per-width time on qopt's kernels ---===//

#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/ExecutionEngine/JitKernel.h"
#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/MixedPrecision/Passes.h"
#include "qopt/MixedPrecision/WeightedLayers.h"
#include "qopt/Support/Error.h"
#include "qopt/Support/Locations.h"
#include "qopt/Target/Cpu/CpuTarget.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <map>
#include <random>

namespace qopt {
#define GEN_PASS_DEF_MEASURELATENCYPASS
#include "qopt/MixedPrecision/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// Names the copy's layers by their index, through the conversion (which
/// keeps locations).
constexpr llvm::StringLiteral kLayerTag = "qopt.latency.layer";

std::optional<unsigned> taggedLayerIndex(Operation *op) {
  auto name = dyn_cast<NameLoc>(op->getLoc());
  if (!name ||
      !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(op))
    return std::nullopt;
  StringRef text = name.getName().getValue();
  unsigned index;
  if (!text.consume_front(kLayerTag) || !text.consume_front("#") ||
      text.getAsInteger(10, index))
    return std::nullopt;
  return index;
}

/// `type` with quantized elements as their stored integers; other types
/// as they are.
Type storageType(Type type) {
  Type storage = quant::QuantizedType::castToStorageType(type);
  return storage ? storage : type;
}

bool isIntegerTensor(Type type, unsigned belowWidth = 65) {
  auto integer = dyn_cast<IntegerType>(getElementTypeOrSelf(storageType(type)));
  return integer && integer.getWidth() < belowWidth;
}

/// A function computing integer layer `layer` alone, from its activation
/// input to its requantized output: the layer op, its constant operands,
/// and the single-use chain after it (bias add, requantize, rescale, ...)
/// up to the first value narrower than 32 bits. Quantized types at the
/// boundary become their storage types.
FailureOr<func::FuncOp> extractLayer(Operation *layer, OpBuilder &builder,
                                     StringRef name) {
  Value input = layer->getOperand(0);
  auto inputType = dyn_cast<RankedTensorType>(input.getType());
  if (!inputType || !inputType.hasStaticShape() || !isIntegerTensor(inputType))
    return failure();
  SmallVector<Operation *> chain{layer};
  Value output = layer->getResult(0);
  while (!isIntegerTensor(output.getType(), /*belowWidth=*/32)) {
    if (!output.hasOneUse())
      return failure();
    Operation *user = *output.getUsers().begin();
    if (user->getNumResults() != 1 || user->getNumRegions() != 0)
      return failure();
    chain.push_back(user);
    output = user->getResult(0);
  }
  if (!isa<RankedTensorType>(output.getType()))
    return failure();

  Location loc = layer->getLoc();
  auto func = func::FuncOp::create(
      builder, loc, name,
      builder.getFunctionType({storageType(inputType)},
                              {storageType(output.getType())}));
  OpBuilder body = OpBuilder::atBlockBegin(func.addEntryBlock());
  IRMapping mapping;
  Value argument = func.getArgument(0);
  if (argument.getType() != inputType)
    argument = quant::StorageCastOp::create(body, loc, inputType, argument);
  mapping.map(input, argument);
  for (Operation *op : chain) {
    for (Value operand : op->getOperands()) {
      if (mapping.contains(operand))
        continue;
      // Weights, biases, zero points, multipliers: operand-free constants.
      Operation *def = operand.getDefiningOp();
      if (!def || def->getNumOperands() != 0 || def->getNumRegions() != 0)
        return failure();
      body.clone(*def, mapping);
    }
    body.clone(*op, mapping);
  }
  Value result = mapping.lookup(output);
  if (result.getType() != func.getResultTypes().front())
    result = quant::StorageCastOp::create(
        body, loc, func.getResultTypes().front(), result);
  func::ReturnOp::create(body, loc, result);
  return func;
}

/// One storage form's layers: as source, then compiled, with buffers to
/// call them with.
struct CompiledLayers {
  unsigned storageBits = 0;
  unsigned activationBits = 0; ///< 0: as activation-policy says

  /// "4-bit weights", "4-bit weights and 16-bit activations".
  std::string describe() const {
    return std::to_string(storageBits) + "-bit weights" +
           (activationBits
                ? " and " + std::to_string(activationBits) + "-bit activations"
                : "");
  }
  std::string source;
  std::vector<std::string> names; ///< function names, one per layer
  std::vector<std::pair<RankedTensorType, RankedTensorType>> types;
  std::unique_ptr<JitKernel> kernel;
  std::vector<std::vector<int8_t>> inputs, outputs;
  std::vector<std::vector<int64_t>> inputDescriptors, outputDescriptors;

  bool call(size_t layer) {
    void *pointers[] = {inputDescriptors[layer].data(),
                        outputDescriptors[layer].data()};
    void *args[] = {&pointers[0], &pointers[1]};
    return kernel->callPacked(names[layer], args);
  }
};

/// The activation widths a layer is timed at, in the order of its
/// latencies: its `activation_bits`, or 0 (the activation policy, whatever
/// its width) alone.
SmallVector<int64_t> activationWidths(SensitivityAttr sensitivity) {
  ArrayRef<int64_t> widths = sensitivity.getActivationBits();
  return widths.empty() ? SmallVector<int64_t>{0}
                        : SmallVector<int64_t>(widths);
}

/// Bytes of an integer tensor (the layer functions' signatures are
/// storage types).
int64_t storageBytes(RankedTensorType type) {
  return type.getNumElements() *
         ((type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
}

struct MeasureLatencyPass
    : qopt::impl::MeasureLatencyPassBase<MeasureLatencyPass> {
  using Base::Base;

  void runOnOperation() override {
    if (auto err = measure())
      emitError(getOperation().getLoc())
          << "qopt-measure-latency: " << toString(std::move(err)),
          signalPassFailure();
  }

  llvm::Error measure();
  llvm::Expected<CompiledLayers> extract(unsigned storageBits,
                                         unsigned activationBits,
                                         ArrayRef<std::string> layerNames);
};
} // namespace

/// Quantizes a copy of the module with every measured layer at
/// `storageBits` and every activation at `activationBits` (16:
/// int16ActivationPolicy, else the activation policy) and extracts each
/// integer layer as a function.
llvm::Expected<CompiledLayers>
MeasureLatencyPass::extract(unsigned storageBits, unsigned activationBits,
                            ArrayRef<std::string> layerNames) {
  MLIRContext *ctx = &getContext();
  CompiledLayers compiled;
  compiled.storageBits = storageBits;
  compiled.activationBits = activationBits;
  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(getOperation()->clone());
  unsigned index = 0;
  copy->walk([&](Operation *op) {
    if (!op->hasAttr(QOptDialect::kSensitivityAttrName))
      return;
    std::optional<WeightedLayer> layer = asWeightedLayer(op);
    if (!layer)
      return;
    setWeightPolicy(*layer,
                    weightPolicyForWidth(ctx, storageBits, layer->outputAxis));
    op->setLoc(NameLoc::get(
        StringAttr::get(ctx, kLayerTag + "#" + Twine(index++)), op->getLoc()));
  });

  PassManager pm(ctx);
  IntegerGraphOptions options;
  options.activationPolicy = activationPolicy;
  if (activationBits == 16)
    options.activationPolicy = kInt16ActivationPolicy.str();
  options.profile = profile;
  buildIntegerGraphPipeline(pm, options);
  if (failed(pm.run(*copy)))
    return fail("quantizing the model with " + compiled.describe() +
                " failed (diagnostics above)");

  OwningOpRef<ModuleOp> functions = ModuleOp::create(getOperation().getLoc());
  OpBuilder builder = OpBuilder::atBlockEnd(functions->getBody());
  compiled.names.resize(layerNames.size());
  std::vector<std::pair<RankedTensorType, RankedTensorType>> &types =
      compiled.types;
  types.resize(layerNames.size());
  std::string error;
  copy->walk([&](Operation *op) {
    std::optional<unsigned> i = taggedLayerIndex(op);
    if (!i || *i >= layerNames.size() || !compiled.names[*i].empty())
      return;
    std::string name = "layer" + std::to_string(*i);
    FailureOr<func::FuncOp> func = extractLayer(op, builder, name);
    if (failed(func)) {
      error = "'" + layerNames[*i] + "' is not an integer layer with a " +
              "requantized output at " + compiled.describe() +
              "; its latency cannot be measured";
      return;
    }
    (*func)->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
    compiled.names[*i] = name;
    types[*i] = {cast<RankedTensorType>(func->getArgumentTypes().front()),
                 cast<RankedTensorType>(func->getResultTypes().front())};
  });
  if (!error.empty())
    return fail(error);
  for (auto [i, name] : llvm::enumerate(compiled.names))
    if (name.empty())
      return fail("'" + layerNames[i] + "' did not survive quantization at " +
                  compiled.describe() + " as a layer");

  llvm::raw_string_ostream os(compiled.source);
  // (Every function already has its C interface; this strips the qopt.*
  // annotations the cloned constants may carry.)
  prepareForLowering(*functions, "")->print(os);
  return compiled;
}

/// Compiles `layers` for `cpu` (in a context of its own, so forms compile
/// in parallel) and makes their buffers: random bytes, since the kernels'
/// time does not depend on the values.
static llvm::Error compileLayers(CompiledLayers &layers, const CpuTarget &cpu,
                                 ArrayRef<std::string> layerNames) {
  layers.kernel = std::make_unique<JitKernel>(
      layers.source, graphLoweringPipeline(&cpu), cpu.cpu, cpu.jitFeatures());
  if (!layers.kernel->ok())
    return fail("cannot compile the layers at " + layers.describe() + ": " +
                layers.kernel->error());
  std::mt19937 random(layers.storageBits * 100 + layers.activationBits);
  for (auto [i, inOut] : llvm::enumerate(layers.types)) {
    auto [in, out] = inOut;
    std::vector<int8_t> &input = layers.inputs.emplace_back(storageBytes(in));
    for (int8_t &byte : input)
      byte = static_cast<int8_t>(random());
    std::vector<int8_t> &output =
        layers.outputs.emplace_back(storageBytes(out));
    layers.inputDescriptors.push_back(
        memrefDescriptor(input.data(), in.getShape()));
    layers.outputDescriptors.push_back(
        memrefDescriptor(output.data(), out.getShape()));
    if (!layers.kernel->materialize(layers.names[i]))
      return fail("cannot compile '" + layerNames[i] +
                  "': " + layers.kernel->error());
  }
  return llvm::Error::success();
}

llvm::Error MeasureLatencyPass::measure() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  if (repetitions < 1)
    return fail("repetitions must be >= 1, got " + Twine(repetitions));
  auto cpu = parseCpuTarget(target);
  if (!cpu)
    return cpu.takeError();
  if (auto err = checkRunsOnHost(*cpu))
    return fail("latencies are measured by running the kernels, and target '" +
                target + "' cannot run here: " + toString(std::move(err)));

  SmallVector<std::pair<Operation *, SensitivityAttr>> layers;
  std::vector<std::string> names;
  // (weight storage bits, activation bits) -> index in `compiled`.
  std::map<std::pair<unsigned, unsigned>, size_t> forms;
  module.walk([&](Operation *op) {
    auto sensitivity =
        op->getAttrOfType<SensitivityAttr>(QOptDialect::kSensitivityAttrName);
    if (!sensitivity || !asWeightedLayer(op))
      return;
    layers.push_back({op, sensitivity});
    names.push_back(layerName(op->getLoc()));
    for (int64_t bits : sensitivity.getBits())
      for (int64_t activation : activationWidths(sensitivity))
        forms.emplace(std::pair(storageBitsForWidth(bits), activation), 0);
  });
  if (layers.empty())
    return fail("no layer with constant float weights carries "
                "qopt.sensitivity; run qopt-measure-sensitivity first");
  for (auto [op, sensitivity] : layers)
    for (int64_t b : sensitivity.getBits())
      if (b < 2 || b > 8)
        return fail("width " + Twine(b) + " of '" + layerName(op->getLoc()) +
                    "' is not supported: weights are 2 to 8 bits");
  for (const auto &form : forms)
    if (unsigned bits = form.first.second)
      if (auto policy = activationPolicyForWidth(ctx, bits, activationPolicy);
          !policy)
        return policy.takeError();

  std::vector<CompiledLayers> compiled;
  for (auto &[bits, index] : forms) {
    auto layersAtWidth = extract(bits.first, bits.second, names);
    if (!layersAtWidth)
      return layersAtWidth.takeError();
    index = compiled.size();
    compiled.push_back(std::move(*layersAtWidth));
  }
  {
    std::vector<std::string> errors(compiled.size());
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (auto [f, form] : llvm::enumerate(compiled))
      pool.async([&, f = f] {
        if (llvm::Error err = compileLayers(compiled[f], *cpu, names))
          errors[f] = toString(std::move(err));
      });
    pool.wait();
    for (const std::string &error : errors)
      if (!error.empty())
        return fail(error);
  }

  // Calls per sample, so that a sample lasts ~20 us (the clock's
  // resolution and the call's overhead then do not matter).
  using Clock = std::chrono::steady_clock;
  auto timeCalls = [](CompiledLayers &form, size_t layer,
                      int64_t calls) -> std::optional<double> {
    auto start = Clock::now();
    for (int64_t c = 0; c < calls; ++c)
      if (!form.call(layer))
        return std::nullopt;
    return std::chrono::duration<double, std::micro>(Clock::now() - start)
               .count() /
           calls;
  };
  std::vector<std::vector<int64_t>> calls(compiled.size());
  std::vector<std::vector<std::vector<double>>> samples(compiled.size());
  for (auto [f, form] : llvm::enumerate(compiled))
    for (size_t l = 0; l < layers.size(); ++l) {
      std::optional<double> once = timeCalls(form, l, 1);
      once = once ? timeCalls(form, l, 1) : once; // the first call warms up
      if (!once)
        return fail("running '" + names[l] +
                    "' failed: " + form.kernel->error());
      calls[f].push_back(std::clamp<int64_t>(
          std::ceil(20.0 / std::max(*once, 1e-3)), 1, 10000));
      samples[f].emplace_back();
    }
  // Forms alternate within each repetition, so that frequency or load
  // changes affect every width alike.
  for (int64_t r = 0; r < repetitions; ++r)
    for (size_t l = 0; l < layers.size(); ++l)
      for (auto [f, form] : llvm::enumerate(compiled)) {
        std::optional<double> t = timeCalls(form, l, calls[f][l]);
        if (!t)
          return fail("running '" + names[l] +
                      "' failed: " + form.kernel->error());
        samples[f][l].push_back(*t);
      }

  for (auto [l, layer] : llvm::enumerate(layers)) {
    auto [op, sensitivity] = layer;
    SmallVector<double> latency;
    for (int64_t bits : sensitivity.getBits())
      for (int64_t activation : activationWidths(sensitivity)) {
        std::vector<double> &times = samples[forms.at(
            std::pair(storageBitsForWidth(bits), unsigned(activation)))][l];
        std::nth_element(times.begin(), times.begin() + times.size() / 2,
                         times.end());
        latency.push_back(times[times.size() / 2]);
      }
    op->setAttr(
        QOptDialect::kSensitivityAttrName,
        SensitivityAttr::get(ctx, sensitivity.getBits(), sensitivity.getNoise(),
                             sensitivity.getActivationBits(),
                             sensitivity.getActivationNoise(), latency));
  }
  return llvm::Error::success();
}
