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
    for (auto [i, b] : llvm::enumerate(bits)) {
      if (b > 8) {
        fail(layer.op->getLoc())
            << "width " << b << " is not supported: weights are 2 to 8 bits";
        return;
      }
      WidthOption option;
      option.bits = b;
      option.bytes = (count * storageBitsForWidth(b) + 7) / 8;
      option.noise = layer.sensitivity.getNoise()[i];
      option.latency = latency.empty() ? 0.0 : latency[i];
      options.options.push_back(option);
    }
  }

  llvm::Expected<Assignment> solved = solvePrecision(report.layers, budget);
  if (!solved) {
    fail(module.getLoc()) << toString(solved.takeError());
    return;
  }
  report.chosen = std::move(*solved);
  report.front = paretoFront(report.layers, budget.latency.has_value());

  // Record the choice where qopt-insert-qdq reads it.
  for (auto [l, layer] : llvm::enumerate(layers)) {
    unsigned bits = report.layers[l].options[report.chosen.choice[l]].bits;
    setWeightPolicy(layer, weightPolicyForWidth(ctx, bits, layer.outputAxis));
    layer.op->removeAttr(QOptDialect::kSensitivityAttrName);
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
