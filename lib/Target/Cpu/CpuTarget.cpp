//===- CpuTarget.cpp - what native code generation may use ----------------===//

#include "ArchTargets.h"
#include "qopt/Support/Error.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace qopt;
using namespace qopt::detail;

static bool hostIsAArch64() {
  return llvm::Triple(llvm::sys::getProcessTriple()).isAArch64();
}

Int8Kernel CpuTarget::gemmKernel() const {
  return arch == Arch::aarch64 ? aarch64GemmKernel(*this)
                               : x86GemmKernel(*this);
}

std::string CpuTarget::dotIsa() const {
  return arch == Arch::aarch64 ? aarch64DotIsa(*this) : x86DotIsa(*this);
}

std::string CpuTarget::gemmPass() const {
  return arch == Arch::aarch64 ? aarch64GemmPass(*this) : x86GemmPass(*this);
}

std::vector<std::string> CpuTarget::usedFeatures() const {
  std::vector<std::string> used;
  switch (gemmKernel()) {
  case Int8Kernel::amx:
    used = {"amx-tile", "amx-int8"};
    break;
  case Int8Kernel::smmla:
    used = {"i8mm"};
    break;
  default:
    break;
  }
  std::string isa = dotIsa();
  if (isa == "avx512-vnni")
    used.insert(used.end(), {"avx512vnni", "avx512bw", "avx512vl"});
  else if (isa == "avx-vnni")
    used.push_back("avxvnni");
  else if (isa == "avx2")
    used.push_back("avx2");
  else if (isa == "neon-dotprod" || isa == "neon-i8mm")
    used.push_back("dotprod");
  if (isa == "neon-i8mm" && gemmKernel() != Int8Kernel::smmla)
    used.push_back("i8mm");
  return used;
}

std::string CpuTarget::summary() const {
  std::string kernel;
  switch (gemmKernel()) {
  case Int8Kernel::amx:
    kernel = "AMX tiles";
    break;
  case Int8Kernel::smmla:
    kernel = "smmla blocks";
    break;
  default:
    kernel = "register tiles";
    break;
  }
  return cpu + (arch == Arch::aarch64 ? " (aarch64)" : "") +
         ": int8 GEMMs on " + kernel + ", dot products " + dotIsa();
}

std::string CpuTarget::triple() const {
  return arch == Arch::aarch64 ? "aarch64-unknown-linux-gnu"
                               : "x86_64-unknown-linux-gnu";
}

std::string CpuTarget::llvmFeatures() const {
  std::vector<std::string> list;
  for (const auto &f : features)
    list.push_back((f.getValue() ? "+" : "-") + f.getKey().str());
  llvm::sort(list);
  return llvm::join(list, ",");
}

std::string CpuTarget::jitFeatures() const {
  std::string list = llvmFeatures();
  // (64-bit mode is the architecture's, not a CPU feature LLVM lists.)
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    if (f.getValue() && !has(f.getKey()) && f.getKey() != "64bit")
      list += (list.empty() ? "-" : ",-") + f.getKey().str();
  return list;
}

llvm::Expected<CpuTarget> qopt::parseCpuTarget(llvm::StringRef description) {
  llvm::SmallVector<llvm::StringRef> items;
  description.split(items, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (llvm::StringRef &item : items)
    item = item.trim();
  if (items.empty())
    return fail("empty target description (expected 'host', an x86-64 CPU "
                "such as 'sapphirerapids' or 'x86-64-v3', 'aarch64' or an "
                "AArch64 CPU such as 'cortex-a76', and optional ',+feature' "
                "/ ',-feature' items)");
  bool aarch64 =
      items.front() == "host" ? hostIsAArch64() : isAArch64Cpu(items.front());
  return aarch64 ? parseAArch64(items, description)
                 : parseX86(items, description);
}

llvm::Error qopt::checkRunsOnHost(const CpuTarget &target) {
  if ((target.arch == CpuTarget::Arch::aarch64) != hostIsAArch64())
    return fail("target '" + target.cpu + "' is for " + target.triple() +
                " but this host is " + llvm::sys::getProcessTriple() +
                "; the JIT runs code for the host only (compile for other "
                "targets with qopt-compile)");
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
