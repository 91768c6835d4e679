//===- JitKernel.cpp - compile a qopt kernel with qopt and run it ---------===//

#include "JitKernel.h"

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;
using namespace qopt::testing;

const char *const qopt::testing::kLowerToLLVM =
    "one-shot-bufferize,"
    "func.func(convert-linalg-to-loops,lower-affine),"
    "convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,"
    "convert-arith-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
    "reconcile-unrealized-casts";

static void initializeOnce() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    mlir::registerAllPasses();
    qopt::registerAllPasses();
  });
}

JitKernel::JitKernel(const std::string &source, const std::string &pipeline) {
  initializeOnce();
  DialectRegistry registry;
  qopt::registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  context = std::make_unique<MLIRContext>(registry);

  llvm::raw_string_ostream errors(errorText);
  ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      errors << diag.str() << "\n";
    else if (diag.getSeverity() == DiagnosticSeverity::Remark)
      remarkText += diag.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, context.get());
  if (!module) {
    errors << "failed to parse kernel";
    return;
  }
  PassManager pm(context.get());
  if (failed(parsePassPipeline(pipeline, pm, errors))) {
    errors << "bad pipeline: " << pipeline;
    return;
  }
  if (failed(pm.run(*module))) {
    errors << "pipeline failed";
    return;
  }
  llvm::raw_string_ostream ir(lowered);
  module->print(ir);
  ExecutionEngineOptions options;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto created = ExecutionEngine::create(*module, options);
  if (!created) {
    errors << "JIT: " << llvm::toString(created.takeError()) << "\n"
           << lowered;
    return;
  }
  engine = std::move(*created);
}

JitKernel::~JitKernel() = default;

bool JitKernel::invoke(const std::string &name, void **args, size_t count) {
  llvm::Error error = engine->invokePacked(
      "_mlir_ciface_" + name, llvm::MutableArrayRef<void *>(args, count));
  if (error) {
    errorText = llvm::toString(std::move(error));
    return false;
  }
  return true;
}
