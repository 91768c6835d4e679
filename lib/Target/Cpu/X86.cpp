//===- X86.cpp - x86-64 target descriptions and kernel choices ------------===//

#include "ArchTargets.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

using namespace qopt;
using namespace qopt::detail;

Int8Kernel qopt::detail::x86GemmKernel(const CpuTarget &target) {
  return target.has("amx-tile") && target.has("amx-int8") ? Int8Kernel::amx
                                                          : Int8Kernel::vnni;
}

std::string qopt::detail::x86DotIsa(const CpuTarget &target) {
  if (target.has("avx512vnni") && target.has("avx512bw") &&
      target.has("avx512vl"))
    return "avx512-vnni";
  if (target.has("avxvnni"))
    return "avx-vnni";
  if (target.has("avx2"))
    return "avx2";
  return "generic";
}

std::string qopt::detail::x86GemmPass(const CpuTarget &target) {
  if (x86GemmKernel(target) == Int8Kernel::amx)
    return "convert-int8-matmul-to-kernels{kernel=amx}";
  // Register tiles sized for the register file: 32 zmm hold 6 x 4
  // accumulators; with 16 ymm a 16-lane accumulator takes two registers.
  std::string isa = x86DotIsa(target);
  if (isa == "avx512-vnni")
    return "convert-int8-matmul-to-kernels{kernel=vnni}";
  if (isa == "avx-vnni")
    return "convert-int8-matmul-to-kernels{kernel=vnni tile-rows=6 "
           "tile-vectors=1}";
  return std::string("convert-int8-matmul-to-kernels{kernel=vnni tile-rows=4 "
                     "tile-vectors=1") +
         (isa == "avx2" ? " int16-pairs=true}" : "}");
}

llvm::Expected<CpuTarget>
qopt::detail::parseX86(llvm::ArrayRef<llvm::StringRef> items,
                       llvm::StringRef description) {
  CpuTarget target;
  target.arch = CpuTarget::Arch::x86_64;
  llvm::StringRef cpu = items.front();
  if (cpu == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    target.features = llvm::sys::getHostCPUFeatures();
  } else {
    if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) ==
        llvm::X86::CK_None) {
      llvm::SmallVector<llvm::StringRef> known;
      llvm::X86::fillValidCPUArchList(known, /*Only64Bit=*/true);
      return fail("unknown x86-64 CPU '" + cpu + "' (known: host, " +
                  llvm::join(known, ", ") +
                  "; for AArch64: aarch64 or an AArch64 CPU name)");
    }
    target.cpu = cpu.str();
    llvm::SmallVector<llvm::StringRef> features;
    llvm::X86::getFeaturesForCPU(cpu, features);
    // With what each implies (avx2 -> avx -> sse4.2 ...): the JIT turns
    // off every host feature the target does not list.
    for (llvm::StringRef f : features) {
      target.features[f] = true;
      llvm::X86::updateImpliedFeatures(f, true, target.features);
    }
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
