//===- Int4GemvBenchmark.cpp - int4 / int2 against int8 weights, M = 1 ---===//
//
// Matrix-vector products y[1, N] = x[1, K] (int8) x W[K, N] (constant) ->
// int32 are limited by how fast the weights stream in; int4 weights (TOSA
// i4, packed two per byte by convert-int8-matmul-to-kernels and unpacked in
// registers) halve the bytes, and int2 ones (TOSA i4 holding values in
// [-2, 1], packed four per byte) quarter them. For each shape this runs, in
// one process,
// single-threaded, alternating call by call:
//
//  * int8: full-range int8 weights, qopt's kernels for the host (`kernel`
//    as the host target chooses: AMX here, else VNNI);
//  * int8 (VNNI): the same on VNNI register tiles (what int4 layers use);
//  * int4: int4 weights, VNNI register tiles with in-register unpacking;
//  * int2: the same with 2-bit weights;
//  * int4 g32: per-group int4 weights, TOSA int8 m * q with one m in [1, 16]
//    per column and group of 32 depths (what per-group int4 layers become
//    in the integer graph), which the kernels store as packed q plus an int8
//    m per group and column (4.25 bits per weight), scaling each group's dot
//    products by m;
//
// and prints median times, weight GB/s and the speed-ups of int4 over each
// int8 variant, of int2 over int8 VNNI and of int4 g32 over int8. The
// packed kernels' outputs are cross-checked against the int8 VNNI kernel
// fed the same values as int8 weights (exact).
//
//   build/bench/qopt-bench-gemv-int4 [reps (default 51)]
//   QOPT_BENCH_SHAPES=1x4096x4096,...  (M x N x K)
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"

#include "qopt/ExecutionEngine/JitKernel.h"
#include "qopt/InitAllPasses.h"
#include "qopt/Target/Cpu/CpuTarget.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace qopt;
using namespace qopt::bench;

namespace {

struct Shape {
  int64_t m, n, k;
};

std::unique_ptr<JitKernel> compile(const std::string &src,
                                   const std::string &gemmPass,
                                   const CpuTarget &target) {
  std::string pipeline =
      "func.func(" + gemmPass +
      "),func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),"
      "canonicalize," +
      withDotIsa(kLowerToLLVM, target.dotIsa());
  auto kernel = std::make_unique<JitKernel>(src, pipeline, target.cpu,
                                            target.jitFeatures());
  if (!kernel->ok() || !kernel->materialize("mm")) {
    std::fprintf(stderr, "qopt-bench-gemv-int4: %s\n", kernel->error().c_str());
    std::exit(1);
  }
  return kernel;
}

} // namespace

int main(int argc, char **argv) {
  registerJitPasses();
  int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 51;
  std::vector<Shape> shapes = {
      {1, 4096, 4096}, {1, 11008, 4096}, {1, 4096, 11008}, {1, 1024, 1024}};
  if (const char *env = std::getenv("QOPT_BENCH_SHAPES")) {
    shapes.clear();
    for (llvm::StringRef item : llvm::split(llvm::StringRef(env), ',')) {
      Shape s;
      auto [m, rest] = item.split('x');
      auto [n, k] = rest.split('x');
      if (m.getAsInteger(10, s.m) || n.getAsInteger(10, s.n) ||
          k.getAsInteger(10, s.k)) {
        std::fprintf(stderr, "bad shape '%s' (MxNxK)\n", item.str().c_str());
        return 1;
      }
      shapes.push_back(s);
    }
  }
  auto host = parseCpuTarget("host");
  if (!host) {
    std::fprintf(stderr, "%s\n", llvm::toString(host.takeError()).c_str());
    return 1;
  }
  CpuTarget vnniTarget = *host;
  std::string vnniPass = "convert-int8-matmul-to-kernels{kernel=vnni}";
  std::printf("qopt-bench-gemv-int4: target %s, medians of %d alternating "
              "calls, single thread\n",
              host->summary().c_str(), reps);
  std::printf("%-16s %12s %12s %10s %10s %10s %10s %10s %9s %9s %9s %9s\n",
              "M x N x K", "int8 us", "int8vnni us", "int4 us", "int2 us",
              "int4g32 us", "int8 GB/s", "int4 GB/s", "int4/int8", "int4/vnni",
              "int2/vnni", "g32/int8");
  std::mt19937 rng(20261123);
  for (const Shape &s : shapes) {
    std::uniform_int_distribution<int> w8(-127, 127), w4(-8, 7), w2(-2, 1),
        x(-128, 127);
    std::vector<int8_t> full(s.k * s.n), small(s.k * s.n), tiny(s.k * s.n),
        act(s.m * s.k);
    for (int8_t &v : full)
      v = int8_t(w8(rng));
    for (int8_t &v : small)
      v = int8_t(w4(rng));
    for (int8_t &v : tiny)
      v = int8_t(w2(rng));
    for (int8_t &v : act)
      v = int8_t(x(rng));
    constexpr int64_t kGroup = 32;
    std::uniform_int_distribution<int> multiplier(1, 16);
    std::vector<int8_t> grouped(small);
    for (int64_t g = 0; g < s.k / kGroup; ++g)
      for (int64_t n = 0; n < s.n; ++n) {
        int m = multiplier(rng);
        for (int64_t k = g * kGroup; k < (g + 1) * kGroup; ++k)
          grouped[k * s.n + n] = int8_t(grouped[k * s.n + n] * m);
      }
    auto int8Host = compile(int8MatMulSource(s.m, s.n, s.k, full, 3, "i8"),
                            host->gemmPass(), *host);
    auto int8Vnni = compile(int8MatMulSource(s.m, s.n, s.k, full, 3, "i8"),
                            vnniPass, vnniTarget);
    auto int4 = compile(int8MatMulSource(s.m, s.n, s.k, small, 3, "i4"),
                        host->gemmPass(), *host);
    auto int2 = compile(int8MatMulSource(s.m, s.n, s.k, tiny, 3, "i4"),
                        host->gemmPass(), *host);
    auto int4g = compile(int8MatMulSource(s.m, s.n, s.k, grouped, 3, "i8"),
                         host->gemmPass(), *host);

    std::vector<int32_t> out(s.m * s.n), expected(s.m * s.n);
    auto in = view3(act.data(), s.m, s.k);
    auto o = view3(out.data(), s.m, s.n);
    auto e = view3(expected.data(), s.m, s.n);
    for (auto [packed, values, name] :
         {std::tuple(int4.get(), &small, "int4"),
          std::tuple(int2.get(), &tiny, "int2"),
          std::tuple(int4g.get(), &grouped, "int4 g32")}) {
      auto check = compile(int8MatMulSource(s.m, s.n, s.k, *values, 3, "i8"),
                           vnniPass, vnniTarget);
      if (!packed->call("mm", &in, &o) || !check->call("mm", &in, &e)) {
        std::fprintf(stderr, "call failed\n");
        return 1;
      }
      if (out != expected) {
        std::fprintf(stderr,
                     "%s RESULTS DIFFER from int8 with the same "
                     "weights\n",
                     name);
        return 1;
      }
    }
    std::vector<JitKernel *> kernels = {int8Host.get(), int8Vnni.get(),
                                        int4.get(), int2.get(), int4g.get()};
    std::vector<std::vector<double>> times(kernels.size());
    for (int warm = 0; warm < 3; ++warm)
      for (JitKernel *k : kernels)
        k->call("mm", &in, &o);
    for (int r = 0; r < reps; ++r)
      for (size_t i = 0; i < kernels.size(); ++i) {
        auto start = std::chrono::steady_clock::now();
        kernels[i]->call("mm", &in, &o);
        times[i].push_back(std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - start)
                               .count());
      }
    double t8 = median(times[0]), t8v = median(times[1]), t4 = median(times[2]),
           t2 = median(times[3]), t4g = median(times[4]);
    double bytes8 = double(s.n) * s.k, bytes4 = bytes8 / 2;
    char name[64];
    std::snprintf(name, sizeof(name), "%lldx%lldx%lld", (long long)s.m,
                  (long long)s.n, (long long)s.k);
    std::printf("%-16s %12.1f %12.1f %10.1f %10.1f %10.1f %10.1f %10.1f %9.2f "
                "%9.2f %9.2f %9.2f\n",
                name, t8 * 1e6, t8v * 1e6, t4 * 1e6, t2 * 1e6, t4g * 1e6,
                bytes8 / t8 / 1e9, bytes4 / t4 / 1e9, t8 / t4, t8v / t4,
                t8v / t2, t8 / t4g);
  }
  return 0;
}
