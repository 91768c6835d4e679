//===- JitKernel.cpp - compile MLIR with qopt's passes and run it --------===//

#include "qopt/ExecutionEngine/JitKernel.h"

#include "qopt/InitAllDialects.h"
#include "qopt/InitAllPasses.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace mlir;
using namespace qopt;

#define QOPT_BUFFERS_TO_LLVM                                                   \
  "buffer-deallocation-pipeline,convert-memref-copy-to-vector,"                \
  "func.func(convert-linalg-to-loops,convert-vector-to-scf{full-unroll},"      \
  "lower-affine),"                                                             \
  "convert-qopt-dot-to-llvm,convert-vector-to-llvm{enable-amx},"               \
  "convert-scf-to-cf,expand-strided-metadata,finalize-memref-to-llvm,"         \
  "convert-math-to-llvm,convert-arith-to-llvm,convert-to-llvm,"                \
  "reconcile-unrealized-casts"

const char *const qopt::kBuffersToLLVM = QOPT_BUFFERS_TO_LLVM;
const char *const qopt::kLowerToLLVM =
    "eliminate-empty-tensors,one-shot-bufferize," QOPT_BUFFERS_TO_LLVM;

std::string qopt::withDotIsa(llvm::StringRef pipeline, llvm::StringRef isa) {
  const llvm::StringRef dotPass = "convert-qopt-dot-to-llvm";
  size_t at = pipeline.find(dotPass);
  assert(at != llvm::StringRef::npos && "no dot lowering in the pipeline");
  return (pipeline.take_front(at + dotPass.size()) + "{isa=" + isa + "}" +
          pipeline.drop_front(at + dotPass.size()))
      .str();
}

/// Linux hands out AMX tile state only to processes that ask for it
/// (arch_prctl ARCH_REQ_XCOMP_PERM for XFEATURE_XTILEDATA); without it the
/// first tile instruction of generated code raises SIGILL.
static void requestAmxPermission() {
#if defined(__linux__) && defined(__x86_64__)
  if (!llvm::sys::getHostCPUFeatures().lookup("amx-tile"))
    return;
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata);
#endif
}

static void initializeOnce() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    requestAmxPermission();
  });
}

JitKernel::JitKernel(const std::string &source, const std::string &pipeline,
                     const std::string &cpu, const std::string &features) {
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
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(source, context.get());
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
  // -O3 with the host CPU's features, so loops vectorize as they would in
  // an AOT build for this machine.
  auto hostBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!hostBuilder) {
    errors << "JIT: " << llvm::toString(hostBuilder.takeError());
    return;
  }
  auto targetMachine = hostBuilder->createTargetMachine();
  if (!targetMachine) {
    errors << "JIT: " << llvm::toString(targetMachine.takeError());
    return;
  }
  // Without the host triple and data layout on the module, LLVM's cost
  // models fall back to a generic target and decline to vectorize.
  llvm::TargetMachine &machine = **targetMachine;
  (*module)->setAttr(
      LLVM::LLVMDialect::getTargetTripleAttrName(),
      StringAttr::get(context.get(), machine.getTargetTriple().str()));
  (*module)->setAttr(
      LLVM::LLVMDialect::getDataLayoutAttrName(),
      StringAttr::get(context.get(),
                      machine.createDataLayout().getStringRepresentation()));
  auto optimize = makeOptimizingTransformer(
      /*optLevel=*/3, /*sizeLevel=*/0, targetMachine->get());
  // A named subtarget: LLVM's optimizer and code generator take the CPU
  // and features of each function from its attributes. Set here, on the
  // LLVM module, so that the ExecutionEngine's call wrappers (into which
  // the functions get inlined) carry them too.
  auto transformer = [optimize, cpu, features](llvm::Module *m) {
    if (!cpu.empty())
      for (llvm::Function &f : *m)
        if (!f.isDeclaration()) {
          f.addFnAttr("target-cpu", cpu);
          f.addFnAttr("target-features", features);
        }
    return optimize(m);
  };
  ExecutionEngineOptions options;
  options.transformer = transformer;
  // memrefCopy and friends, which bufferized code may call.
  const llvm::StringRef runtimeLibraries[] = {QOPT_MLIR_C_RUNNER_UTILS};
  options.sharedLibPaths = runtimeLibraries;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  options.enableObjectDump = getenv("QOPT_DUMP_OBJ") != nullptr;
  auto created = ExecutionEngine::create(*module, options);
  if (!created) {
    errors << "JIT: " << llvm::toString(created.takeError()) << "\n" << lowered;
    return;
  }
  engine = std::move(*created);
  if (const char *dump = getenv("QOPT_DUMP_OBJ"))
    engine->dumpToObjectFile(dump);
}

JitKernel::~JitKernel() = default;

bool JitKernel::materialize(const std::string &name) {
  if (entryPoints.contains(name))
    return true;
  auto function = engine->lookupPacked("_mlir_ciface_" + name);
  if (!function) {
    errorText = llvm::toString(function.takeError());
    return false;
  }
  entryPoints[name] = *function;
  return true;
}

bool JitKernel::callPacked(const std::string &name, void **args) {
  if (!materialize(name))
    return false;
  entryPoints.lookup(name)(args);
  return true;
}

std::vector<int64_t> qopt::memrefDescriptor(void *data,
                                            llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> d(3 + 2 * shape.size());
  d[0] = reinterpret_cast<int64_t>(data);
  d[1] = reinterpret_cast<int64_t>(data);
  d[2] = 0;
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    d[3 + i] = shape[i];
    d[3 + shape.size() + i] = stride;
    stride *= shape[i];
  }
  return d;
}

std::string qopt::denseHexLiteral(llvm::ArrayRef<int8_t> bytes) {
  return "\"0x" +
         llvm::toHex(llvm::ArrayRef(
             reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size())) +
         "\"";
}

std::string qopt::int8MatMulSource(int64_t m, int64_t n, int64_t k,
                                   llvm::ArrayRef<int8_t> weights,
                                   int zeroPoint, llvm::StringRef weightType) {
  auto t = [](int64_t a, int64_t b, llvm::StringRef e) {
    return "1x" + std::to_string(a) + "x" + std::to_string(b) + "x" + e.str();
  };
  std::string a = "tensor<" + t(m, k, "i8") + ">";
  std::string b = "tensor<" + t(k, n, weightType) + ">";
  std::string r = "tensor<" + t(m, n, "i32") + ">";
  std::string am = "memref<" + t(m, k, "i8") + ">";
  std::string rm = "memref<" + t(m, n, "i32") + ">";
  std::string zpw = "tensor<1x" + weightType.str() + ">";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "func.func @mm(%am: " << am << ", %out: " << rm
     << ") attributes {llvm.emit_c_interface} {\n"
     << "  %a = bufferization.to_tensor %am restrict : " << am << " to " << a
     << "\n  %b = \"tosa.const\"() {values = dense<" << denseHexLiteral(weights)
     << "> : " << b << "} : () -> " << b << "\n"
     << "  %azp = \"tosa.const\"() {values = dense<" << zeroPoint
     << "> : tensor<1xi8>} : () -> tensor<1xi8>\n"
     << "  %bzp = \"tosa.const\"() {values = dense<0> : " << zpw << "} : () -> "
     << zpw << "\n"
     << "  %c = tosa.matmul %a, %b, %azp, %bzp : (" << a << ", " << b
     << ", tensor<1xi8>, " << zpw << ") -> " << r << "\n"
     << "  bufferization.materialize_in_destination %c in restrict writable "
        "%out : ("
     << r << ", " << rm << ") -> ()\n  return\n}\n";
  return s;
}
