//===- AssignPrecision.cpp - exact per-layer widths under a budget --------===//

#include "qopt/MixedPrecision/Passes.h"
#include "qopt/MixedPrecision/PrecisionReport.h"
#include "qopt/MixedPrecision/Solver.h"
#include "qopt/MixedPrecision/WeightedLayers.h"
#include "qopt/Support/Locations.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace qopt {
#define GEN_PASS_DEF_ASSIGNPRECISIONPASS
#include "qopt/MixedPrecision/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {
/// A layer the user or qopt-measure-sensitivity annotated.
struct AnnotatedLayer : WeightedLayer {
  SensitivityAttr sensitivity;
};

struct AssignPrecisionPass
    : qopt::impl::AssignPrecisionPassBase<AssignPrecisionPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult writeFile(StringRef path, StringRef what,
                          function_ref<void(raw_ostream &)> write) {
    if (path == "-") {
      write(llvm::errs());
      return success();
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return emitError(getOperation().getLoc())
             << "qopt-assign-precision: cannot write the " << what << " '"
             << path << "': " << ec.message();
    write(os);
    return success();
  }
};
} // namespace

void AssignPrecisionPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  auto fail = [&](Location loc) {
    signalPassFailure();
    return emitError(loc) << "qopt-assign-precision: ";
  };

  SmallVector<AnnotatedLayer> layers;
  bool malformed = false;
  module.walk([&](Operation *op) {
    auto sensitivity =
        op->getAttrOfType<SensitivityAttr>(QOptDialect::kSensitivityAttrName);
    if (!sensitivity)
      return;
    std::optional<WeightedLayer> layer = asWeightedLayer(op);
    if (!layer) {
      fail(op->getLoc()) << "'" << op->getName()
                         << "' carries qopt.sensitivity but is not a "
                            "convolution or matmul with constant float weights";
      malformed = true;
      return;
    }
    layers.push_back({*layer, sensitivity});
  });
  if (malformed)
    return;
  if (layers.empty()) {
    fail(module.getLoc()) << "no layer carries qopt.sensitivity; run "
                             "qopt-measure-sensitivity first";
    return;
  }

  // Budgets.
  PrecisionBudget budget;
  int64_t totalWeights = 0;
  for (const AnnotatedLayer &layer : layers)
    totalWeights += layer.weights.getNumElements();
  if (budgetBytes < 0 || averageBits < 0 || budgetLatency < 0) {
    fail(module.getLoc()) << "budgets must be positive";
    return;
  }
  if (budgetBytes > 0 && averageBits > 0) {
    fail(module.getLoc()) << "give budget-bytes or average-bits, not both";
    return;
  }
  if (budgetBytes > 0)
    budget.bytes = budgetBytes;
  if (averageBits > 0)
    budget.bytes = static_cast<int64_t>(
        std::floor(averageBits * static_cast<double>(totalWeights) / 8.0));
  if (budgetLatency > 0)
    budget.latency = budgetLatency.getValue();
  if (!budget.bytes && !budget.latency) {
    fail(module.getLoc())
        << "no budget: give budget-bytes, average-bits or budget-latency";
    return;
  }

  // Costs of every candidate.
  PrecisionReport report;
  report.budget = budget;
  report.hasLatency = llvm::all_of(layers, [](const AnnotatedLayer &layer) {
    return !layer.sensitivity.getLatency().empty();
  });
  for (const AnnotatedLayer &layer : layers) {
    LayerOptions &options = report.layers.emplace_back();
    options.name = layerName(layer.op->getLoc());
    int64_t count = layer.weights.getNumElements();
    report.weightCounts.push_back(count);
    std::string kind = layer.op->getName().stripDialect().str() + " ";
    llvm::raw_string_ostream kindOs(kind);
    llvm::interleave(layer.weights.getType().getShape(), kindOs, "x");
    report.kinds.push_back(std::move(kind));
    report.int8Bytes += count;
    ArrayRef<int64_t> bits = layer.sensitivity.getBits();
    ArrayRef<double> latency = layer.sensitivity.getLatency();
    if (budget.latency && latency.empty()) {
      fail(layer.op->getLoc())
          << "budget-latency needs a latency per width in qopt.sensitivity "
             "(latency = [...]); run qopt-measure-latency first";
      return;
    }
    // One option per weight width, or per (weight, activation) pair.
    ArrayRef<int64_t> activationBits = layer.sensitivity.getActivationBits();
    for (auto [i, b] : llvm::enumerate(bits)) {
      if (b > 8) {
        fail(layer.op->getLoc())
            << "width " << b << " is not supported: weights are 2 to 8 bits";
        return;
      }
      for (size_t a = 0; a < std::max<size_t>(activationBits.size(), 1); ++a) {
        WidthOption option;
        option.bits = b;
        option.bytes = (count * storageBitsForWidth(b) + 7) / 8;
        option.noise = layer.sensitivity.getNoise()[i];
        option.latency =
            latency.empty() ? 0.0 : layer.sensitivity.getLatencyAt(i, a);
        option.activationBits = activationBits.empty() ? 0 : activationBits[a];
        options.options.push_back(option);
      }
    }
  }

  // Layers reading one activation whose width is a choice decide it
  // together; they must all offer it, with the same measurements.
  SmallVector<InputActivation> inputs;
  for (const AnnotatedLayer &layer : layers)
    inputs.push_back(inputActivation(layer));
  SmallVector<InputActivation> activations;
  for (auto [l, layer] : llvm::enumerate(layers)) {
    const InputActivation &activation = inputs[l];
    auto found = llvm::find_if(activations, [&](const InputActivation &a) {
      return a.root == activation.root;
    });
    ArrayRef<int64_t> widths = layer.sensitivity.getActivationBits();
    if (found == activations.end()) {
      if (widths.empty())
        continue;
      activations.push_back(activation);
      ActivationGroup &group = report.activations.emplace_back();
      group.name = activationName(activation);
      group.bits.assign(widths.begin(), widths.end());
      ArrayRef<double> noise = layer.sensitivity.getActivationNoise();
      group.noise.assign(noise.begin(), noise.end());
      group.layers.push_back(l);
      continue;
    }
    ActivationGroup &group = report.activations[found - activations.begin()];
    if (!llvm::equal(widths, group.bits) ||
        !llvm::equal(layer.sensitivity.getActivationNoise(), group.noise)) {
      fail(layer.op->getLoc())
          << "reads the activation '" << group.name << "' as '"
          << report.layers[group.layers.front()].name
          << "' does, but their qopt.sensitivity give it different "
             "activation widths or noise";
      return;
    }
    group.layers.push_back(l);
  }
  // A layer without activation widths reading an activation others widen.
  for (auto [l, layer] : llvm::enumerate(layers)) {
    if (!layer.sensitivity.getActivationBits().empty())
      continue;
    Value root = inputs[l].root;
    for (auto [a, activation] : llvm::enumerate(activations))
      if (activation.root == root) {
        fail(layer.op->getLoc())
            << "reads the activation '" << report.activations[a].name
            << "' whose width is a choice, but its qopt.sensitivity has no "
               "activation_bits";
        return;
      }
  }
  if (!activations.empty() && !budget.latency) {
    fail(module.getLoc())
        << "activation widths are candidates but there is no budget-latency: "
           "wider activations cost no weight bytes, so every one would be "
           "16-bit; give budget-latency (with measured latencies) or drop "
           "the activation widths";
    return;
  }

  llvm::Expected<Assignment> solved =
      solvePrecision(report.layers, budget, report.activations);
  if (!solved) {
    fail(module.getLoc()) << toString(solved.takeError());
    return;
  }
  report.chosen = std::move(*solved);
  report.front = paretoFront(report.layers, budget.latency.has_value(),
                             report.activations);

  // Record the choice where qopt-insert-qdq reads it. 8-bit activations
  // keep the activation policy qopt-insert-qdq is given.
  for (auto [l, layer] : llvm::enumerate(layers)) {
    const WidthOption &chosen =
        report.layers[l].options[report.chosen.choice[l]];
    setWeightPolicy(layer,
                    weightPolicyForWidth(ctx, chosen.bits, layer.outputAxis));
    layer.op->removeAttr(QOptDialect::kSensitivityAttrName);
  }
  for (auto [activation, group] : llvm::zip(activations, report.activations)) {
    unsigned l = group.layers.front();
    if (report.layers[l].options[report.chosen.choice[l]].activationBits == 16)
      setActivationPolicy(activation, int16ActivationPolicy(ctx));
  }

  if (!this->report.empty() &&
      failed(writeFile(this->report, "report", [&](raw_ostream &os) {
        writePrecisionTable(os, report);
      })))
    return signalPassFailure();
  if (!svg.empty() && failed(writeFile(svg, "plot", [&](raw_ostream &os) {
        writePrecisionSvg(os, report);
      })))
    return signalPassFailure();
}
