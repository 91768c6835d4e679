//===- qopt-run.cpp - run a model on NumPy data ---------------------------===//
//
//   qopt-run model.{mlir,onnx} --input x.npy [--input ...]
//            [--output y.npy|y.npz] [--labels labels.npy] [--function f]
//
// Compiles the model's float graph with upstream lowerings to the JIT and
// runs it. Inputs are .npy files or `archive.npz:key`; the batch dimension
// may be any multiple of the model's. With --labels, prints top-1 accuracy.
//
//===----------------------------------------------------------------------===//

#include "qopt/ExecutionEngine/ModelRunner.h"
#include "qopt/InitAllDialects.h"
#include "qopt/Support/NumpyIO.h"
#include "qopt/Target/Cpu/CpuTarget.h"
#include "qopt/Target/ONNX/ONNXImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include <malloc.h>

#include <chrono>
#include <cstring>

using namespace llvm;

static int failWith(const Twine &message) {
  errs() << "qopt-run: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // Only this tool's options in --help, not every LLVM backend flag.
  cl::OptionCategory toolOptions("qopt-run options");
  cl::opt<std::string> modelPath(cl::cat(toolOptions), cl::Positional,
                                 cl::desc("<model.mlir|onnx>"), cl::Required);
  cl::list<std::string> inputs(
      cl::cat(toolOptions), "input",
      cl::desc("Input array: file.npy or file.npz:key (repeat per "
               "model input, in order)"),
      cl::value_desc("spec"));
  cl::opt<std::string> output(cl::cat(toolOptions), "output",
                              cl::desc("Write outputs to .npy (one output) "
                                       "or .npz (keyed by output name)"),
                              cl::value_desc("file"));
  cl::opt<std::string> labels(
      cl::cat(toolOptions), "labels",
      cl::desc("Integer class labels: print top-1 accuracy"),
      cl::value_desc("spec"));
  cl::opt<std::string> function(cl::cat(toolOptions), "function",
                                cl::desc("Function to run (default: the only "
                                         "public one)"));
  cl::opt<qopt::Codegen> codegen(
      cl::cat(toolOptions), "codegen", cl::desc("How integer ops are compiled"),
      cl::init(qopt::Codegen::reference),
      cl::values(clEnumValN(qopt::Codegen::reference, "reference",
                            "upstream TOSA -> linalg -> loops"),
                 clEnumValN(qopt::Codegen::native, "native",
                            "int8 convolutions and matmuls as packed GEMM "
                            "microkernels for --target"),
                 clEnumValN(qopt::Codegen::native, "x86",
                            "the same as native (its name before AArch64 "
                            "support)")));
  cl::opt<std::string> target(
      cl::cat(toolOptions), "target",
      cl::desc("With --codegen=native: the CPU and features the code may "
               "use, as 'host' (default), a CPU name ('sapphirerapids', "
               "'x86-64-v3', ...) and ',+feature' / ',-feature' items "
               "(e.g. 'host,-amx-int8'); must run on this CPU (AArch64 "
               "targets: qopt-compile)"),
      cl::value_desc("cpu[,+feature,-feature...]"), cl::init("host"));
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "qopt-run: run a float model on NumPy data\n");
  qopt::registerJitPasses();
  // The compiled model allocates its intermediates with malloc on every
  // call; keep freed blocks in the heap (glibc would unmap blocks above its
  // mmap threshold and take page faults to get them back on the next
  // sample).
  mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's maximum
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (StringRef(modelPath).ends_with(".onnx")) {
    module = qopt::importONNXFile(modelPath, &context);
  } else {
    SourceMgr sourceMgr;
    mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
    module =
        mlir::parseSourceFile<mlir::ModuleOp>(modelPath, sourceMgr, &context);
  }
  if (!module)
    return 1;

  auto cpuTarget = qopt::parseCpuTarget(target);
  if (!cpuTarget)
    return failWith("--target: " + toString(cpuTarget.takeError()));
  if (codegen == qopt::Codegen::native)
    errs() << "qopt-run: target " << cpuTarget->summary() << "\n";
  auto runner =
      qopt::ModelRunner::create(*module, function, codegen, &*cpuTarget);
  if (!runner)
    return failWith(toString(runner.takeError()));
  if (inputs.size() != (*runner)->inputs().size())
    return failWith("the model takes " + Twine((*runner)->inputs().size()) +
                    " input(s); pass one --input each");
  std::vector<qopt::NumpyArray> arrays;
  for (const std::string &spec : inputs) {
    auto array = qopt::readArray(spec);
    if (!array)
      return failWith(toString(array.takeError()));
    arrays.push_back(std::move(*array));
  }
  auto start = std::chrono::steady_clock::now();
  auto results = (*runner)->run(arrays);
  if (!results)
    return failWith(toString(results.takeError()));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  int64_t samples = arrays.empty() ? 0 : arrays.front().shape[0];
  outs() << "qopt-run: " << samples << " samples in " << format("%.3f", seconds)
         << " s\n";

  if (!labels.empty()) {
    auto labelArray = qopt::readArray(labels);
    if (!labelArray)
      return failWith(toString(labelArray.takeError()));
    if (!labelArray->isInteger())
      return failWith("labels must be an integer array, got '" +
                      labelArray->dtype + "'");
    const qopt::NumpyArray &logits = results->front();
    int64_t n = logits.shape[0];
    int64_t classes = logits.numElements() / n;
    std::vector<int64_t> truth = labelArray->toInt64();
    if (static_cast<int64_t>(truth.size()) != n)
      return failWith("labels hold " + Twine(truth.size()) + " values for " +
                      Twine(n) + " samples");
    const float *scores = reinterpret_cast<const float *>(logits.data.data());
    int64_t correct = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t best = 0;
      for (int64_t c = 1; c < classes; ++c)
        if (scores[i * classes + c] > scores[i * classes + best])
          best = c;
      correct += best == truth[i];
    }
    outs() << "qopt-run: top-1 accuracy " << format("%.2f", 100.0 * correct / n)
           << "% (" << correct << "/" << n << ")\n";
  }

  if (!output.empty()) {
    Error err = Error::success();
    if (StringRef(output).ends_with(".npz")) {
      std::map<std::string, qopt::NumpyArray> named;
      for (size_t i = 0; i < results->size(); ++i)
        named[(*runner)->outputs()[i].name] = (*results)[i];
      err = qopt::writeNpz(output, named);
    } else {
      if (results->size() != 1)
        return failWith("the model has " + Twine(results->size()) +
                        " outputs; write them to an .npz file");
      err = qopt::writeNpy(output, results->front());
    }
    if (err)
      return failWith(toString(std::move(err)));
  }
  return 0;
}
