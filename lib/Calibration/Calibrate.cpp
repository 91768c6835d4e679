//===- Calibrate.cpp - run the float model and attach calibrated ranges ---===//

#include "qopt/Calibration/Passes.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Dialect/QOpt/Utils/Observers.h"
#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/Support/NumpyIO.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>

namespace qopt {
#define GEN_PASS_DEF_CALIBRATEPASS
#include "qopt/Calibration/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

/// A float tensor the calibration observes: a function argument or the
/// single result of an op.
struct ObservedValue {
  Value value;
  std::optional<unsigned> argument;
};

bool isObservable(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

/// Values calibration observes, in a deterministic order: arguments, then
/// results of single-result ops that depend on an argument, in program order
/// (values computed from constants alone, such as sliced weights, are
/// weights, not activations).
SmallVector<ObservedValue> observedValues(func::FuncOp func) {
  SmallVector<ObservedValue> out;
  llvm::DenseSet<Value> variable(func.getArguments().begin(),
                                 func.getArguments().end());
  for (BlockArgument arg : func.getArguments())
    if (isObservable(arg))
      out.push_back({arg, arg.getArgNumber()});
  func.walk([&](Operation *op) {
    if (llvm::none_of(op->getOperands(),
                      [&](Value v) { return variable.contains(v); }))
      return;
    variable.insert(op->getResults().begin(), op->getResults().end());
    if (op->getNumResults() == 1 && isObservable(op->getResult(0)))
      out.push_back({op->getResult(0), std::nullopt});
  });
  return out;
}

struct CalibratePass : qopt::impl::CalibratePassBase<CalibratePass> {
  using Base::Base;

  void runOnOperation() override;
};
} // namespace

void CalibratePass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  Location loc = module.getLoc();
  auto fail = [&](const Twine &message) {
    emitError(loc) << "qopt-calibrate: " << message;
    signalPassFailure();
  };
  if (data.empty())
    return fail("no calibration data: pass data=file.npy or file.npz:key");
  auto kind = parseObserverKind(observer);
  if (!kind)
    return fail(toString(kind.takeError()));
  if (bins < 2 || percentile <= 0.0 || percentile > 100.0)
    return fail("bins must be >= 2 and percentile in (0, 100]");

  auto found = findEntryFunction(module, function, "function=...");
  if (!found)
    return fail(toString(found.takeError()));
  func::FuncOp func = *found;
  if (func.getNumArguments() != 1)
    return fail("calibration supports single-input models; '" +
                func.getSymName() + "' takes " + Twine(func.getNumArguments()));

  // The calibration set, read one batch at a time: memory does not grow
  // with the number of samples.
  auto reader = NumpySampleReader::open(data);
  if (!reader)
    return fail(toString(reader.takeError()));
  const NumpyArray &header = (*reader)->header();
  if (!header.isFloat32())
    return fail("calibration data must be float32 ('<f4'), got '" +
                header.dtype + "'");
  if ((*reader)->numSamples() == 0)
    return fail("the calibration set is empty");

  // Instrument a copy: every observed op result becomes an extra result.
  // Arguments are observed on the host from the input data itself (and
  // returning an argument trips upstream's buffer-results-to-out-params).
  SmallVector<ObservedValue> observed = observedValues(func);
  int64_t numResults = func.getNumResults();
  SmallVector<int64_t> outputIndex;
  OwningOpRef<ModuleOp> copy =
      withExtraResults(module, func.getSymName(), [&](Operation *op) {
        SmallVector<Value> extra;
        SmallVector<ObservedValue> inCopy =
            observedValues(cast<func::FuncOp>(op));
        assert(inCopy.size() == observed.size() && "clone changed the walk");
        for (const ObservedValue &v : inCopy) {
          if (v.argument) {
            outputIndex.push_back(-1);
            continue;
          }
          outputIndex.push_back(numResults + extra.size());
          extra.push_back(v.value);
        }
        return extra;
      });

  auto runner = ModelRunner::create(*copy, func.getSymName());
  if (!runner)
    return fail(toString(runner.takeError()));

  ObserverOptions options;
  options.kind = *kind;
  options.bins = bins;
  options.percentile = percentile / 100.0;
  // MSE / entropy judge ranges for the default activation scheme.
  options.scheme.bits = 8;
  options.scheme.isSigned = true;
  options.scheme.symmetric = false;
  std::vector<Observer> observers(observed.size(), Observer(options));

  // countChunks checks dtype and shape against the model's input.
  auto chunks = (*runner)->countChunks({header});
  if (!chunks)
    return fail(toString(chunks.takeError()));
  int64_t batch = (*runner)->inputs().front().shape[0];
  int64_t total = *chunks;
  if (maxSamples > 0)
    total = std::min<int64_t>(total, (maxSamples + batch - 1) / batch);
  bool progress = llvm::errs().is_displayed();
  std::vector<NumpyArray> inputs(1), outputs = (*runner)->makeOutputBuffers();
  for (int64_t chunk = 0; chunk < total; ++chunk) {
    if (auto err = (*reader)->readNext(batch, inputs.front()))
      return fail(toString(std::move(err)));
    if (auto err =
            checkFiniteSamples(inputs.front(), chunk * batch, "calibration"))
      return fail(toString(std::move(err)));
    if (auto err = (*runner)->runChunk(inputs, 0, 1, outputs))
      return fail(toString(std::move(err)));
    for (size_t i = 0; i < observers.size(); ++i) {
      const NumpyArray &out =
          outputIndex[i] < 0 ? inputs.front() : outputs[outputIndex[i]];
      if (auto err = observers[i].observe(llvm::ArrayRef<float>(
              reinterpret_cast<const float *>(out.data.data()),
              out.numElements())))
        return fail(
            "sample " + Twine(chunk * batch) +
            " produced a non-finite intermediate: " + toString(std::move(err)));
    }
    if (progress && (chunk % 16 == 0 || chunk + 1 == total))
      llvm::errs() << "\rqopt-calibrate: " << (chunk + 1) * batch << "/"
                   << total * batch << " samples";
  }
  if (progress)
    llvm::errs() << "\n";

  // Attach the ranges to the original function.
  for (auto [index, v] : llvm::enumerate(observed)) {
    auto range = observers[index].range();
    if (!range)
      return fail(toString(range.takeError()));
    // A value that never varies still gets a valid (smallest) scale, but a
    // range of one point usually means the data or the graph is not what
    // the user thinks.
    if (range->min == range->max)
      emitWarning(v.value.getLoc())
          << "qopt-calibrate: "
          << (v.argument ? "argument " + std::to_string(*v.argument)
                         : "'" +
                               v.value.getDefiningOp()
                                   ->getName()
                                   .getStringRef()
                                   .str() +
                               "'")
          << " is " << range->min
          << " on every calibration sample (min == max): it is quantized "
             "with the smallest scale and represents little else";
    auto attr = RangeAttr::get(ctx, range->min, range->max);
    if (v.argument)
      func.setArgAttr(*v.argument, QOptDialect::kRangeAttrName, attr);
    else
      v.value.getDefiningOp()->setAttr(QOptDialect::kRangeAttrName, attr);
  }
}
