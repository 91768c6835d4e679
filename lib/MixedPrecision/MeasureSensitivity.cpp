//===- MeasureSensitivity.cpp - per-layer, per-width output error (JIT) ---===//

#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Dialect/QOpt/Utils/ConstantFolding.h"
#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/MixedPrecision/Passes.h"
#include "qopt/MixedPrecision/WeightedLayers.h"
#include "qopt/Support/Error.h"
#include "qopt/Support/Locations.h"
#include "qopt/Support/NumpyIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <atomic>
#include <mutex>

namespace qopt {
#define GEN_PASS_DEF_MEASURESENSITIVITYPASS
#include "qopt/MixedPrecision/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// One layer's measurement: noise[i] for widths[i].
using LayerNoise = std::vector<double>;

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

  /// The stored noise of `layers` layers at `widths`, if present and
  /// consistent.
  std::optional<std::vector<LayerNoise>> lookup(StringRef key, size_t layers,
                                                ArrayRef<int64_t> widths) {
    const llvm::json::Object *entry = root.getObject("models")->getObject(key);
    const llvm::json::Array *stored =
        entry ? entry->getArray("layers") : nullptr;
    if (!stored || stored->size() != layers)
      return std::nullopt;
    std::vector<LayerNoise> result;
    for (const llvm::json::Value &layer : *stored) {
      const llvm::json::Object *o = layer.getAsObject();
      const llvm::json::Array *bits = o ? o->getArray("bits") : nullptr;
      const llvm::json::Array *noise = o ? o->getArray("noise") : nullptr;
      if (!bits || !noise || bits->size() != widths.size() ||
          noise->size() != widths.size())
        return std::nullopt;
      LayerNoise values;
      for (size_t i = 0; i < widths.size(); ++i) {
        std::optional<int64_t> b = (*bits)[i].getAsInteger();
        std::optional<double> n = (*noise)[i].getAsNumber();
        if (b != widths[i] || !n)
          return std::nullopt;
        values.push_back(*n);
      }
      result.push_back(std::move(values));
    }
    return result;
  }

  /// Records an entry and rewrites the file (through a temporary, so an
  /// interrupted write never leaves half a cache).
  llvm::Error store(StringRef key, ArrayRef<std::string> names,
                    ArrayRef<int64_t> widths,
                    ArrayRef<LayerNoise> measurements) {
    llvm::json::Array layers;
    for (auto [name, noise] : llvm::zip(names, measurements))
      layers.push_back(llvm::json::Object{{"name", name},
                                          {"bits", llvm::json::Array(widths)},
                                          {"noise", llvm::json::Array(noise)}});
    (*root.getObject("models"))[key] =
        llvm::json::Object{{"layers", std::move(layers)}};
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
  std::string path;
  llvm::json::Object root;
};

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
  llvm::Expected<std::vector<LayerNoise>>
  runVariants(ModelRunner &runner, ArrayRef<WeightedLayer> layers,
              ArrayRef<std::string> names, ArrayRef<int64_t> candidates,
              const std::vector<NumpyArray> &samples,
              const std::vector<NumpyArray> &floatWeights);
};
} // namespace

/// Output error power / signal power of every (layer, width) variant.
/// Every variant is an independent run of the same compiled model, so they
/// run on all cores.
llvm::Expected<std::vector<LayerNoise>> MeasureSensitivityPass::runVariants(
    ModelRunner &runner, ArrayRef<WeightedLayer> layers,
    ArrayRef<std::string> names, ArrayRef<int64_t> candidates,
    const std::vector<NumpyArray> &samples,
    const std::vector<NumpyArray> &floatWeights) {
  MLIRContext *ctx = &getContext();
  int64_t chunks = samples.size();
  // The quantized weights of every variant, made up front: attributes are
  // built in the context, which the worker threads do not touch.
  std::vector<std::vector<NumpyArray>> variants(layers.size());
  for (auto [l, layer] : llvm::enumerate(layers))
    for (int64_t bits : candidates) {
      std::string error;
      FailureOr<DenseFPElementsAttr> quantized = fakeQuantizeConstant(
          layer.weights, weightPolicyForWidth(ctx, bits, layer.outputAxis),
          RoundingMode::half_to_even, error);
      if (failed(quantized))
        return fail("the weights of '" + names[l] +
                    "' cannot be quantized: " + error);
      variants[l].push_back(toArray(*quantized));
    }

  // Runs all chunks with layer `layer`'s weights replaced by `weights`
  // (none: the float model); `visit` sees each chunk's outputs.
  auto runAll = [&](std::optional<size_t> layer, const NumpyArray *weights,
                    llvm::function_ref<void(int64_t, ArrayRef<float>)> visit)
      -> llvm::Error {
    std::vector<NumpyArray> outputs = runner.makeOutputBuffers();
    // The model's arguments: one batch of samples, then every layer's
    // weights.
    std::vector<NumpyArray> args(1);
    args.insert(args.end(), floatWeights.begin(), floatWeights.end());
    if (layer)
      args[1 + *layer] = *weights;
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
  if (auto err =
          runAll(std::nullopt, nullptr, [&](int64_t c, ArrayRef<float> values) {
            reference[c].insert(reference[c].end(), values.begin(),
                                values.end());
            for (float v : values)
              signal += double(v) * v;
          }))
    return std::move(err);
  if (!(signal > 0) || !std::isfinite(signal))
    return fail("the float model's outputs are " +
                Twine(signal == 0 ? "zero" : "not finite") +
                " on the samples; the relative error is undefined");

  std::vector<LayerNoise> noise(layers.size(),
                                LayerNoise(candidates.size(), 0.0));
  std::vector<std::string> errors(layers.size() * candidates.size());
  std::atomic<size_t> done{0};
  size_t total = errors.size();
  bool progress = llvm::errs().is_displayed();
  std::mutex progressLock;
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
  for (size_t l = 0; l < layers.size(); ++l)
    for (size_t w = 0; w < candidates.size(); ++w)
      pool.async([&, l, w] {
        double errorPower = 0;
        std::vector<size_t> offset(chunks, 0);
        llvm::Error err =
            runAll(l, &variants[l][w], [&](int64_t c, ArrayRef<float> values) {
              for (float v : values) {
                double d = double(v) - reference[c][offset[c]++];
                errorPower += d * d;
              }
            });
        if (err)
          errors[l * candidates.size() + w] = toString(std::move(err));
        noise[l][w] = errorPower / signal;
        size_t finished = ++done;
        if (progress) {
          std::lock_guard<std::mutex> guard(progressLock);
          llvm::errs() << "\rqopt-measure-sensitivity: " << finished << "/"
                       << total << " variants";
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
  std::vector<NumpyArray> floatWeights;
  for (const WeightedLayer &layer : layers)
    floatWeights.push_back(toArray(layer.weights));
  std::string fingerprintText;
  {
    llvm::raw_string_ostream os(fingerprintText);
    os << "qopt-sensitivity-v1\n";
    llvm::interleaveComma(candidates, os);
    os << "\n";
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

  std::vector<std::string> names;
  for (const WeightedLayer &layer : layers)
    names.push_back(layerName(layer.op->getLoc()));
  std::optional<SensitivityCache> cacheFile;
  std::optional<std::vector<LayerNoise>> noise;
  if (!cache.empty()) {
    auto opened = SensitivityCache::open(cache);
    if (!opened)
      return opened.takeError();
    cacheFile = std::move(*opened);
    noise = cacheFile->lookup(key, layers.size(), candidates);
  }

  if (!noise) {
    // A copy whose layers take their weights as extra arguments, so that
    // one compiled model runs every (layer, width) variant.
    OwningOpRef<ModuleOp> copy = cast<ModuleOp>(module->clone());
    auto copyFunc = cast<func::FuncOp>(copy->lookupSymbol(func.getSymName()));
    for (WeightedLayer &layer : findWeightedLayers(copyFunc)) {
      Value weights = layer.op->getOperand(WeightedLayer::kWeightOperand);
      unsigned index = copyFunc.getNumArguments();
      if (failed(copyFunc.insertArgument(index, weights.getType(), {},
                                         weights.getLoc())))
        return fail("cannot make the weights of a layer an argument");
      layer.op->setOperand(WeightedLayer::kWeightOperand,
                           copyFunc.getArgument(index));
    }
    auto runner = ModelRunner::create(*copy, func.getSymName());
    if (!runner)
      return runner.takeError();
    std::vector<NumpyArray> firstCall{samples.front()};
    firstCall.insert(firstCall.end(), floatWeights.begin(), floatWeights.end());
    if (auto n = (*runner)->countChunks(firstCall); !n)
      return n.takeError();
    auto measured =
        runVariants(**runner, layers, names, candidates, samples, floatWeights);
    if (!measured)
      return measured.takeError();
    noise = std::move(*measured);
    if (cacheFile)
      if (auto err = cacheFile->store(key, names, candidates, *noise))
        return err;
  }

  for (auto [layer, perWidth] : llvm::zip(layers, *noise))
    layer.op->setAttr(QOptDialect::kSensitivityAttrName,
                      SensitivityAttr::get(ctx, candidates, perWidth));
  return llvm::Error::success();
}
