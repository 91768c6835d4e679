//===- qopt.cpp - the qopt driver -----------------------------------------===//
//
// An mlir-opt-style driver: parses MLIR, runs qopt's and upstream passes or
// named pipelines, prints the result.
//
//===----------------------------------------------------------------------===//

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  // Upstream passes first so qopt's own appear after them in --help.
  mlir::registerAllPasses();
  qopt::registerAllPasses();

  mlir::DialectRegistry registry;
  qopt::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "qopt: quantization compiler driver\n", registry));
}
