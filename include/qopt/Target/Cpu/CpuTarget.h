//===- CpuTarget.h - what native code generation may use --------*- C++ -*-===//
//
// A target description names an architecture's CPU and/or features the way
// clang's -mcpu / -march and -mattr do:
//
//   x86-64:  "host", "sapphirerapids", "x86-64-v3",
//            "icelake-server,-avx512vnni", "x86-64-v4,+avxvnni"
//   AArch64: "aarch64" (baseline Armv8-A NEON), "aarch64,+dotprod",
//            "aarch64,+i8mm", "cortex-a76", "neoverse-v1,-i8mm"
//
// From the features it enables, qopt chooses its int8 GEMM kernels (AMX
// tiles, VNNI / sdot register tiles, smmla blocks) and the instructions of
// their dot products; the LLVM triple, CPU and feature string go to LLVM's
// code generator.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_CPU_CPUTARGET_H
#define QOPT_TARGET_CPU_CPUTARGET_H

#include "qopt/Conversion/Int8MatMulToKernels/Int8MatMulToKernels.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qopt {

struct CpuTarget {
  enum class Arch { x86_64, aarch64 };
  Arch arch = Arch::x86_64;
  /// The CPU name LLVM knows ("generic" for a bare "aarch64").
  std::string cpu;
  /// LLVM feature names ("avx512vnni", "dotprod", ...) and whether each is
  /// enabled.
  llvm::StringMap<bool> features;

  bool has(llvm::StringRef feature) const { return features.lookup(feature); }

  /// The GEMM kernel: x86-64 AMX when amx-int8, else VNNI register tiles;
  /// AArch64 smmla when i8mm and dotprod, else sdot register tiles.
  Int8Kernel gemmKernel() const;
  /// convert-qopt-dot-to-llvm's `isa`: avx512-vnni, avx-vnni, avx2,
  /// generic (x86-64); neon-i8mm, neon-dotprod, neon (AArch64).
  std::string dotIsa() const;
  /// The features the two choices above rely on.
  std::vector<std::string> usedFeatures() const;
  /// "convert-int8-matmul-to-kernels{kernel=... tile-rows=...}".
  std::string gemmPass() const;
  /// One line for users: the CPU and what qopt uses on it.
  std::string summary() const;
  /// "x86_64-unknown-linux-gnu" or "aarch64-unknown-linux-gnu".
  std::string triple() const;
  /// The features as LLVM's "+a,-b" list (sorted).
  std::string llvmFeatures() const;
  /// llvmFeatures() plus "-f" for every feature of the running CPU the
  /// target lacks: per-function features only override the JIT's host
  /// feature set, so what the target leaves out must be turned off.
  std::string jitFeatures() const;
};

/// Parses "host", an x86-64 or AArch64 CPU name known to LLVM (or
/// "aarch64" for the baseline), optionally followed by ",+feature" /
/// ",-feature" items. Errors name the unknown CPU or feature.
llvm::Expected<CpuTarget> parseCpuTarget(llvm::StringRef description);

/// For JIT execution: an error when `target` is for another architecture
/// or uses a feature the running CPU lacks (naming every one).
llvm::Error checkRunsOnHost(const CpuTarget &target);

} // namespace qopt

#endif // QOPT_TARGET_CPU_CPUTARGET_H
