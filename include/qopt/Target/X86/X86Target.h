//===- X86Target.h - what x86-64 code generation may use --------*- C++ -*-===//
//
// A target description names a CPU and/or features the way clang's -march
// and -mattr do: "host", "sapphirerapids", "x86-64-v3",
// "icelake-server,-avx512vnni", "x86-64-v4,+avxvnni". From the features it
// enables, qopt chooses its int8 GEMM kernels (AMX tiles or VNNI register
// tiles) and the instructions of their dot products.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_TARGET_X86_X86TARGET_H
#define QOPT_TARGET_X86_X86TARGET_H

#include "qopt/Conversion/Int8MatMulToKernels/Int8MatMulToKernels.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace qopt {

struct X86Target {
  std::string cpu;
  llvm::StringMap<bool> features;

  bool has(llvm::StringRef feature) const { return features.lookup(feature); }

  /// AMX tiles when the target has AMX-INT8, else VNNI register tiles.
  Int8Kernel gemmKernel() const;
  /// convert-qopt-dot-to-llvm's `isa`: avx512-vnni, avx-vnni, avx2 or
  /// generic.
  std::string dotIsa() const;
  /// The features the two choices above rely on.
  std::vector<std::string> usedFeatures() const;
  /// "convert-int8-matmul-to-kernels{kernel=...}".
  std::string gemmPass() const;
  /// One line for users: the CPU and what qopt uses on it.
  std::string summary() const;
};

/// Parses "host" or a CPU name known to LLVM, optionally followed by
/// ",+feature" / ",-feature" items (or features alone after "host").
/// Errors name the unknown CPU or feature.
llvm::Expected<X86Target> parseX86Target(llvm::StringRef description);

/// For JIT execution: an error naming every feature `target` uses that the
/// running CPU lacks.
llvm::Error checkRunsOnHost(const X86Target &target);

} // namespace qopt

#endif // QOPT_TARGET_X86_X86TARGET_H
