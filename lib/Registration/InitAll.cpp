//===- InitAll.cpp - registration of qopt's dialects and passes -----------===//

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "qopt/Dialect/QOpt/IR/QOptDialect.h"
#include "qopt/Dialect/QOpt/Transforms/Passes.h"
#include "qopt/Pipelines/Pipelines.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ArmNeon/ArmNeonDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/InitAllExtensions.h"

void qopt::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<QOptDialect, mlir::affine::AffineDialect,
                  mlir::arith::ArithDialect, mlir::arm_neon::ArmNeonDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::cf::ControlFlowDialect, mlir::func::FuncDialect,
                  mlir::LLVM::LLVMDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::quant::QuantDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect, mlir::tosa::TosaDialect,
                  mlir::vector::VectorDialect,
                  mlir::x86vector::X86VectorDialect>();
  // Bufferization, inlining and LLVM-conversion interfaces of the dialects
  // above; without them upstream lowering pipelines fail at run time.
  mlir::registerAllExtensions(registry);
}

void qopt::registerAllPasses() {
  registerQOptPasses();
  registerQOptPipelines();
}
