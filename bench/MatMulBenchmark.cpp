//===- MatMulBenchmark.cpp - qopt int8 GEMM vs oneDNN, single thread ------===//
//
// For each shape C[M, N] = A[M, K] (int8, zero point) x B[K, N] (int8
// weights, constant) -> int32, runs in one process, single-threaded:
//
//  * qopt: tosa.matmul compiled with convert-int8-matmul-to-kernels (weights
//    packed at compile time, vpdpbusd microkernels), JIT at -O3 for the
//    host;
//  * oneDNN: a u8 x s8 -> s32 matmul primitive with prepacked weights
//    (format_tag::any + reorder outside the timed loop), limited to
//    AVX-512 VNNI (ONEDNN_MAX_CPU_ISA, overridable) so both use vpdpbusd;
//
// and the machine's vpdpbusd peak, measured here with 24 independent
// accumulator chains; then the same for ResNet-18's convolutions against
// oneDNN's int8 convolution. Prints GOPS (2 M N K / median time), qopt/oneDNN
// and qopt as a percentage of the peak. Times are medians of repeated
// rounds that time one warm call of qopt, then one of oneDNN (alternating,
// so that both see the same clock speed). Results are cross-checked (qopt
// vs oneDNN, exact).
//
//   build/bench/qopt-bench-matmul [reps (default 21)]
//   QOPT_BENCH_SHAPES=1024x1024x1024,... QOPT_BENCH_OPTIONS="{k-block=256}"
//   QOPT_BENCH_CONVS=layer1: only the ResNet-18 convolutions whose names
//     contain the text (no GEMM shapes)
//   QOPT_BENCH_KERNEL=amx: qopt's AMX kernels against oneDNN's AMX ones
//   QOPT_BENCH_KERNEL=avx2 (the default on a CPU without AVX-512 VNNI,
//     compiled for that host): qopt's x86-64-v3 kernels (ymm tiles,
//     vpmaddubsw where the weights prove it exact) against oneDNN capped
//     to AVX2, and the peak of the AVX2 dot step (vpmaddubsw, vpmaddwd,
//     vpaddd). Weights are drawn from [-63, 63] so that both may use
//     vpmaddubsw exactly (QOPT_BENCH_FULL_WEIGHTS=1: full range, where
//     qopt must widen and oneDNN's int16 pair sums may saturate). The
//     surrounding code is still compiled for the host (AVX-512 here).
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"

#include "qopt/ExecutionEngine/JitKernel.h"
#include "qopt/InitAllPasses.h"
#include "qopt/Target/Cpu/CpuTarget.h"

#include "llvm/ADT/StringExtras.h"

#include <dnnl.hpp>
#include <immintrin.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace qopt;
using namespace qopt::bench;

namespace {

/// Median seconds of `run` over `reps` timed calls after 3 warm-up calls.
double timeIt(const std::function<void()> &run, int reps) {
  for (int i = 0; i < 3; ++i)
    run();
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  return median(times);
}

/// Median seconds of `first` and of `second` over `reps` rounds, each
/// timing one call of either right after an untimed one (so both run
/// warm): alternating, both see the same machine state (the clock speed
/// and the neighbours of a shared VM drift within seconds).
std::pair<double, double> timeAlternating(const std::function<void()> &first,
                                          const std::function<void()> &second,
                                          int reps) {
  std::vector<double> times[2];
  for (int i = 0; i < reps; ++i)
    for (int side = 0; side < 2; ++side) {
      const std::function<void()> &run = side ? second : first;
      run();
      auto start = std::chrono::steady_clock::now();
      run();
      times[side].push_back(std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    }
  return {median(times[0]), median(times[1])};
}

constexpr int64_t kPeakIterations = 20000000;

/// kPeakIterations vpdpbusd on 24 independent accumulators (enough to cover
/// latency x throughput on current cores).
__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline)) void
vpdpbusdLoop() {
  __m512i acc[24];
  for (auto &a : acc)
    a = _mm512_setzero_si512();
  __m512i x = _mm512_set1_epi32(0x01020304), y = _mm512_set1_epi32(0x05060708);
  for (int64_t i = 0; i < kPeakIterations / 24; ++i) {
    for (auto &a : acc)
      a = _mm512_dpbusd_epi32(a, x, y);
    // Keeps the compiler from collapsing the loop.
    __asm__ volatile("" : "+v"(x));
  }
  __m512i sum = acc[0];
  for (int i = 1; i < 24; ++i)
    sum = _mm512_add_epi32(sum, acc[i]);
  volatile int sink = _mm512_reduce_add_epi32(sum);
  (void)sink;
}

/// kPeakIterations AVX2 int8 dot steps (vpmaddubsw, vpmaddwd with ones,
/// vpaddd: 32 multiply-adds on ymm) on 6 accumulators, each from its own
/// activation register (the same product for all would be computed once):
/// what an x86-64-v3 kernel does per step without VNNI. Only the add is
/// loop-carried, so 6 chains cover its latency; 14 of the 16 ymm.
__attribute__((target("avx2"), noinline)) void avx2DotLoop() {
  __m256i acc[6], x[6];
  for (int i = 0; i < 6; ++i) {
    acc[i] = _mm256_setzero_si256();
    x[i] = _mm256_set1_epi32(0x01020304 + i);
  }
  __m256i y = _mm256_set1_epi32(0x05060708), ones = _mm256_set1_epi16(1);
  for (int64_t i = 0; i < kPeakIterations / 6; ++i)
    for (int j = 0; j < 6; ++j) {
      __m256i pairs = _mm256_maddubs_epi16(x[j], y);
      acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(pairs, ones));
      // Keeps the compiler from hoisting the products out of the loop.
      __asm__ volatile("" : "+x"(x[j]));
    }
  __m256i sum = acc[0];
  for (int i = 1; i < 6; ++i)
    sum = _mm256_add_epi32(sum, acc[i]);
  volatile int sink = _mm256_extract_epi32(sum, 0);
  (void)sink;
}

/// The measured peak of the host's int8 dot product: a vpdpbusd is 64
/// multiply-adds (128 ops); an AVX2 step is 32 (64 ops).
double measurePeakGops(bool avx2) {
  double t = timeIt(avx2 ? avx2DotLoop : vpdpbusdLoop, 5);
  int64_t steps = avx2 ? kPeakIterations / 6 * 6 : kPeakIterations / 24 * 24;
  return double(steps) * (avx2 ? 64.0 : 128.0) / t / 1e9;
}

struct Shape {
  const char *name;
  int64_t m, n, k;
};

} // namespace

int main(int argc, char **argv) {
  // Without AVX-512 VNNI the host's kernels are x86-64-v3's.
  bool hostVnni = __builtin_cpu_supports("avx512vnni");
  const char *kernelName = getenv("QOPT_BENCH_KERNEL");
  std::string kernelKind = kernelName ? kernelName : (hostVnni ? "" : "avx2");
  // Single thread for oneDNN's runtime and both sides on the same
  // instructions (vpdpbusd, AMX tiles or AVX2): oneDNN reads its
  // environment when it is loaded, so restart once with it set.
  if (!getenv("OMP_NUM_THREADS") ||
      std::strcmp(getenv("OMP_NUM_THREADS"), "1") ||
      !getenv("ONEDNN_MAX_CPU_ISA")) {
    setenv("OMP_NUM_THREADS", "1", 1);
    setenv("ONEDNN_MAX_CPU_ISA",
           kernelKind == "amx"    ? "AVX512_CORE_AMX"
           : kernelKind == "avx2" ? "AVX2"
                                  : "AVX512_CORE_VNNI",
           0);
    execv("/proc/self/exe", argv);
    std::perror("qopt-bench-matmul: cannot restart single-threaded");
    return 1;
  }
  bool avx2 = kernelKind == "avx2";
  if (!avx2 && !hostVnni) {
    std::fprintf(stderr,
                 "qopt-bench-matmul: this CPU has no AVX-512 VNNI, so only "
                 "QOPT_BENCH_KERNEL=avx2 runs here\n");
    return 1;
  }
  // The JIT-compiled code allocates its scratch (the packed activations,
  // the int32 result) with malloc on every call. glibc would return such
  // blocks to the kernel on free and take page faults to get them back
  // each time; keep them in the heap instead, as an inference runtime's
  // arena would. oneDNN's primitive keeps its scratchpad the same way.
  mallopt(M_MMAP_THRESHOLD, 32 << 20); // glibc's maximum
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  int reps = argc > 1 ? std::atoi(argv[1]) : 21;
  qopt::registerJitPasses();

  double peak = measurePeakGops(avx2);
  std::printf("%s peak (measured, 1 core): %.1f GOPS\n",
              avx2 ? "AVX2 int8 dot" : "vpdpbusd", peak);
  std::printf("oneDNN %d.%d.%d, max ISA %s, %s threads\n",
              dnnl_version()->major, dnnl_version()->minor,
              dnnl_version()->patch, getenv("ONEDNN_MAX_CPU_ISA"),
              getenv("OMP_NUM_THREADS"));
  std::printf("%-16s %10s %10s %8s %8s\n", "M x N x K", "qopt GOPS", "oneDNN",
              "ratio", "% peak");

  std::vector<Shape> shapes = {
      {"64^3", 64, 64, 64},           {"256^3", 256, 256, 256},
      {"512^3", 512, 512, 512},       {"1024^3", 1024, 1024, 1024},
      {"1x1024x1024", 1, 1024, 1024}, {"8x1024x1024", 8, 1024, 1024},
      {"3136x64x576", 3136, 64, 576}, {"196x256x2304", 196, 256, 2304},
  };
  // QOPT_BENCH_SHAPES="MxNxK,..." replaces the shapes (names are kept
  // alive in `names`); QOPT_BENCH_OPTIONS="{tile-rows=4 ...}" passes
  // options to convert-int8-matmul-to-kernels.
  std::vector<std::string> names;
  const char *convFilter = getenv("QOPT_BENCH_CONVS");
  if (convFilter)
    shapes.clear();
  if (const char *list = getenv("QOPT_BENCH_SHAPES")) {
    shapes.clear();
    std::stringstream ss(list);
    for (std::string item; std::getline(ss, item, ',');)
      names.push_back(item);
    for (const std::string &item : names) {
      Shape s{item.c_str(), 0, 0, 0};
      if (std::sscanf(item.c_str(), "%ldx%ldx%ld", &s.m, &s.n, &s.k) != 3) {
        std::fprintf(stderr, "qopt-bench-matmul: bad shape '%s' (MxNxK)\n",
                     item.c_str());
        return 1;
      }
      shapes.push_back(s);
    }
  }
  // QOPT_BENCH_KERNEL=amx: qopt's AMX kernels against oneDNN's (unless
  // options are given explicitly).
  // QOPT_BENCH_OPTIONS, else the kernel's own: AMX tiles, or for AVX2
  // x86-64-v3's register tiles and dot lowering with LLVM limited to its
  // features (else it fuses vpmaddwd + vpaddd into AVX-512's vpdpwssd and
  // widens the rest to zmm).
  std::string passOptions =
      getenv("QOPT_BENCH_OPTIONS") ? getenv("QOPT_BENCH_OPTIONS") : "";
  std::string jitCpu, jitFeatures;
  if (avx2) {
    // On an AVX2 host its own target (the same kernels, its scheduling).
    auto avx2Target = qopt::parseCpuTarget(hostVnni ? "x86-64-v3" : "host");
    if (!avx2Target) {
      std::string error = llvm::toString(avx2Target.takeError());
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    std::string pass = avx2Target->gemmPass();
    if (passOptions.empty())
      passOptions = pass.substr(pass.find('{'));
    jitCpu = avx2Target->cpu;
    jitFeatures = avx2Target->jitFeatures();
  } else if (passOptions.empty() && kernelKind == "amx") {
    passOptions = "{kernel=amx}";
  }
  // Set and not empty (QOPT_BENCH_FULL_WEIGHTS= means unset).
  const char *fullWeights = getenv("QOPT_BENCH_FULL_WEIGHTS");
  bool smallWeights = avx2 && !(fullWeights && *fullWeights);
  std::printf("qopt kernel %s%s%s%s\n",
              passOptions.empty() ? "{kernel=vnni}" : passOptions.c_str(),
              avx2 ? ", compiled for " : "", jitCpu.c_str(),
              smallWeights ? ", weights in [-63, 63]" : "");
  std::string buffersToLLVM =
      avx2 ? withDotIsa(kLowerToLLVM, "avx2") : std::string(kLowerToLLVM);
  const std::string lower =
      "func.func(convert-int8-matmul-to-kernels" + passOptions +
      "),"
      "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith),"
      "canonicalize," +
      buffersToLLVM;
  auto weight = [&](std::mt19937 &rng) {
    std::uniform_int_distribution<int> byte(-128, 127), small(-63, 63);
    return int8_t(smallWeights ? small(rng) : std::max(byte(rng), -127));
  };
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(-128, 127);
  bool allEqual = true;
  for (const Shape &s : shapes) {
    const int zeroPoint = 3;
    Buffer<int8_t> a(s.m * s.k), w(s.k * s.n);
    for (int8_t &v : a)
      v = int8_t(byte(rng));
    for (int8_t &v : w)
      v = weight(rng);

    // qopt.
    JitKernel kernel(int8MatMulSource(s.m, s.n, s.k, w, zeroPoint), lower,
                     jitCpu, jitFeatures);
    if (!kernel.ok() || !kernel.materialize("mm")) {
      std::fprintf(stderr, "%s: %s\n", s.name, kernel.error().c_str());
      return 1;
    }
    Buffer<int32_t> cq(s.m * s.n);
    auto in = view3(a.data(), s.m, s.k);
    auto out = view3(cq.data(), s.m, s.n);
    auto runQopt = [&] { kernel.call("mm", &in, &out); };

    // oneDNN: the same product with u8 activations (a + 128, zero point
    // zp + 128) and prepacked weights.
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc srcDesc({s.m, s.k}, dt::u8, tag::ab);
    dnnl::memory::desc wAny({s.k, s.n}, dt::s8, tag::any);
    dnnl::memory::desc wPlain({s.k, s.n}, dt::s8, tag::ab);
    dnnl::memory::desc dstDesc({s.m, s.n}, dt::s32, tag::ab);
    dnnl::primitive_attr attr;
    attr.set_zero_points(DNNL_ARG_SRC, 0, {zeroPoint + 128});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(srcDesc, wAny, dstDesc),
                                    attr, engine);
    Buffer<uint8_t> au(a.size());
    for (size_t i = 0; i < a.size(); ++i)
      au[i] = uint8_t(a[i] + 128);
    dnnl::memory src(srcDesc, engine, au.data());
    dnnl::memory wSrc(wPlain, engine, w.data());
    dnnl::memory weights(pd.weights_desc(), engine);
    dnnl::reorder(wSrc, weights).execute(stream, wSrc, weights);
    Buffer<int32_t> cd(s.m * s.n);
    dnnl::memory dst(dstDesc, engine, cd.data());
    dnnl::matmul mm(pd);
    // QOPT_BENCH_QOPT_ONLY=1 skips oneDNN (for profiling qopt's code).
    if (getenv("QOPT_BENCH_QOPT_ONLY")) {
      double seconds = timeIt(runQopt, reps);
      std::printf("%-16s %10.1f\n", s.name,
                  2.0 * s.m * s.n * s.k / seconds / 1e9);
      continue;
    }
    auto [tq, td] = timeAlternating(
        runQopt,
        [&] {
          mm.execute(stream, {{DNNL_ARG_SRC, src},
                              {DNNL_ARG_WEIGHTS, weights},
                              {DNNL_ARG_DST, dst}});
          stream.wait();
        },
        reps);
    bool equal = cq == cd;
    allEqual &= equal;
    double ops = 2.0 * s.m * s.n * s.k;
    std::printf("%-16s %10.1f %10.1f %8.2f %7.1f%%%s\n", s.name, ops / tq / 1e9,
                ops / td / 1e9, td / tq, 100.0 * ops / tq / 1e9 / peak,
                equal ? "" : "  RESULTS DIFFER");
  }
  // ResNet-18's convolutions at batch 1 (224x224 input; each distinct
  // layer shape once), NHWC int8 with a zero point, against oneDNN's int8
  // convolution (u8 src with the same zero point, prepacked s8 weights).
  // The 1x1 stride-2 shortcuts read a one-smaller input (the last row and
  // column do not reach any output; TOSA requires (H - 1) % stride == 0).
  struct ConvShape {
    const char *name;
    int64_t h, w, c, o, k, stride, pad;
  };
  const ConvShape convs[] = {
      {"conv1 7x7/2", 224, 224, 3, 64, 7, 2, 3},
      {"layer1 3x3", 56, 56, 64, 64, 3, 1, 1},
      {"layer2 3x3/2", 56, 56, 64, 128, 3, 2, 1},
      {"layer2 3x3", 28, 28, 128, 128, 3, 1, 1},
      {"layer2 1x1/2", 55, 55, 64, 128, 1, 2, 0},
      {"layer3 3x3/2", 28, 28, 128, 256, 3, 2, 1},
      {"layer3 3x3", 14, 14, 256, 256, 3, 1, 1},
      {"layer3 1x1/2", 27, 27, 128, 256, 1, 2, 0},
      {"layer4 3x3/2", 14, 14, 256, 512, 3, 2, 1},
      {"layer4 3x3", 7, 7, 512, 512, 3, 1, 1},
      {"layer4 1x1/2", 13, 13, 256, 512, 1, 2, 0},
  };
  if (!getenv("QOPT_BENCH_SHAPES")) {
    std::printf("%-16s %10s %10s %8s %8s\n", "ResNet-18 conv", "qopt GOPS",
                "oneDNN", "ratio", "% peak");
    double totalQ = 0, totalD = 0;
    for (const ConvShape &s : convs) {
      if (convFilter && !llvm::StringRef(s.name).contains(convFilter))
        continue;
      // TOSA requires (H + 2 pad - K) % stride == 0; the layers above
      // with a stride of 2 and odd padding need one row/column of the
      // right/bottom padding dropped, as PyTorch's output size implies.
      int64_t ho = (s.h + 2 * s.pad - s.k) / s.stride + 1;
      int64_t wo = (s.w + 2 * s.pad - s.k) / s.stride + 1;
      int64_t padEnd = (ho - 1) * s.stride + s.k - s.h - s.pad;
      const int zeroPoint = 3;
      Buffer<int8_t> x(s.h * s.w * s.c), wt(s.o * s.k * s.k * s.c);
      for (int8_t &v : x)
        v = int8_t(byte(rng));
      for (int8_t &v : wt)
        v = weight(rng);
      auto d = [](std::initializer_list<int64_t> dims, const char *e) {
        std::string r;
        for (int64_t v : dims)
          r += std::to_string(v) + "x";
        return r + e;
      };
      std::string in = "tensor<" + d({1, s.h, s.w, s.c}, "i8") + ">";
      std::string inM = "memref<" + d({1, s.h, s.w, s.c}, "i8") + ">";
      std::string wT = "tensor<" + d({s.o, s.k, s.k, s.c}, "i8") + ">";
      std::string out = "tensor<" + d({1, ho, wo, s.o}, "i32") + ">";
      std::string outM = "memref<" + d({1, ho, wo, s.o}, "i32") + ">";
      std::ostringstream text;
      text << "func.func @conv(%im: " << inM << ", %out: " << outM
           << ") attributes {llvm.emit_c_interface} {\n"
           << "  %x = bufferization.to_tensor %im restrict : " << inM << " to "
           << in << "\n  %w = \"tosa.const\"() {values = dense<"
           << denseHexLiteral(wt) << "> : " << wT << "} : () -> " << wT << "\n"
           << "  %b = \"tosa.const\"() {values = dense<0> : tensor<" << s.o
           << "xi32>} : () -> tensor<" << s.o << "xi32>\n"
           << "  %xzp = \"tosa.const\"() {values = dense<" << zeroPoint
           << "> : tensor<1xi8>} : () -> tensor<1xi8>\n"
           << "  %wzp = \"tosa.const\"() {values = dense<0> : tensor<1xi8>} : "
              "() -> tensor<1xi8>\n"
           << "  %y = tosa.conv2d %x, %w, %b, %xzp, %wzp {acc_type = i32, "
              "dilation = array<i64: 1, 1>, pad = array<i64: "
           << s.pad << ", " << padEnd << ", " << s.pad << ", " << padEnd
           << ">, stride = array<i64: " << s.stride << ", " << s.stride
           << ">} : (" << in << ", " << wT << ", tensor<" << s.o
           << "xi32>, tensor<1xi8>, tensor<1xi8>) -> " << out << "\n"
           << "  bufferization.materialize_in_destination %y in restrict "
              "writable %out : ("
           << out << ", " << outM << ") -> ()\n  return\n}\n";
      JitKernel kernel(text.str(), lower, jitCpu, jitFeatures);
      if (!kernel.ok() || !kernel.materialize("conv")) {
        std::fprintf(stderr, "%s: %s\n", s.name, kernel.error().c_str());
        return 1;
      }
      Buffer<int32_t> yq(ho * wo * s.o), yd(yq.size());
      StridedMemRefType<int8_t, 4> xin;
      StridedMemRefType<int32_t, 4> yout;
      xin.basePtr = xin.data = x.data();
      yout.basePtr = yout.data = yq.data();
      xin.offset = yout.offset = 0;
      int64_t xs[4] = {1, s.h, s.w, s.c}, ys[4] = {1, ho, wo, s.o};
      for (int i = 3, xstr = 1, ystr = 1; i >= 0; --i) {
        xin.sizes[i] = xs[i], xin.strides[i] = xstr, xstr *= xs[i];
        yout.sizes[i] = ys[i], yout.strides[i] = ystr, ystr *= ys[i];
      }

      // oneDNN: u8 NHWC source (x + 128, zero point zp + 128), weights in
      // the layout it prefers, s32 NHWC destination.
      using dt = dnnl::memory::data_type;
      using tag = dnnl::memory::format_tag;
      dnnl::memory::desc srcDesc({1, s.c, s.h, s.w}, dt::u8, tag::nhwc);
      dnnl::memory::desc wAny({s.o, s.c, s.k, s.k}, dt::s8, tag::any);
      dnnl::memory::desc wPlain({s.o, s.c, s.k, s.k}, dt::s8, tag::ohwi);
      dnnl::memory::desc dstDesc({1, s.o, ho, wo}, dt::s32, tag::nhwc);
      dnnl::primitive_attr attr;
      attr.set_zero_points(DNNL_ARG_SRC, 0, {zeroPoint + 128});
      dnnl::convolution_forward::primitive_desc pd(
          dnnl::convolution_forward::desc(
              dnnl::prop_kind::forward_inference,
              dnnl::algorithm::convolution_direct, srcDesc, wAny, dstDesc,
              {s.stride, s.stride}, {s.pad, s.pad}, {padEnd, padEnd}),
          attr, engine);
      Buffer<uint8_t> xu(x.size());
      for (size_t i = 0; i < x.size(); ++i)
        xu[i] = uint8_t(x[i] + 128);
      dnnl::memory src(srcDesc, engine, xu.data());
      dnnl::memory wSrc(wPlain, engine, wt.data());
      dnnl::memory weights(pd.weights_desc(), engine);
      dnnl::reorder(wSrc, weights).execute(stream, wSrc, weights);
      dnnl::memory dst(dstDesc, engine, yd.data());
      dnnl::convolution_forward convPrim(pd);
      auto [tq, td] = timeAlternating(
          [&] { kernel.call("conv", &xin, &yout); },
          [&] {
            convPrim.execute(stream, {{DNNL_ARG_SRC, src},
                                      {DNNL_ARG_WEIGHTS, weights},
                                      {DNNL_ARG_DST, dst}});
            stream.wait();
          },
          reps);
      bool equal = yq == yd;
      allEqual &= equal;
      double ops = 2.0 * ho * wo * s.o * s.k * s.k * s.c;
      totalQ += tq;
      totalD += td;
      std::printf("%-16s %10.1f %10.1f %8.2f %7.1f%%%s\n", s.name,
                  ops / tq / 1e9, ops / td / 1e9, td / tq,
                  100.0 * ops / tq / 1e9 / peak,
                  equal ? "" : "  RESULTS DIFFER");
    }
    std::printf("%-16s %9.3fms %9.3fms %8.2f\n", "sum of layers", totalQ * 1e3,
                totalD * 1e3, totalD / totalQ);
  }
  return allEqual ? 0 : 1;
}
