//===- MeasureSensitivity.cpp - per-layer, per-width output error (JIT) ---===//

#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Dialect/QOpt/Utils/CalibratedValues.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"
#include "qopt/Dialect/QOpt/Utils/QuantizedTypes.h"
#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/MixedPrecision/Passes.h"
#include "qopt/MixedPrecision/WeightedLayers.h"
#include "qopt/Support/Error.h"
#include "qopt/Support/Locations.h"
#include "qopt/Support/NumpyIO.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <atomic>
#include <deque>
#include <mutex>

namespace qopt {
#define GEN_PASS_DEF_MEASURESENSITIVITYPASS
#include "qopt/MixedPrecision/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// One layer's or activation's measurement: noise[i] for widths[i].
using LayerNoise = std::vector<double>;

/// Everything one measurement produces.
struct Measurements {
  std::vector<LayerNoise> layers;      ///< per layer, per weight width
  std::vector<LayerNoise> activations; ///< per activation, per width
};

/// An activation whose width is measured (see inputActivation): its
/// calibrated values, each fake-quantized in the measured model under the
/// control of an argument of its own.
struct MeasuredActivation {
  std::string name;
  Value root;
  SmallVector<Value> values;
  SmallVector<FloatRange> ranges;
};

/// The float32 array of a constant's values, to pass as an argument.
NumpyArray toArray(DenseFPElementsAttr values) {
  std::vector<float> data;
  data.reserve(values.getNumElements());
  for (const APFloat &v : values.getValues<APFloat>())
    data.push_back(v.convertToFloat());
  auto shape = values.getType().getShape();
  return NumpyArray::float32({shape.begin(), shape.end()}, data);
}

/// The cache file: {"qopt-sensitivity-cache": 1, "models": {fingerprint:
/// {"layers": [{"name", "bits", "noise"}]}}}.
class SensitivityCache {
public:
  static constexpr llvm::StringLiteral kTag = "qopt-sensitivity-cache";

  /// Reads `path` (a missing file is an empty cache). A file that is not a
  /// cache is an error, so that it is never overwritten.
  static llvm::Expected<SensitivityCache> open(StringRef path) {
    SensitivityCache cache;
    cache.path = path.str();
    cache.root =
        llvm::json::Object{{kTag, 1}, {"models", llvm::json::Object{}}};
    if (!llvm::sys::fs::exists(path))
      return cache;
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      return fail("cannot read the cache '" + path +
                  "': " + buffer.getError().message());
    auto parsed = llvm::json::parse((*buffer)->getBuffer());
    llvm::json::Object *object = parsed ? parsed->getAsObject() : nullptr;
    if (!parsed)
      llvm::consumeError(parsed.takeError());
    if (!object || object->getInteger(kTag) != 1 ||
        !object->getObject("models"))
      return fail("'" + path +
                  "' exists and is not a qopt sensitivity cache; it is not "
                  "overwritten (name another file with cache=...)");
    cache.root = std::move(*object);
    return cache;
  }

  /// The stored noise of `layers` layers at `widths` and `activations`
  /// activations at `activationWidths`, if present and consistent.
  std::optional<Measurements> lookup(StringRef key, size_t layers,
                                     ArrayRef<int64_t> widths,
                                     size_t activations,
                                     ArrayRef<int64_t> activationWidths) {
    const llvm::json::Object *entry = root.getObject("models")->getObject(key);
    if (!entry)
      return std::nullopt;
    Measurements result;
    if (!readList(entry->getArray("layers"), layers, widths, result.layers))
      return std::nullopt;
    if (activations && !readList(entry->getArray("activations"), activations,
                                 activationWidths, result.activations))
      return std::nullopt;
    return result;
  }

  /// Records an entry and rewrites the file (through a temporary, so an
  /// interrupted write never leaves half a cache).
  llvm::Error store(StringRef key, ArrayRef<std::string> names,
                    ArrayRef<int64_t> widths,
                    ArrayRef<std::string> activationNames,
                    ArrayRef<int64_t> activationWidths,
                    const Measurements &measured) {
    llvm::json::Object entry{
        {"layers", writeList(names, widths, measured.layers)}};
    if (!activationNames.empty())
      entry["activations"] =
          writeList(activationNames, activationWidths, measured.activations);
    (*root.getObject("models"))[key] = std::move(entry);
    std::string temporary = path + ".tmp";
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(temporary, ec);
      if (ec)
        return fail("cannot write the cache '" + temporary +
                    "': " + ec.message());
      os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object(root)))
         << "\n";
    }
    if (std::error_code ec = llvm::sys::fs::rename(temporary, path))
      return fail("cannot write the cache '" + path + "': " + ec.message());
    return llvm::Error::success();
  }

private:
  /// `count` entries of `widths.size()` noise values each.
  static bool readList(const llvm::json::Array *stored, size_t count,
                       ArrayRef<int64_t> widths,
                       std::vector<LayerNoise> &result) {
    if (!stored || stored->size() != count)
      return false;
    for (const llvm::json::Value &item : *stored) {
      const llvm::json::Object *o = item.getAsObject();
      const llvm::json::Array *bits = o ? o->getArray("bits") : nullptr;
      const llvm::json::Array *noise = o ? o->getArray("noise") : nullptr;
      if (!bits || !noise || bits->size() != widths.size() ||
          noise->size() != widths.size())
        return false;
      LayerNoise values;
      for (size_t i = 0; i < widths.size(); ++i) {
        std::optional<int64_t> b = (*bits)[i].getAsInteger();
        std::optional<double> n = (*noise)[i].getAsNumber();
        if (b != widths[i] || !n)
          return false;
        values.push_back(*n);
      }
      result.push_back(std::move(values));
    }
    return true;
  }

  static llvm::json::Array writeList(ArrayRef<std::string> names,
                                     ArrayRef<int64_t> widths,
                                     ArrayRef<LayerNoise> measurements) {
    llvm::json::Array list;
    for (auto [name, noise] : llvm::zip(names, measurements))
      list.push_back(llvm::json::Object{{"name", name},
                                        {"bits", llvm::json::Array(widths)},
                                        {"noise", llvm::json::Array(noise)}});
    return list;
  }

  std::string path;
  llvm::json::Object root;
};

/// The quantization `policy` applies to a value calibrated to `range`, as
/// the arguments of fakeQuantize: scale, zero point, storage min and max.
NumpyArray fakeQuantParams(PolicyAttr policy, FloatRange range) {
  QuantScheme scheme = policy.getScheme();
  QuantParams params = computeQuantParams(range.min, range.max, scheme);
  StorageRange storage = scheme.getStorageRange();
  return NumpyArray::float32({4}, {static_cast<float>(params.scale),
                                   static_cast<float>(params.zeroPoint),
                                   static_cast<float>(storage.min),
                                   static_cast<float>(storage.max)});
}

/// fakeQuantize's arguments that leave the value as it is (scale 0).
NumpyArray fakeQuantOff() { return NumpyArray::float32({4}, {0, 0, 0, 0}); }

/// `x` rounded to the grid that `params` (tensor<4xf32>: scale, zero point,
/// storage min, max) describes and mapped back:
/// `(clamp(roundeven(x / scale + zp), min, max) - zp) * scale`, or `x`
/// itself when the scale is 0. One compiled model then measures every
/// activation at every width, and runs unquantized.
Value fakeQuantize(OpBuilder &b, Location loc, Value x, Value params) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<Value> p;
  for (int64_t i = 0; i < 4; ++i)
    p.push_back(tensor::ExtractOp::create(
        b, loc, params, ValueRange{arith::ConstantIndexOp::create(b, loc, i)}));
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  AffineMap identity = b.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> parallel(type.getRank(),
                                            utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{x}, ValueRange{init},
      ArrayRef<AffineMap>{identity, identity}, parallel,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value x = args[0], scale = p[0], zp = p[1], lo = p[2], hi = p[3];
        Value zero = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(0));
        Value on = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                         scale, zero);
        Value scaled = arith::DivFOp::create(nb, nl, x, scale);
        Value shifted = arith::AddFOp::create(nb, nl, scaled, zp);
        Value rounded = math::RoundEvenOp::create(nb, nl, shifted);
        Value above = arith::MaximumFOp::create(nb, nl, rounded, lo);
        Value q = arith::MinimumFOp::create(nb, nl, above, hi);
        Value centered = arith::SubFOp::create(nb, nl, q, zp);
        Value y = arith::MulFOp::create(nb, nl, centered, scale);
        Value result = arith::SelectOp::create(nb, nl, on, y, x);
        linalg::YieldOp::create(nb, nl, ValueRange{result});
      });
  return generic.getResult(0);
}

/// One run of the compiled model: the base arguments with some replaced.
using Variant = SmallVector<std::pair<size_t, const NumpyArray *>>;

struct MeasureSensitivityPass
    : qopt::impl::MeasureSensitivityPassBase<MeasureSensitivityPass> {
  using Base::Base;

  void runOnOperation() override {
    if (auto err = measure())
      emitError(getOperation().getLoc())
          << "qopt-measure-sensitivity: " << toString(std::move(err)),
          signalPassFailure();
  }

  llvm::Error measure();
  llvm::Expected<SmallVector<MeasuredActivation>>
  findActivations(ArrayRef<WeightedLayer> layers);
  llvm::Expected<Measurements> measureOnCopy(
      func::FuncOp func, ArrayRef<WeightedLayer> layers,
      ArrayRef<MeasuredActivation> activations, ArrayRef<int64_t> candidates,
      ArrayRef<PolicyAttr> activationPolicies, ArrayRef<std::string> names,
      const std::vector<NumpyArray> &samples);
  llvm::Expected<std::vector<double>>
  runVariants(ModelRunner &runner, const std::vector<NumpyArray> &samples,
              const std::vector<NumpyArray> &baseArgs,
              ArrayRef<Variant> variants);
};
} // namespace

/// Output error power / signal power of every variant against the base
/// arguments (the float model). Every variant is an independent run of the
/// same compiled model, so they run on all cores.
llvm::Expected<std::vector<double>> MeasureSensitivityPass::runVariants(
    ModelRunner &runner, const std::vector<NumpyArray> &samples,
    const std::vector<NumpyArray> &baseArgs, ArrayRef<Variant> variants) {
  int64_t chunks = samples.size();
  // Runs all chunks with `variant`'s arguments; `visit` sees each chunk's
  // outputs.
  auto runAll = [&](const Variant &variant,
                    llvm::function_ref<void(int64_t, ArrayRef<float>)> visit)
      -> llvm::Error {
    std::vector<NumpyArray> outputs = runner.makeOutputBuffers();
    // The model's arguments: one batch of samples, then the rest.
    std::vector<NumpyArray> args(1);
    args.insert(args.end(), baseArgs.begin(), baseArgs.end());
    for (auto [index, value] : variant)
      args[index] = *value;
    for (int64_t c = 0; c < chunks; ++c) {
      args[0] = samples[c];
      if (auto err = runner.runChunk(args, 0, 1, outputs))
        return err;
      for (const NumpyArray &out : outputs)
        visit(c, ArrayRef(reinterpret_cast<const float *>(out.data.data()),
                          out.numElements()));
    }
    return llvm::Error::success();
  };

  std::vector<std::vector<float>> reference(chunks);
  double signal = 0;
  if (auto err = runAll({}, [&](int64_t c, ArrayRef<float> values) {
        reference[c].insert(reference[c].end(), values.begin(), values.end());
        for (float v : values)
          signal += double(v) * v;
      }))
    return std::move(err);
  if (!(signal > 0) || !std::isfinite(signal))
    return fail("the float model's outputs are " +
                Twine(signal == 0 ? "zero" : "not finite") +
                " on the samples; the relative error is undefined");

  std::vector<double> noise(variants.size(), 0.0);
  std::vector<std::string> errors(variants.size());
  std::atomic<size_t> done{0};
  bool progress = llvm::errs().is_displayed();
  std::mutex progressLock;
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
  for (size_t v = 0; v < variants.size(); ++v)
    pool.async([&, v] {
      double errorPower = 0;
      std::vector<size_t> offset(chunks, 0);
      llvm::Error err =
          runAll(variants[v], [&](int64_t c, ArrayRef<float> values) {
            for (float y : values) {
              double d = double(y) - reference[c][offset[c]++];
              errorPower += d * d;
            }
          });
      if (err)
        errors[v] = toString(std::move(err));
      noise[v] = errorPower / signal;
      size_t finished = ++done;
      if (progress) {
        std::lock_guard<std::mutex> guard(progressLock);
        llvm::errs() << "\rqopt-measure-sensitivity: " << finished << "/"
                     << variants.size() << " variants";
      }
    });
  pool.wait();
  if (progress)
    llvm::errs() << "\n";
  for (const std::string &error : errors)
    if (!error.empty())
      return fail(error);
  return noise;
}

/// The input activations of `layers` (each once, in the order of their
/// first reader) with their calibrated values; activations without one
/// are not quantized by qopt-insert-qdq, so they have no width to choose.
llvm::Expected<SmallVector<MeasuredActivation>>
MeasureSensitivityPass::findActivations(ArrayRef<WeightedLayer> layers) {
  SmallVector<MeasuredActivation> activations;
  for (const WeightedLayer &layer : layers) {
    InputActivation activation = inputActivation(layer);
    if (llvm::any_of(activations, [&](const MeasuredActivation &a) {
          return a.root == activation.root;
        }))
      continue;
    MeasuredActivation measured;
    measured.name = activationName(activation);
    measured.root = activation.root;
    for (Value value : activation.values) {
      RangeAttr range = getCalibratedRange(value);
      if (!range)
        continue;
      auto type = dyn_cast<RankedTensorType>(value.getType());
      if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
        return fail("the activation '" + measured.name +
                    "' is not a statically shaped float32 tensor");
      measured.values.push_back(value);
      measured.ranges.push_back({static_cast<float>(range.getMinValue()),
                                 static_cast<float>(range.getMaxValue())});
    }
    if (!measured.values.empty())
      activations.push_back(std::move(measured));
  }
  return activations;
}

/// Measures every variant: compiles a copy of the model whose layers take
/// their weights as extra arguments, and whose activations are
/// fake-quantized under arguments of their own, so that one compiled model
/// runs them all.
llvm::Expected<Measurements> MeasureSensitivityPass::measureOnCopy(
    func::FuncOp func, ArrayRef<WeightedLayer> layers,
    ArrayRef<MeasuredActivation> activations, ArrayRef<int64_t> candidates,
    ArrayRef<PolicyAttr> activationPolicies, ArrayRef<std::string> names,
    const std::vector<NumpyArray> &samples) {
  MLIRContext *ctx = &getContext();
  IRMapping toCopy;
  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(getOperation()->clone(toCopy));
  auto copyFunc = cast<func::FuncOp>(copy->lookupSymbol(func.getSymName()));
  auto addArgument = [&](Type type, Location loc) -> FailureOr<Value> {
    unsigned index = copyFunc.getNumArguments();
    if (failed(copyFunc.insertArgument(index, type, {}, loc)))
      return failure();
    return copyFunc.getArgument(index);
  };
  for (WeightedLayer &layer : findWeightedLayers(copyFunc)) {
    Value weights = layer.op->getOperand(WeightedLayer::kWeightOperand);
    FailureOr<Value> arg = addArgument(weights.getType(), weights.getLoc());
    if (failed(arg))
      return fail("cannot make the weights of a layer an argument");
    layer.op->setOperand(WeightedLayer::kWeightOperand, *arg);
  }
  // Base arguments after the samples: the float weights, then every
  // activation value's fake quantization, off.
  std::vector<NumpyArray> baseArgs;
  for (const WeightedLayer &layer : layers)
    baseArgs.push_back(toArray(layer.weights));
  std::vector<std::vector<size_t>> activationArgs;
  auto paramsType = RankedTensorType::get({4}, Float32Type::get(ctx));
  for (const MeasuredActivation &activation : activations) {
    std::vector<size_t> &args = activationArgs.emplace_back();
    for (Value original : activation.values) {
      Value value = toCopy.lookup(original);
      FailureOr<Value> params = addArgument(paramsType, value.getLoc());
      if (failed(params))
        return fail("cannot add the quantization arguments of '" +
                    activation.name + "'");
      OpBuilder builder(ctx);
      if (auto arg = dyn_cast<BlockArgument>(value))
        builder.setInsertionPointToStart(arg.getOwner());
      else
        builder.setInsertionPointAfter(value.getDefiningOp());
      Value quantized = fakeQuantize(builder, value.getLoc(), value, *params);
      value.replaceAllUsesExcept(quantized, quantized.getDefiningOp());
      args.push_back(baseArgs.size() + 1);
      baseArgs.push_back(fakeQuantOff());
    }
  }

  // The variants: each layer at each width, each activation at each
  // width. Their arguments are made up front: attributes are built in
  // the context, which the worker threads do not touch. (A deque: the
  // variants point into it.)
  std::deque<NumpyArray> replacements;
  std::vector<Variant> variants;
  for (auto [l, layer] : llvm::enumerate(layers))
    for (int64_t bits : candidates) {
      std::string error;
      FailureOr<DenseFPElementsAttr> quantized = fakeQuantizeConstant(
          layer.weights, weightPolicyForWidth(ctx, bits, layer.outputAxis),
          RoundingMode::half_to_even, error);
      if (failed(quantized))
        return fail("the weights of '" + names[l] +
                    "' cannot be quantized: " + error);
      replacements.push_back(toArray(*quantized));
      variants.push_back({{1 + l, &replacements.back()}});
    }
  for (auto [a, activation] : llvm::enumerate(activations))
    for (PolicyAttr policy : activationPolicies) {
      Variant &variant = variants.emplace_back();
      for (auto [arg, range] :
           llvm::zip(activationArgs[a], activation.ranges)) {
        replacements.push_back(fakeQuantParams(policy, range));
        variant.push_back({arg, &replacements.back()});
      }
    }

  auto runner = ModelRunner::create(*copy, func.getSymName());
  if (!runner)
    return runner.takeError();
  std::vector<NumpyArray> firstCall{samples.front()};
  firstCall.insert(firstCall.end(), baseArgs.begin(), baseArgs.end());
  if (auto n = (*runner)->countChunks(firstCall); !n)
    return n.takeError();
  auto noise = runVariants(**runner, samples, baseArgs, variants);
  if (!noise)
    return noise.takeError();
  Measurements measured;
  auto next = noise->begin();
  for (size_t l = 0; l < layers.size(); ++l, next += candidates.size())
    measured.layers.emplace_back(next, next + candidates.size());
  for (size_t a = 0; a < activations.size();
       ++a, next += activationPolicies.size())
    measured.activations.emplace_back(next, next + activationPolicies.size());
  return measured;
}

llvm::Error MeasureSensitivityPass::measure() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  if (data.empty())
    return fail("no calibration data: pass data=file.npy or file.npz:key");
  SmallVector<int64_t> candidates(widths.begin(), widths.end());
  if (candidates.empty())
    candidates = {8, 4};
  for (auto [i, w] : llvm::enumerate(candidates)) {
    if (w < 2 || w > 8)
      return fail("width " + Twine(w) +
                  " is not supported: weight widths are 2 to 8 bits");
    if (llvm::is_contained(ArrayRef(candidates).take_front(i), w))
      return fail("width " + Twine(w) + " is listed twice");
  }
  SmallVector<int64_t> activationCandidates(activationWidths.begin(),
                                            activationWidths.end());
  SmallVector<PolicyAttr> activationPolicies;
  for (auto [i, w] : llvm::enumerate(activationCandidates)) {
    auto policy = activationPolicyForWidth(ctx, w, activationPolicy);
    if (!policy)
      return policy.takeError();
    if (llvm::is_contained(ArrayRef(activationCandidates).take_front(i), w))
      return fail("activation width " + Twine(w) + " is listed twice");
    activationPolicies.push_back(*policy);
  }
  if (maxSamples < 0)
    return fail("max-samples must be >= 0, got " + Twine(maxSamples));

  auto found = findEntryFunction(module, function, "function=...");
  if (!found)
    return found.takeError();
  func::FuncOp func = *found;
  if (func.getNumArguments() != 1)
    return fail("sensitivity is measured on single-input models; '" +
                func.getSymName() + "' takes " + Twine(func.getNumArguments()));
  SmallVector<WeightedLayer> layers = findWeightedLayers(func);
  if (layers.empty())
    return fail("'" + func.getSymName() +
                "' has no layer with constant float weights (tosa.conv2d, "
                "depthwise_conv2d or matmul)");
  SmallVector<MeasuredActivation> activations;
  if (!activationCandidates.empty()) {
    auto foundActivations = findActivations(layers);
    if (!foundActivations)
      return foundActivations.takeError();
    activations = std::move(*foundActivations);
    if (activations.empty())
      return fail("activation widths were asked for, but no layer's input "
                  "is calibrated (run qopt-calibrate and "
                  "qopt-propagate-ranges first)");
  }

  // The samples: the first max-samples, whole batches of the model's batch.
  auto inputType = dyn_cast<RankedTensorType>(func.getArgumentTypes().front());
  if (!inputType || !inputType.hasStaticShape() || inputType.getRank() == 0 ||
      !inputType.getElementType().isF32())
    return fail("the model's input must be a statically shaped float32 "
                "tensor");
  ArrayRef<int64_t> inputShape = inputType.getShape();
  auto reader = NumpySampleReader::open(data);
  if (!reader)
    return reader.takeError();
  const NumpyArray &header = (*reader)->header();
  if (!header.isFloat32())
    return fail("calibration data must be float32 ('<f4'), got '" +
                header.dtype + "'");
  if (header.shape.size() != inputShape.size() ||
      !std::equal(header.shape.begin() + 1, header.shape.end(),
                  inputShape.begin() + 1)) {
    std::string expected;
    llvm::raw_string_ostream os(expected);
    llvm::interleaveComma(inputShape.drop_front(), os);
    return fail("calibration samples must have shape (N, " + expected +
                ") for the model's input");
  }
  int64_t batch = inputShape.front();
  int64_t chunks = (*reader)->numSamples() / batch;
  if (maxSamples > 0)
    chunks = std::min(chunks, (maxSamples + batch - 1) / batch);
  if (chunks == 0)
    return fail("the calibration set holds fewer samples than one batch (" +
                Twine(batch) + ")");
  std::vector<NumpyArray> samples(chunks);
  std::string fingerprintText;
  {
    llvm::raw_string_ostream os(fingerprintText);
    os << "qopt-sensitivity-v1\n";
    llvm::interleaveComma(candidates, os);
    os << "\n";
    // (Only with activation widths, so that earlier caches stay valid.)
    if (!activationCandidates.empty()) {
      os << "activations ";
      llvm::interleaveComma(activationPolicies, os);
      os << "\n";
    }
    prepareForLowering(module, func.getSymName())->print(os);
  }
  for (int64_t c = 0; c < chunks; ++c) {
    if (auto err = (*reader)->readNext(batch, samples[c]))
      return err;
    if (auto err = checkFiniteSamples(samples[c], c * batch, "calibration"))
      return err;
    fingerprintText.append(samples[c].data.begin(), samples[c].data.end());
  }
  std::string key = llvm::utohexstr(llvm::xxh3_64bits(fingerprintText),
                                    /*LowerCase=*/true, /*Width=*/16);

  std::vector<std::string> names, activationNames;
  for (const WeightedLayer &layer : layers)
    names.push_back(layerName(layer.op->getLoc()));
  for (const MeasuredActivation &activation : activations)
    activationNames.push_back(activation.name);
  std::optional<SensitivityCache> cacheFile;
  std::optional<Measurements> measured;
  if (!cache.empty()) {
    auto opened = SensitivityCache::open(cache);
    if (!opened)
      return opened.takeError();
    cacheFile = std::move(*opened);
    measured = cacheFile->lookup(key, layers.size(), candidates,
                                 activations.size(), activationCandidates);
  }

  if (!measured) {
    auto fresh = measureOnCopy(func, layers, activations, candidates,
                               activationPolicies, names, samples);
    if (!fresh)
      return fresh.takeError();
    measured = std::move(*fresh);
    if (cacheFile)
      if (auto err = cacheFile->store(key, names, candidates, activationNames,
                                      activationCandidates, *measured))
        return err;
  }

  for (auto [layer, perWidth] : llvm::zip(layers, measured->layers)) {
    ArrayRef<int64_t> layerActivationWidths;
    ArrayRef<double> activationNoise;
    Value root = inputActivation(layer).root;
    for (auto [activation, noise] :
         llvm::zip(activations, measured->activations))
      if (activation.root == root) {
        layerActivationWidths = activationCandidates;
        activationNoise = noise;
      }
    layer.op->setAttr(QOptDialect::kSensitivityAttrName,
                      SensitivityAttr::get(ctx, candidates, perWidth,
                                           layerActivationWidths,
                                           activationNoise, {}));
  }
  return llvm::Error::success();
}
