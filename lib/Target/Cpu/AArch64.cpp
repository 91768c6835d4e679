//===- AArch64.cpp - AArch64 target descriptions and kernel choices -------===//

#include "ArchTargets.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/AArch64TargetParser.h"
#include "llvm/TargetParser/Host.h"

using namespace qopt;
using namespace qopt::detail;

bool qopt::detail::isAArch64Cpu(llvm::StringRef cpu) {
  return cpu == "aarch64" || cpu == "arm64" ||
         (cpu != "generic" && llvm::AArch64::parseCpu(cpu).has_value());
}

Int8Kernel qopt::detail::aarch64GemmKernel(const CpuTarget &target) {
  // smmla blocks need i8mm; qopt pairs them with sdot (parseAArch64 makes
  // +i8mm imply +dotprod, as on every real CPU).
  return target.has("i8mm") && target.has("dotprod") ? Int8Kernel::smmla
                                                     : Int8Kernel::sdot;
}

std::string qopt::detail::aarch64DotIsa(const CpuTarget &target) {
  if (!target.has("dotprod"))
    return "neon";
  return target.has("i8mm") ? "neon-i8mm" : "neon-dotprod";
}

std::string qopt::detail::aarch64GemmPass(const CpuTarget &target) {
  // 32 NEON registers: 4 rows x 16 columns of int32 are 16 accumulators
  // (sdot: 4 registers per row; smmla: 8 2 x 2 blocks per row pair),
  // leaving 16 for the weights and the activations.
  return aarch64GemmKernel(target) == Int8Kernel::smmla
             ? "convert-int8-matmul-to-kernels{kernel=smmla tile-rows=4 "
               "tile-vectors=1 depth-unroll=4}"
         : target.has("dotprod")
             ? "convert-int8-matmul-to-kernels{kernel=sdot tile-rows=4 "
               "tile-vectors=1 depth-unroll=4}"
             // Without sdot, int16 pair sums where the weights prove them
             // exact.
             : "convert-int8-matmul-to-kernels{kernel=sdot tile-rows=4 "
               "tile-vectors=1 int16-pairs=true}";
}

llvm::Expected<CpuTarget>
qopt::detail::parseAArch64(llvm::ArrayRef<llvm::StringRef> items,
                           llvm::StringRef description) {
  CpuTarget target;
  target.arch = CpuTarget::Arch::aarch64;
  llvm::StringRef cpu = items.front();
  llvm::AArch64::ExtensionSet extensions;
  if (cpu == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    std::vector<std::string> hostFeatures, others;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      hostFeatures.push_back((f.getValue() ? "+" : "-") + f.getKey().str());
    extensions.reconstructFromParsedFeatures(hostFeatures, others);
  } else {
    target.cpu = cpu == "aarch64" || cpu == "arm64" ? "generic" : cpu.str();
    std::optional<llvm::AArch64::CpuInfo> info =
        llvm::AArch64::parseCpu(target.cpu);
    if (!info)
      return fail("unknown AArch64 CPU '" + cpu + "'");
    extensions.addCPUDefaults(*info);
  }
  for (llvm::StringRef item : llvm::drop_begin(items)) {
    if (item.size() < 2 || (item[0] != '+' && item[0] != '-'))
      return fail("bad AArch64 target item '" + item +
                  "' (expected +feature or -feature, e.g. +dotprod, +i8mm)");
    // -march names ("simd", "dotprod") or LLVM feature names ("neon").
    llvm::StringRef name = item.drop_front();
    std::optional<llvm::AArch64::ExtensionInfo> extension =
        llvm::AArch64::parseArchExtension(name);
    if (!extension)
      extension = llvm::AArch64::targetFeatureToExtension(("+" + name).str());
    if (!extension)
      return fail("unknown AArch64 feature '" + name + "' in '" + description +
                  "'");
    // +i8mm also enables what it needs, -neon disables dotprod, ...
    if (item[0] == '+')
      extensions.enable(extension->ID);
    else
      extensions.disable(extension->ID);
  }
  // Every CPU with FEAT_I8MM (Armv8.6-A) has FEAT_DotProd (Armv8.4-A), and
  // qopt's smmla kernels use sdot beside it: "+i8mm" brings "+dotprod",
  // which LLVM's extension graph does not.
  if (extensions.Enabled.test(llvm::AArch64::AEK_I8MM))
    extensions.enable(llvm::AArch64::AEK_DOTPROD);
  std::vector<std::string> features;
  extensions.toLLVMFeatureList(features);
  for (llvm::StringRef f : features)
    target.features[f.drop_front()] = f.front() == '+';
  // The AArch64 Linux ABI has floating point and Advanced SIMD everywhere;
  // LLVM cannot compile for a target without them.
  if (!target.has("neon") || !target.has("fp-armv8"))
    return fail("'" + description +
                "' has no Advanced SIMD (neon) or floating point, which "
                "every aarch64-linux-gnu target has and qopt's code needs");
  return target;
}
