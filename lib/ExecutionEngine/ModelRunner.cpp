//===- ModelRunner.cpp - run a float graph on NumPy arrays ----------------===//

#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/Support/Error.h"
#include "qopt/Target/Cpu/CpuTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace qopt;

/// Upstream lowering of a TOSA float graph to the LLVM dialect, with
/// results copied into caller-provided out-parameters and every temporary
/// buffer freed (so repeated calls run in constant memory). (LLVM 22's
/// buffer-results-to-out-params{hoist-static-allocs} crashes when a result
/// is a reshaped view, hence the copies.) The TOSA part is upstream's
/// tosa-to-linalg-pipeline minus tosa-validate, whose level check in LLVM
/// 22 rejects a rank-4 tosa.pad (its !tosa.shape<8> padding counts as rank
/// 8 > MAX_RANK).
static const char *const kGraphPipeline =
    "convert-qopt-to-arith,canonicalize,"
    "func.func(tosa-optional-decompositions),canonicalize,"
    "func.func(tosa-infer-shapes,tosa-make-broadcastable,tosa-to-linalg-named),"
    "canonicalize,"
    "func.func(tosa-layerwise-constant-fold,tosa-make-broadcastable,"
    "tosa-to-linalg,tosa-to-tensor,"
    "tosa-to-arith{include-apply-rescale=true}),canonicalize,"
    "func.func(linalg-fuse-elementwise-ops),canonicalize,"
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{modify-public-functions},";

llvm::Expected<func::FuncOp> qopt::findEntryFunction(ModuleOp module,
                                                     llvm::StringRef name,
                                                     llvm::StringRef chooser) {
  func::FuncOp func;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal() || f.isPrivate())
      continue;
    if (!name.empty() && f.getSymName() != name)
      continue;
    if (func)
      return fail("the module has several functions; name one with " + chooser);
    func = f;
  }
  if (!func)
    return fail(name.empty() ? llvm::Twine("the module has no function")
                             : "no function named '" + name + "'");
  return func;
}

OwningOpRef<ModuleOp> qopt::prepareForLowering(ModuleOp module,
                                               llvm::StringRef function) {
  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(module->clone());
  for (auto f : llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (f.getSymName() == function)
      f->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  // Quantization annotations (qopt.range, qopt.policy) describe float values
  // and would not verify on the lowered LLVM values; execution ignores them.
  auto isAnnotation = [](NamedAttribute a) {
    return a.getName().getValue().starts_with("qopt.");
  };
  copy->walk([&](Operation *op) {
    SmallVector<NamedAttribute> discardable(op->getDiscardableAttrs());
    for (NamedAttribute a : discardable)
      if (isAnnotation(a))
        op->removeDiscardableAttr(a.getName());
    if (auto f = dyn_cast<func::FuncOp>(op))
      for (unsigned i = 0; i < f.getNumArguments(); ++i) {
        DictionaryAttr attrs = f.getArgAttrDict(i);
        if (!attrs)
          continue;
        for (NamedAttribute a : attrs.getValue())
          if (isAnnotation(a))
            f.removeArgAttr(i, a.getName());
      }
  });
  return copy;
}

std::string qopt::graphLoweringPipeline(const CpuTarget *target) {
  std::string pipeline = std::string(kGraphPipeline) + kBuffersToLLVM;
  if (!target)
    return pipeline;
  return "func.func(qopt-split-int16-layers," + target->gemmPass() + ")," +
         withDotIsa(pipeline, target->dotIsa());
}

llvm::Expected<std::unique_ptr<ModelRunner>>
ModelRunner::create(ModuleOp module, llvm::StringRef function, Codegen codegen,
                    const CpuTarget *target) {
  auto found = findEntryFunction(module, function, "--function");
  if (!found)
    return found.takeError();
  func::FuncOp func = *found;
  std::unique_ptr<ModelRunner> runner(new ModelRunner());
  runner->functionName = func.getSymName().str();
  auto signature = [&](Type type, DictionaryAttr attrs, std::string fallback,
                       std::vector<TensorSignature> &into) -> llvm::Error {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape() ||
        !tensor.getElementType().isF32() || tensor.getRank() == 0)
      return fail("'" + fallback + "' has type " + llvm::Twine([&] {
                    std::string s;
                    llvm::raw_string_ostream os(s);
                    os << type;
                    return s;
                  }()) +
                  "; qopt-run needs statically shaped f32 tensors");
    TensorSignature sig;
    sig.name = fallback;
    if (attrs)
      if (auto name = attrs.getAs<StringAttr>("onnx.name"))
        sig.name = name.str();
    sig.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    into.push_back(sig);
    return llvm::Error::success();
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (auto err = signature(func.getArgumentTypes()[i], func.getArgAttrDict(i),
                             "arg" + std::to_string(i), runner->inputSigs))
      return std::move(err);
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (auto err =
            signature(func.getResultTypes()[i], func.getResultAttrDict(i),
                      "result" + std::to_string(i), runner->outputSigs))
      return std::move(err);

  OwningOpRef<ModuleOp> copy = prepareForLowering(module, runner->functionName);
  std::string source;
  llvm::raw_string_ostream os(source);
  copy->print(os);
  CpuTarget host;
  if (codegen == Codegen::native) {
    if (!target) {
      auto parsed = parseCpuTarget("host");
      if (!parsed)
        return parsed.takeError();
      host = std::move(*parsed);
      target = &host;
    }
    if (auto err = checkRunsOnHost(*target))
      return std::move(err);
  }
  std::string pipeline =
      graphLoweringPipeline(codegen == Codegen::native ? target : nullptr);
  // The JIT compiles for the target's CPU and features (a subset of the
  // host's, checked above), not the host's full set.
  runner->kernel =
      codegen == Codegen::native
          ? std::make_unique<JitKernel>(source, pipeline, target->cpu,
                                        target->jitFeatures())
          : std::make_unique<JitKernel>(source, pipeline);
  if (!runner->kernel->ok() ||
      !runner->kernel->materialize(runner->functionName))
    return fail("cannot compile '" + runner->functionName +
                "': " + runner->kernel->error());
  return std::move(runner);
}

OwningOpRef<ModuleOp> qopt::withExtraResults(
    ModuleOp module, llvm::StringRef function,
    llvm::function_ref<SmallVector<Value>(Operation *)> select) {
  OwningOpRef<ModuleOp> copy = cast<ModuleOp>(module->clone());
  for (auto func : copy->getOps<func::FuncOp>()) {
    if (func.getSymName() != function)
      continue;
    SmallVector<Value> extra = select(func);
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    results.append(extra.begin(), extra.end());
    OpBuilder builder(ret);
    func::ReturnOp::create(builder, ret.getLoc(), results);
    ret.erase();
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    func.setFunctionType(
        FunctionType::get(module.getContext(), func.getArgumentTypes(), types));
    func.setAllResultAttrs(ArrayRef<DictionaryAttr>{});
  }
  return copy;
}

static std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

llvm::Expected<int64_t>
ModelRunner::countChunks(const std::vector<NumpyArray> &arrays) {
  if (arrays.size() != inputSigs.size())
    return fail("the model takes " + llvm::Twine(inputSigs.size()) +
                " inputs, got " + llvm::Twine(arrays.size()));
  int64_t chunks = -1;
  for (size_t i = 0; i < arrays.size(); ++i) {
    const NumpyArray &a = arrays[i];
    const TensorSignature &sig = inputSigs[i];
    if (!a.isFloat32())
      return fail("input '" + sig.name + "' must be float32 ('<f4'), got '" +
                  a.dtype + "'");
    bool sameTail =
        a.shape.size() == sig.shape.size() &&
        std::equal(a.shape.begin() + 1, a.shape.end(), sig.shape.begin() + 1);
    if (!sameTail || a.shape[0] % sig.shape[0] != 0)
      return fail("input '" + sig.name + "' has shape " + shapeString(a.shape) +
                  "; the model expects " + shapeString(sig.shape) +
                  " with any multiple of the batch " +
                  llvm::Twine(sig.shape[0]));
    int64_t n = a.shape[0] / sig.shape[0];
    if (chunks >= 0 && n != chunks)
      return fail("inputs disagree on the batch size");
    chunks = n;
  }
  return chunks;
}

std::vector<NumpyArray> ModelRunner::makeOutputBuffers() const {
  std::vector<NumpyArray> outputs;
  for (const TensorSignature &sig : outputSigs) {
    NumpyArray out;
    out.dtype = "<f4";
    out.shape = sig.shape;
    out.data.resize(out.numElements() * 4);
    outputs.push_back(std::move(out));
  }
  return outputs;
}

llvm::Error ModelRunner::runChunk(const std::vector<NumpyArray> &arrays,
                                  int64_t chunk, int64_t chunks,
                                  std::vector<NumpyArray> &outputs) {
  std::vector<std::vector<int64_t>> descriptors;
  for (size_t i = 0; i < arrays.size(); ++i) {
    int64_t chunkBytes = arrays[i].data.size() / chunks;
    descriptors.push_back(memrefDescriptor(
        const_cast<char *>(arrays[i].data.data()) + chunk * chunkBytes,
        inputSigs[i].shape));
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    descriptors.push_back(
        memrefDescriptor(outputs[i].data.data(), outputSigs[i].shape));
  std::vector<void *> pointers, args;
  for (auto &d : descriptors)
    pointers.push_back(d.data());
  for (void *&p : pointers)
    args.push_back(&p);
  if (!kernel->callPacked(functionName, args.data()))
    return fail("execution failed: " + kernel->error());
  return llvm::Error::success();
}

llvm::Error ModelRunner::forEachChunk(
    const std::vector<NumpyArray> &arrays,
    llvm::function_ref<llvm::Error(int64_t, const std::vector<NumpyArray> &)>
        onChunk,
    int64_t maxChunks) {
  llvm::Expected<int64_t> chunks = countChunks(arrays);
  if (!chunks)
    return chunks.takeError();
  std::vector<NumpyArray> outputs = makeOutputBuffers();
  int64_t limit = maxChunks > 0 ? std::min(maxChunks, *chunks) : *chunks;
  for (int64_t c = 0; c < limit; ++c) {
    if (auto err = runChunk(arrays, c, *chunks, outputs))
      return err;
    if (auto err = onChunk(c, outputs))
      return err;
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<NumpyArray>>
ModelRunner::run(const std::vector<NumpyArray> &arrays) {
  llvm::Expected<int64_t> chunks = countChunks(arrays);
  if (!chunks)
    return chunks.takeError();
  std::vector<NumpyArray> results;
  for (const TensorSignature &sig : outputSigs) {
    NumpyArray out;
    out.dtype = "<f4";
    out.shape = sig.shape;
    out.shape[0] *= *chunks;
    out.data.resize(out.numElements() * 4);
    results.push_back(std::move(out));
  }
  auto gather = [&](int64_t c, const std::vector<NumpyArray> &outputs) {
    for (size_t i = 0; i < outputs.size(); ++i)
      std::memcpy(results[i].data.data() + c * outputs[i].data.size(),
                  outputs[i].data.data(), outputs[i].data.size());
    return llvm::Error::success();
  };
  if (auto err = forEachChunk(arrays, gather))
    return std::move(err);
  return results;
}
