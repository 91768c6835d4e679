//===- qopt-import.cpp - ONNX model -> qopt's TOSA graph ------------------===//
//
//   qopt-import model.onnx [-o model.mlir] [--batch N] [--debuginfo]
//
// Prints (or writes) the imported float graph; errors name the node and
// operator at fault and the exit code is non-zero.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAllDialects.h"
#include "qopt/Target/ONNX/ONNXImporter.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace llvm;

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // Only this tool's options in --help, not every LLVM backend flag.
  cl::OptionCategory toolOptions("qopt-import options");
  cl::opt<std::string> inputPath(cl::cat(toolOptions), cl::Positional,
                                 cl::desc("<model.onnx>"), cl::Required);
  cl::opt<std::string> outputPath(cl::cat(toolOptions), "o",
                                  cl::desc("Output file (default: stdout)"),
                                  cl::value_desc("file"), cl::init("-"));
  cl::opt<int64_t> batch(
      cl::cat(toolOptions), "batch",
      cl::desc("Value of a symbolic batch dimension (default 1)"), cl::init(1));
  cl::opt<bool> debugInfo(
      cl::cat(toolOptions), "debuginfo",
      cl::desc("Print locations: ONNX node names stay with their ops, so "
               "reports (qopt-report, mixed precision) name layers by them"),
      cl::init(false));
  cl::HideUnrelatedOptions(toolOptions);
  cl::ParseCommandLineOptions(
      argc, argv,
      "qopt-import: ONNX model (opsets 11-17) to a TOSA graph in NHWC\n");
  if (batch < 1) {
    errs() << "qopt-import: --batch must be positive\n";
    return 1;
  }

  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  qopt::ONNXImportOptions options;
  options.batch = batch;
  auto module = qopt::importONNXFile(inputPath, &context, options);
  if (!module)
    return 1;
  std::string error;
  auto output = mlir::openOutputFile(outputPath, &error);
  if (!output) {
    errs() << "qopt-import: " << error << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  module->print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return 0;
}
