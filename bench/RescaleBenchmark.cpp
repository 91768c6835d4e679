//===- RescaleBenchmark.cpp - int32-only vs int64 rescale throughput ------===//
//
// Compiles the same qopt.rescale with convert-qopt-to-arith in its
// int32-only form and in its int64 reference form (force-int64), both
// JIT-compiled at -O3 for the host CPU, and reports values/s (median of
// repeated runs after warm-up, single thread) and the int32/int64 ratio,
// per tensor and per channel, for both rounding profiles.
//
//   build/bench/qopt-bench-rescale [values (default 4194304)] [reps (50)]
//
//===----------------------------------------------------------------------===//

#include "qopt/ExecutionEngine/JitKernel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace qopt;

namespace {

std::string kernel(bool perChannel, const char *rounding, int64_t channels) {
  std::string mults, shifts;
  for (int64_t c = 0; c < (perChannel ? channels : 1); ++c) {
    mults += (c ? ", " : "") + std::to_string(1518500250 + c * 7919);
    shifts += (c ? ", " : "") + std::to_string(36 + c % 8);
  }
  std::string t = "tensor<?x" + std::to_string(channels) + "xi32>";
  std::string o = "tensor<?x" + std::to_string(channels) + "xi8>";
  std::string tm = "memref<?x" + std::to_string(channels) + "xi32>";
  std::string om = "memref<?x" + std::to_string(channels) + "xi8>";
  return "func.func @kernel(%in: " + tm + ", %out: " + om +
         ") attributes {llvm.emit_c_interface} {\n"
         "  %t = bufferization.to_tensor %in restrict : " +
         tm + " to " + t +
         "\n"
         "  %r = qopt.rescale %t multiplier [" +
         mults + "] shift [" + shifts + "]" + (perChannel ? " axis 1" : "") +
         " rounding " + rounding + " {output_zp = -3 : i64} : " + t + " -> " +
         o +
         "\n"
         "  bufferization.materialize_in_destination %r in restrict writable "
         "%out : (" +
         o + ", " + om + ") -> ()\n  return\n}\n";
}

double medianSeconds(JitKernel &k, StridedMemRefType<int32_t, 2> &in,
                     StridedMemRefType<int8_t, 2> &out, int reps) {
  for (int i = 0; i < 3; ++i)
    k.call("kernel", &in, &out);
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    k.call("kernel", &in, &out);
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2,
                   times.end());
  return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv) {
  qopt::registerJitPasses();
  int64_t values = argc > 1 ? std::atoll(argv[1]) : (int64_t(1) << 22);
  int reps = argc > 2 ? std::atoi(argv[2]) : 50;
  const int64_t channels = 64;
  int64_t rows = values / channels;
  std::vector<int32_t> input(rows * channels);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> dist(-(1 << 24), 1 << 24);
  for (int32_t &v : input)
    v = dist(rng);
  std::vector<int8_t> out32(input.size()), out64(input.size());
  auto in = viewAs2D(input.data(), rows, channels);
  auto o32 = viewAs2D(out32.data(), rows, channels);
  auto o64 = viewAs2D(out64.data(), rows, channels);

  std::printf("qopt rescale throughput: %lld int32 -> int8 values, median of "
              "%d runs, 1 thread\n",
              static_cast<long long>(input.size()), reps);
  std::printf("%-12s %-12s %14s %14s %8s\n", "granularity", "rounding",
              "int32 Gval/s", "int64 Gval/s", "ratio");
  int status = 0;
  for (bool perChannel : {false, true}) {
    for (const char *rounding : {"double_round", "single_round"}) {
      std::string src = kernel(perChannel, rounding, channels);
      std::string lower = std::string(",canonicalize,") + kLowerToLLVM;
      JitKernel k32(src, "convert-qopt-to-arith" + lower);
      JitKernel k64(src, "convert-qopt-to-arith{force-int64}" + lower);
      if (!k32.ok() || !k64.ok() ||
          k32.remarks().find("int32-only") == std::string::npos) {
        std::fprintf(stderr, "compile failed: %s %s %s\n", k32.error().c_str(),
                     k64.error().c_str(), k32.remarks().c_str());
        return 1;
      }
      double t32 = medianSeconds(k32, in, o32, reps);
      double t64 = medianSeconds(k64, in, o64, reps);
      if (out32 != out64) {
        std::fprintf(stderr, "int32 and int64 forms disagree\n");
        status = 1;
      }
      double n = static_cast<double>(input.size());
      std::printf("%-12s %-12s %14.3f %14.3f %7.2fx\n",
                  perChannel ? "per-channel" : "per-tensor", rounding,
                  n / t32 / 1e9, n / t64 / 1e9, t64 / t32);
    }
  }
  return status;
}
