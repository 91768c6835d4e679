// Registers qopt in a fresh MLIRContext, quantizes a small function with
// qopt's pipeline and prints it.
#include "qopt/InitAllDialects.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  if (mlir::RegisteredOperationName::lookup(qopt::QuantizeOp::getOperationName(),
                                            &context))
    llvm::outs() << "consumer: qopt.quantize registered\n";

  const char *source = R"mlir(
    func.func @embedded(%x: tensor<4xf32> {qopt.range = #qopt.range<min = -1.0, max = 1.0>}) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    })mlir";
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  if (!module)
    return 1;

  mlir::PassManager pm(&context);
  qopt::QuantizeQDQPipelineOptions options;
  qopt::buildQuantizeQDQPipeline(pm, options);
  if (mlir::failed(pm.run(*module)))
    return 2;
  module->print(llvm::outs());
  llvm::outs() << "\nconsumer: pipeline ok\n";
  return 0;
}
