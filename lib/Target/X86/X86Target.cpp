//===- X86Target.cpp - what x86-64 code generation may use ----------------===//

#include "qopt/Target/X86/X86Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

using namespace qopt;

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Int8Kernel X86Target::gemmKernel() const {
  return has("amx-tile") && has("amx-int8") ? Int8Kernel::amx
                                            : Int8Kernel::vnni;
}

std::string X86Target::dotIsa() const {
  if (has("avx512vnni") && has("avx512bw") && has("avx512vl"))
    return "avx512-vnni";
  if (has("avxvnni"))
    return "avx-vnni";
  if (has("avx2"))
    return "avx2";
  return "generic";
}

std::vector<std::string> X86Target::usedFeatures() const {
  std::vector<std::string> used;
  if (gemmKernel() == Int8Kernel::amx)
    used = {"amx-tile", "amx-int8"};
  std::string isa = dotIsa();
  if (isa == "avx512-vnni")
    used.insert(used.end(), {"avx512vnni", "avx512bw", "avx512vl"});
  else if (isa == "avx-vnni")
    used.push_back("avxvnni");
  else if (isa == "avx2")
    used.push_back("avx2");
  return used;
}

std::string X86Target::gemmPass() const {
  if (gemmKernel() == Int8Kernel::amx)
    return "convert-int8-matmul-to-kernels{kernel=amx}";
  // Register tiles sized for the register file: 32 zmm hold 6 x 4
  // accumulators; with 16 ymm a 16-lane accumulator takes two registers.
  std::string isa = dotIsa();
  if (isa == "avx512-vnni")
    return "convert-int8-matmul-to-kernels{kernel=vnni}";
  if (isa == "avx-vnni")
    return "convert-int8-matmul-to-kernels{kernel=vnni tile-rows=6 "
           "tile-vectors=1}";
  return std::string("convert-int8-matmul-to-kernels{kernel=vnni tile-rows=4 "
                     "tile-vectors=1") +
         (isa == "avx2" ? " int16-pairs=true}" : "}");
}

std::string X86Target::summary() const {
  return cpu + ": int8 GEMMs on " +
         (gemmKernel() == Int8Kernel::amx ? "AMX tiles" : "register tiles") +
         ", dot products " + dotIsa();
}

llvm::Expected<X86Target> qopt::parseX86Target(llvm::StringRef description) {
  llvm::SmallVector<llvm::StringRef> items;
  description.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  if (items.empty())
    return fail("empty x86 target description (expected 'host', a CPU name "
                "such as 'sapphirerapids' or 'x86-64-v3', and optional "
                "',+feature' / ',-feature' items)");
  X86Target target;
  llvm::StringRef cpu = items.front().trim();
  if (cpu == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    target.features = llvm::sys::getHostCPUFeatures();
  } else {
    if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) ==
        llvm::X86::CK_None) {
      llvm::SmallVector<llvm::StringRef> known;
      llvm::X86::fillValidCPUArchList(known, /*Only64Bit=*/true);
      return fail("unknown x86-64 CPU '" + cpu + "' (known: host, " +
                  llvm::join(known, ", ") + ")");
    }
    target.cpu = cpu.str();
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(cpu, features);
    for (llvm::StringRef f : features)
      target.features[f] = true;
  }
  // Every feature name LLVM knows: those of the most capable CPUs plus
  // their implications.
  llvm::StringMap<bool> known;
  for (const char *rich : {"diamondrapids", "graniterapids-d", "znver5",
                           "arrowlake-s", "sierraforest"}) {
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(rich, features);
    for (llvm::StringRef f : features)
      known[f] = true;
  }
  for (llvm::StringRef item : llvm::drop_begin(items)) {
    item = item.trim();
    if (item.size() < 2 || (item[0] != '+' && item[0] != '-'))
      return fail("bad x86 target item '" + item +
                  "' (expected +feature or -feature)");
    llvm::StringRef name = item.drop_front();
    if (!known.count(name) && !target.features.count(name))
      return fail("unknown x86 feature '" + name + "' in '" + description +
                  "'");
    // +avx512vnni also enables avx512f, -avx2 also disables avx512f, ...
    llvm::X86::updateImpliedFeatures(name, item[0] == '+', target.features);
  }
  return target;
}

llvm::Error qopt::checkRunsOnHost(const X86Target &target) {
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> missing;
  for (const std::string &f : target.usedFeatures())
    if (!host.lookup(f))
      missing.push_back(f);
  if (missing.empty())
    return llvm::Error::success();
  return fail("target '" + target.cpu + "' uses " + llvm::join(missing, ", ") +
              ", which this CPU (" + llvm::sys::getHostCPUName() +
              ") lacks; the JIT can only run code for the host (use a "
              "smaller target, e.g. --target=host)");
}
