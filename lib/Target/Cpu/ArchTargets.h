//===- ArchTargets.h - per-architecture parts of CpuTarget ------*- C++ -*-===//

#ifndef QOPT_LIB_TARGET_CPU_ARCHTARGETS_H
#define QOPT_LIB_TARGET_CPU_ARCHTARGETS_H

#include "qopt/Support/Error.h"
#include "qopt/Target/Cpu/CpuTarget.h"

namespace qopt::detail {

/// Whether `cpu` names an AArch64 CPU (or the bare "aarch64" / "arm64").
bool isAArch64Cpu(llvm::StringRef cpu);

/// `items` are the CPU ("host" on a host of that architecture), then
/// "+feature" / "-feature" items; `description` is the whole text, for
/// errors.
llvm::Expected<CpuTarget> parseX86(llvm::ArrayRef<llvm::StringRef> items,
                                   llvm::StringRef description);
llvm::Expected<CpuTarget> parseAArch64(llvm::ArrayRef<llvm::StringRef> items,
                                       llvm::StringRef description);

/// The per-architecture choices of CpuTarget's methods.
Int8Kernel x86GemmKernel(const CpuTarget &target);
std::string x86DotIsa(const CpuTarget &target);
std::string x86GemmPass(const CpuTarget &target);
Int8Kernel aarch64GemmKernel(const CpuTarget &target);
std::string aarch64DotIsa(const CpuTarget &target);
std::string aarch64GemmPass(const CpuTarget &target);

} // namespace qopt::detail

#endif // QOPT_LIB_TARGET_CPU_ARCHTARGETS_H
