//===- Int8MatMulToX86.cpp - int8 matmul to AVX-512 VNNI microkernels -----===//
//
// C[m, n] = sum_k (A[m, k] - zp_a) * B[k, n] with B constant becomes
//
//   Ap = pad_K(A) ^ 0x80                     (unsigned, once per element)
//   Bp = pack(B)   [N/16][K/4][16][4]        (compile time)
//   C  = vpdpbusd microkernels over Ap, Bp  + corr[n]
//   corr[n] = -(128 + zp_a) * sum_k B[k, n]  (compile time)
//
// since sum_k (A + 128) B = sum_k A B + 128 sum_k B.
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Int8MatMulToX86/Int8MatMulToX86.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace qopt {
#define GEN_PASS_DEF_CONVERTINT8MATMULTOX86PASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

constexpr int64_t kLanes = 16; // int32 lanes of a zmm register
constexpr int64_t kDepth = 4;  // bytes summed per lane by vpdpbusd

int64_t alignTo(int64_t x, int64_t a) { return (x + a - 1) / a * a; }

/// The int8 value of a rank-1 single-element zero-point constant.
std::optional<int64_t> zeroPointOf(Value zp) {
  DenseIntElementsAttr values;
  if (!matchPattern(zp, m_Constant(&values)) || values.getNumElements() != 1)
    return std::nullopt;
  return (*values.begin()).getSExtValue();
}

/// Where the weights of each column panel live in the packed buffer: panel
/// p (of `vectors` 16-column blocks) holds, for each group of 4 depths, its
/// blocks' 64-byte vectors side by side, so that one K step reads
/// `vectors` x 64 contiguous bytes. Full panels come first, then the
/// narrower last one.
struct PackedLayout {
  int64_t kq;      // K / 4 (padded)
  int64_t blocks;  // N / 16 (padded)
  int64_t vectors; // blocks per full panel
  int64_t fullPanels() const { return blocks / vectors; }
  int64_t lastVectors() const { return blocks % vectors; }
  /// Byte offset of the vector for column block `nb`, depth quad `q`.
  int64_t offset(int64_t nb, int64_t q) const {
    int64_t panel = nb / vectors, j = nb % vectors;
    int64_t width = panel < fullPanels() ? vectors : lastVectors();
    return panel * kq * vectors * 64 + (q * width + j) * 64;
  }
};

/// A float32 requantization fused into the microkernels' stores (the
/// fp32_rne profile): out = clamp(roundeven(float(acc) * factor[n]) + zp).
struct Requant {
  SmallVector<float> factors; // per output column (one: per tensor)
  int64_t zeroPoint = 0, min = -128, max = 127;
};

/// Emits the microkernels into C (tensor<1 x M x Np x i32>), destination
/// passing style so that bufferization writes in place.
class KernelEmitter {
public:
  /// `rowCorr` (tensor<M x i32>, or null) is added to every column of a
  /// row; with `weightsUnsigned` the weights are vpdpbusd's unsigned
  /// operand and the activations its signed one, else the reverse.
  KernelEmitter(OpBuilder &b, Location loc, Value a, Value bPacked, Value corr,
                Value rowCorr, bool weightsUnsigned, int64_t m,
                PackedLayout layout, VnniTile tile)
      : b(b), loc(loc), a(a), bPacked(bPacked), corr(corr), rowCorr(rowCorr),
        weightsUnsigned(weightsUnsigned), rows(m), layout(layout), tile(tile) {}

  /// Stores requantized int8 (C is then tensor<1 x M x Np x i8>) with the
  /// per-column float32 `factors` (tensor<Np x f32>); single K block only.
  void fuseRequant(Value factorTensor, const Requant &params) {
    factors = factorTensor;
    requant = params;
  }

  /// The tensors the kernels write: the int32 result; or, with a fused
  /// requantization, the int8 result, preceded by an int32 buffer for the
  /// partial sums when K takes more than one block.
  using State = SmallVector<Value, 2>;

  State emit(State c) {
    // Column panels outer: a panel's weights for one K block stay in L1
    // while every row tile streams over them.
    int64_t full = layout.fullPanels();
    if (full > 0)
      c = loop(c, full, [&](State c, Value p) {
        Value col = mul(p, tile.vectors * kLanes);
        Value base = mul(p, layout.kq * tile.vectors * 64);
        return panel(c, col, base, tile.vectors);
      });
    if (int64_t last = layout.lastVectors())
      c = panel(c, index(full * tile.vectors * kLanes),
                index(full * layout.kq * tile.vectors * 64), last);
    return c;
  }

  /// Depth quads per K block and the number of blocks: equal blocks of at
  /// most k-block depths (no short tail block that would reload every tile
  /// for a few steps); by default as many depths as keep a panel's block
  /// within 40 KiB of L1 (a 48 KiB L1 also holds the streaming
  /// activations).
  static std::pair<int64_t, int64_t> kBlocking(int64_t kq, int64_t vectors,
                                               VnniTile tile) {
    int64_t maxQuads = tile.kBlock > 0
                           ? tile.kBlock / kDepth
                           : std::max<int64_t>(1, 40960 / (vectors * 64));
    int64_t blocks = (kq + maxQuads - 1) / maxQuads;
    int64_t quads = (kq + blocks - 1) / blocks;
    return {quads, (kq + quads - 1) / quads};
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, int64_t v) {
    return v ? arith::AddIOp::create(b, loc, x, index(v)).getResult() : x;
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t v) {
    return arith::MulIOp::create(b, loc, x, index(v));
  }

  /// scf.for over [0, count) carrying the state; `body` returns the new
  /// one.
  State loop(const State &c, int64_t count,
             function_ref<State(State c, Value iv)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, index(0), index(count), index(1), ValueRange(c),
        [&](OpBuilder &nested, Location, Value iv, ValueRange iter) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          scf::YieldOp::create(b, loc, ValueRange(body(State(iter), iv)));
        });
    return State(forOp.getResults());
  }

  /// One column panel: the first K block starts from the corrections,
  /// later blocks accumulate onto the partial sums; the last one stores the
  /// result.
  State panel(State c, Value col, Value base, int64_t vectors) {
    std::pair<int64_t, int64_t> blocking = kBlocking(layout.kq, vectors, tile);
    int64_t quads = blocking.first, blocks = blocking.second;
    int64_t lastQuads = layout.kq - (blocks - 1) * quads;
    c = kBlock(c, col, base, vectors, index(0), blocks == 1 ? lastQuads : quads,
               /*accumulate=*/false, /*final=*/blocks == 1);
    if (blocks > 2)
      c = loop(c, blocks - 2, [&](State c, Value kb) {
        return kBlock(c, col, base, vectors, add(mul(kb, quads), quads), quads,
                      true, false);
      });
    if (blocks > 1)
      c = kBlock(c, col, base, vectors, index((blocks - 1) * quads), lastQuads,
                 true, true);
    return c;
  }

  /// Every row tile over depth quads [first, first + quads).
  State kBlock(State c, Value col, Value base, int64_t vectors, Value first,
               int64_t quads, bool accumulate, bool final) {
    int64_t fullTiles = rows / tile.rows;
    if (fullTiles > 0)
      c = loop(c, fullTiles, [&](State c, Value t) {
        return microkernel(c, mul(t, tile.rows), col, base, tile.rows, vectors,
                           first, quads, accumulate, final);
      });
    if (rows % tile.rows)
      c = microkernel(c, index(fullTiles * tile.rows), col, base,
                      rows % tile.rows, vectors, first, quads, accumulate,
                      final);
    return c;
  }

  /// One mr x (vectors x 16) register tile over `quads` depth quads.
  State microkernel(State c, Value row, Value col, Value base, int64_t mr,
                    int64_t vectors, Value first, int64_t quads,
                    bool accumulate, bool final) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto accType = VectorType::get({kLanes}, i32);
    auto bytesType = VectorType::get({kLanes * kDepth}, i8);
    Value i8Pad = arith::ConstantIntOp::create(b, loc, i8, 0);
    Value i32Pad = arith::ConstantIntOp::create(b, loc, i32, 0);
    auto read = [&](VectorType type, Value source, ValueRange at, Value pad) {
      return vector::TransferReadOp::create(b, loc, type, source, at, pad,
                                            ArrayRef<bool>{true})
          .getResult();
    };
    // Initial accumulators: the corrections, or the partial sums so far.
    SmallVector<Value> init;
    for (int64_t i = 0; i < mr; ++i) {
      Value rowTerm;
      if (!accumulate && rowCorr)
        rowTerm = vector::BroadcastOp::create(
            b, loc, accType,
            tensor::ExtractOp::create(b, loc, rowCorr,
                                      ValueRange{add(row, i)}));
      for (int64_t j = 0; j < vectors; ++j) {
        Value n = add(col, j * kLanes);
        if (accumulate) {
          init.push_back(
              read(accType, c.front(), {index(0), add(row, i), n}, i32Pad));
          continue;
        }
        Value start = read(accType, corr, {n}, i32Pad);
        init.push_back(
            rowTerm ? arith::AddIOp::create(b, loc, start, rowTerm).getResult()
                    : start);
      }
    }
    auto kLoop = scf::ForOp::create(
        b, loc, index(0), index(quads), index(1), init,
        [&](OpBuilder &nested, Location, Value q, ValueRange accs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          Value kq = add(first, q);
          Value step = add(base, mul(kq, vectors * 64));
          SmallVector<Value> weights;
          for (int64_t j = 0; j < vectors; ++j)
            weights.push_back(
                read(bytesType, bPacked, {add(step, j * 64)}, i8Pad));
          Value k = mul(kq, kDepth);
          SmallVector<Value> next;
          for (int64_t i = 0; i < mr; ++i) {
            Value quad =
                read(VectorType::get({kDepth}, i8), a, {add(row, i), k}, i8Pad);
            Value word = vector::BitCastOp::create(
                b, loc, VectorType::get({1}, i32), quad);
            Value splat = vector::BroadcastOp::create(b, loc, accType, word);
            Value bytes = vector::BitCastOp::create(b, loc, bytesType, splat);
            for (int64_t j = 0; j < vectors; ++j)
              next.push_back(weightsUnsigned
                                 ? DotU8S8Op::create(b, loc, accType,
                                                     accs[i * vectors + j],
                                                     weights[j], bytes)
                                 : DotU8S8Op::create(b, loc, accType,
                                                     accs[i * vectors + j],
                                                     bytes, weights[j]));
          }
          scf::YieldOp::create(b, loc, next);
        });
    // Partial sums go to the int32 buffer; the final block stores the
    // result (requantized when fused).
    bool requantizing = factors && final;
    Value &dest = final ? c.back() : c.front();
    for (int64_t j = 0; j < vectors; ++j) {
      Value n = add(col, j * kLanes);
      Value factor;
      if (requantizing)
        factor = read(VectorType::get({kLanes}, b.getF32Type()), factors, {n},
                      arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                                     llvm::APFloat(0.0f)));
      for (int64_t i = 0; i < mr; ++i) {
        Value v = kLoop.getResult(i * vectors + j);
        if (requantizing)
          v = requantize(v, factor);
        dest = vector::TransferWriteOp::create(
                   b, loc, v, dest, ValueRange{index(0), add(row, i), n},
                   ArrayRef<bool>{true})
                   .getResult();
      }
    }
    return c;
  }

  /// clamp(roundeven(float(acc) * factor) + zp) as int8, exactly the
  /// fp32_rne requantize's arithmetic (convert-qopt-to-arith).
  Value requantize(Value acc, Value factor) {
    auto f32Type = VectorType::get({kLanes}, b.getF32Type());
    auto i32Type = VectorType::get({kLanes}, b.getI32Type());
    auto splatF = [&](double v) {
      return arith::ConstantOp::create(
          b, loc, f32Type, DenseElementsAttr::get(f32Type, float(v)));
    };
    Value x = arith::SIToFPOp::create(b, loc, f32Type, acc);
    Value r = math::RoundEvenOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, factor));
    r = arith::MaximumFOp::create(b, loc, r,
                                  splatF(requant.min - requant.zeroPoint));
    r = arith::MinimumFOp::create(b, loc, r,
                                  splatF(requant.max - requant.zeroPoint));
    Value q = arith::AddIOp::create(
        b, loc, arith::FPToSIOp::create(b, loc, i32Type, r),
        arith::ConstantOp::create(
            b, loc, i32Type,
            DenseElementsAttr::get(i32Type, int32_t(requant.zeroPoint))));
    return arith::TruncIOp::create(b, loc,
                                   VectorType::get({kLanes}, b.getI8Type()), q);
  }

  OpBuilder &b;
  Location loc;
  Value a, bPacked, corr, rowCorr, factors;
  Requant requant;
  bool weightsUnsigned;
  int64_t rows;
  PackedLayout layout;
  VnniTile tile;
};

/// -128 * sum_k A[m, k] for each row of A [M, K] (K a multiple of 4),
/// 64 bytes at a time with dot products against ones.
Value rowCorrections(OpBuilder &b, Location loc, Value a, int64_t m,
                     int64_t k) {
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  auto chunkType = VectorType::get({64}, i8);
  auto accType = VectorType::get({kLanes}, i32);
  Value ones = arith::ConstantOp::create(
      b, loc, chunkType, DenseElementsAttr::get(chunkType, int8_t(1)));
  Value zeros = arith::ConstantOp::create(
      b, loc, accType, DenseElementsAttr::get(accType, int32_t(0)));
  Value pad = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value minus128 = arith::ConstantIntOp::create(b, loc, i32, -128);
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value sums = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m}, i32);
  auto rowsLoop = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{sums},
      [&](OpBuilder &nested, Location, Value r, ValueRange iter) {
        auto chunks = scf::ForOp::create(
            nested, loc, index(0), index(k / 64), index(1), ValueRange{zeros},
            [&](OpBuilder &inner, Location, Value c, ValueRange acc) {
              Value at = arith::MulIOp::create(inner, loc, c, index(64));
              Value chunk = vector::TransferReadOp::create(
                  inner, loc, chunkType, a, ValueRange{r, at}, pad,
                  ArrayRef<bool>{true});
              Value next = DotU8S8Op::create(inner, loc, accType, acc.front(),
                                             ones, chunk);
              scf::YieldOp::create(inner, loc, ValueRange{next});
            });
        Value acc = chunks.getResult(0);
        if (k % 64) {
          // The last bytes of the row: a masked read, zeros beyond K.
          Value chunk = vector::TransferReadOp::create(
              nested, loc, chunkType, a, ValueRange{r, index(k / 64 * 64)}, pad,
              ArrayRef<bool>{false});
          acc = DotU8S8Op::create(nested, loc, accType, acc, ones, chunk);
        }
        Value sum = vector::ReductionOp::create(
            nested, loc, vector::CombiningKind::ADD, acc);
        Value scaled = arith::MulIOp::create(nested, loc, sum, minus128);
        Value updated = tensor::InsertOp::create(nested, loc, scaled,
                                                 iter.front(), ValueRange{r});
        scf::YieldOp::create(nested, loc, ValueRange{updated});
      });
  return rowsLoop.getResult(0);
}

/// A [M, K] int8 -> [M, Kp] with the top bit of every byte flipped (u8 =
/// s8 + 128) and K zero-padded, 64 bytes at a time (the source's strides
/// are only known at run time, so a scalar loop would not vectorize).
Value packActivations(OpBuilder &b, Location loc, Value flat, int64_t m,
                      int64_t k, int64_t kp) {
  Type i8 = b.getI8Type();
  auto chunkType = VectorType::get({64}, i8);
  Value zero = arith::ConstantIntOp::create(b, loc, i8, 0);
  Value flip = arith::ConstantOp::create(
      b, loc, chunkType, DenseElementsAttr::get(chunkType, int8_t(-128)));
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value packed = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, kp}, i8);
  auto rowsLoop = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{packed},
      [&](OpBuilder &nested, Location, Value r, ValueRange iter) {
        Value out = iter.front();
        for (int64_t at = 0; at < kp; at += 64) {
          int64_t width = std::min<int64_t>(64, kp - at);
          auto type = VectorType::get({width}, i8);
          // Only the last chunk can reach past K: a masked read, zeros
          // beyond.
          bool inBounds = at + width <= k;
          Value chunk = vector::TransferReadOp::create(
              nested, loc, type, flat, ValueRange{r, index(at)}, zero,
              ArrayRef<bool>{inBounds});
          Value mask = width == 64
                           ? flip
                           : arith::ConstantOp::create(
                                 nested, loc, type,
                                 DenseElementsAttr::get(type, int8_t(-128)));
          Value flipped = arith::XOrIOp::create(nested, loc, chunk, mask);
          out = vector::TransferWriteOp::create(nested, loc, flipped, out,
                                                ValueRange{r, index(at)},
                                                ArrayRef<bool>{true})
                    .getResult();
        }
        scf::YieldOp::create(nested, loc, out);
      });
  return rowsLoop.getResult(0);
}

/// C[1, M, N] = (A[M, K] - zpA) x W[K, N] + bias[n] in int32, as VNNI
/// microkernels; `a` is a [M, K] int8 tensor, `weights` row-major
/// constants, `bias` empty or one value per column (added through the
/// compile-time column correction, for free).
Value buildInt8Gemm(OpBuilder &b, Location loc, Value a, ArrayRef<int8_t> w,
                    int64_t k, int64_t n, int64_t zpA, ArrayRef<int32_t> bias,
                    VnniTile tile, const Requant *requant = nullptr) {
  int64_t m = cast<RankedTensorType>(a.getType()).getShape()[0];
  int64_t kp = alignTo(k, kDepth), np = alignTo(n, kLanes);
  PackedLayout layout{kp / kDepth, np / kLanes,
                      std::min(tile.vectors, np / kLanes)};
  tile.vectors = layout.vectors;
  Type i8 = b.getI8Type(), i32 = b.getI32Type();

  // When K is a multiple of 4 the activations are read in place as the
  // signed operand and the weights become the unsigned one (w + 128, at
  // compile time): sum (w + 128) a = sum w a + 128 sum_k a, so each row
  // subtracts 128 times its sum (computed at run time) and each column
  // zp times its weight sum. Otherwise the activations are copied,
  // K-padded and made unsigned (a + 128), and each column subtracts
  // (128 + zp) times its weight sum.
  bool inPlace = k % kDepth == 0;
  SmallVector<int8_t> packed(np * kp, 0);
  SmallVector<int32_t> correction(np, 0);
  for (int64_t nn = 0; nn < n && !bias.empty(); ++nn)
    correction[nn] = bias[nn];
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t nn = 0; nn < n; ++nn) {
      int8_t v = w[kk * n + nn];
      packed[layout.offset(nn / kLanes, kk / kDepth) + (nn % kLanes) * kDepth +
             kk % kDepth] = inPlace ? static_cast<int8_t>(v ^ 0x80) : v;
      correction[nn] -= (inPlace ? zpA : 128 + zpA) * v;
    }
  auto packedType = RankedTensorType::get({np * kp}, i8);
  Value bPacked = arith::ConstantOp::create(
      b, loc, packedType, DenseElementsAttr::get(packedType, ArrayRef(packed)));
  auto corrType = RankedTensorType::get({np}, i32);
  Value corr = arith::ConstantOp::create(
      b, loc, corrType, DenseElementsAttr::get(corrType, ArrayRef(correction)));

  Value activations = inPlace ? a : packActivations(b, loc, a, m, k, kp);
  Value rowCorr = inPlace ? rowCorrections(b, loc, a, m, k) : Value();

  // C is built with the result's own shape (plus padded columns), so that
  // bufferization can write it straight into the result's buffer.
  Type outElement = requant ? i8 : i32;
  auto empty = [&](Type element) {
    return tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{1, m, np}, element)
        .getResult();
  };
  KernelEmitter::State state{empty(outElement)};
  // A fused requantization over several K blocks keeps the partial sums in
  // an int32 buffer.
  if (requant &&
      KernelEmitter::kBlocking(layout.kq, layout.vectors, tile).second > 1)
    state.insert(state.begin(), empty(i32));
  KernelEmitter emitter(b, loc, activations, bPacked, corr, rowCorr, inPlace, m,
                        layout, tile);
  if (requant) {
    SmallVector<float> factors(np, 0.0f);
    for (int64_t nn = 0; nn < n; ++nn)
      factors[nn] = requant->factors[requant->factors.size() == 1 ? 0 : nn];
    auto factorType = RankedTensorType::get({np}, b.getF32Type());
    emitter.fuseRequant(
        arith::ConstantOp::create(
            b, loc, factorType,
            DenseElementsAttr::get(factorType, ArrayRef(factors))),
        *requant);
  }
  Value c = emitter.emit(state).back();
  if (np != n)
    c = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({1, m, n}, outElement), c, ValueRange{},
        ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0, 0, 0},
        ArrayRef<int64_t>{1, m, n}, ArrayRef<int64_t>{1, 1, 1});
  return c;
}

/// Rewrites an op with `Lowering::lower` (a VNNI GEMM, int32 result).
template <typename OpTy, typename Lowering>
struct LowerToGemm : OpRewritePattern<OpTy> {
  LowerToGemm(MLIRContext *ctx, VnniTile tile)
      : OpRewritePattern<OpTy>(ctx), tile(tile) {}
  VnniTile tile;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    FailureOr<Value> lowered = Lowering::lower(rewriter, op, tile, nullptr);
    if (failed(lowered))
      return failure();
    rewriter.replaceOp(op, *lowered);
    return success();
  }
};

/// tosa.matmul (int8 x constant int8 -> int32) -> the VNNI GEMM.
struct MatMulLowering {
  /// The lowered matmul (int32, or int8 with `requant`); nothing is
  /// replaced.
  static FailureOr<Value> lower(PatternRewriter &rewriter, tosa::MatMulOp mm,
                                VnniTile tile, const Requant *requant) {
    auto aType = cast<RankedTensorType>(mm.getA().getType());
    auto resultType = cast<RankedTensorType>(mm.getType());
    DenseIntElementsAttr weights;
    if (!aType.getElementType().isInteger(8) ||
        !resultType.getElementType().isInteger(32) ||
        !matchPattern(mm.getB(), m_Constant(&weights)) ||
        !aType.hasStaticShape() || aType.getShape()[0] != 1)
      return rewriter.notifyMatchFailure(mm, "not int8 x constant int8");
    std::optional<int64_t> zpA = zeroPointOf(mm.getAZp());
    std::optional<int64_t> zpB = zeroPointOf(mm.getBZp());
    if (!zpA || zpB != 0)
      return rewriter.notifyMatchFailure(mm, "needs constant zp, weights' 0");
    int64_t m = aType.getShape()[1], k = aType.getShape()[2];
    int64_t n = resultType.getShape()[2];
    if (k >= (1 << 16))
      return rewriter.notifyMatchFailure(mm, "K too large for int32 sums");
    Location loc = mm.getLoc();
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({m, k}, rewriter.getI8Type()),
        mm.getA(), SmallVector<ReassociationIndices>{{0, 1}, {2}});
    SmallVector<int8_t> w(weights.getValues<int8_t>());
    return buildInt8Gemm(rewriter, loc, flat, w, k, n, *zpA, {}, tile, requant);
  }
};

/// The im2col matrix of an NHWC int8 input for a KH x KW convolution:
/// row (n, ho, wo), column (kh, kw, c) holds input[n, ho*sy - top + kh*dy,
/// wo*sx - left + kw*dx, c], or the input zero point where that falls in
/// the padding (so the tap contributes nothing). Columns beyond KH*KW*C
/// (up to `kPadded`) are zero. A kernel row whose taps all lie inside the
/// input is one contiguous copy of KW*C bytes (with dilation 1); other
/// rows go tap by tap, 64 channels at a time.
Value im2col(OpBuilder &b, Location loc, Value input, int64_t zeroPoint,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> pad,
             ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation, int64_t ho,
             int64_t wo, int64_t kPadded) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t n = inType.getShape()[0], h = inType.getShape()[1],
          w = inType.getShape()[2], c = inType.getShape()[3];
  int64_t k = kernel[0] * kernel[1] * c;
  Type i8 = b.getI8Type();
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  Value zp = arith::ConstantIntOp::create(b, loc, i8, zeroPoint);
  // Rows of the input as W*C bytes, for the contiguous copies.
  Value rowsView = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({n, h, w * c}, i8), input,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  Value cols = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{n * ho * wo, kPadded}, i8);
  auto pixels = scf::ForOp::create(
      b, loc, index(0), index(n * ho * wo), index(1), ValueRange{cols},
      [&](OpBuilder &nb, Location, Value p, ValueRange iter) {
        auto idx = [&](int64_t v) {
          return arith::ConstantIndexOp::create(nb, loc, v).getResult();
        };
        auto within = [&](OpBuilder &ob, Value v, int64_t lo, int64_t hi) {
          Value ge = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::sge,
                                           v, idx(lo));
          Value lt = arith::CmpIOp::create(ob, loc, arith::CmpIPredicate::slt,
                                           v, idx(hi));
          return arith::AndIOp::create(ob, loc, ge, lt).getResult();
        };
        Value batch = arith::DivUIOp::create(nb, loc, p, idx(ho * wo));
        Value oy = arith::RemUIOp::create(
            nb, loc, arith::DivUIOp::create(nb, loc, p, idx(wo)), idx(ho));
        Value ox = arith::RemUIOp::create(nb, loc, p, idx(wo));
        Value wiFirst = arith::AddIOp::create(
            nb, loc, arith::MulIOp::create(nb, loc, ox, idx(stride[1])),
            idx(-pad[2]));
        Value out = iter.front();
        if (kPadded > k) {
          auto tailType = VectorType::get({kPadded - k}, i8);
          Value zeros = arith::ConstantOp::create(
              nb, loc, tailType, DenseElementsAttr::get(tailType, int8_t(0)));
          out = vector::TransferWriteOp::create(nb, loc, zeros, out,
                                                ValueRange{p, idx(k)},
                                                ArrayRef<bool>{true})
                    .getResult();
        }
        // Tap by tap: 64 channels at a time, the zero point outside.
        auto taps = [&](OpBuilder &tb, Value hi, Value rowInside, int64_t kh,
                        Value dest) {
          for (int64_t kw = 0; kw < kernel[1]; ++kw) {
            Value wi =
                arith::AddIOp::create(tb, loc, wiFirst, idx(kw * dilation[1]));
            Value inside =
                arith::AndIOp::create(tb, loc, rowInside, within(tb, wi, 0, w));
            for (int64_t c0 = 0; c0 < c; c0 += 64) {
              auto type = VectorType::get({std::min<int64_t>(64, c - c0)}, i8);
              auto tap = scf::IfOp::create(
                  tb, loc, inside,
                  [&](OpBuilder &ib, Location) {
                    Value v = vector::TransferReadOp::create(
                        ib, loc, type, input,
                        ValueRange{batch, hi, wi,
                                   arith::ConstantIndexOp::create(ib, loc, c0)},
                        zp, ArrayRef<bool>{true});
                    scf::YieldOp::create(ib, loc, v);
                  },
                  [&](OpBuilder &eb, Location) {
                    Value v = vector::BroadcastOp::create(eb, loc, type, zp);
                    scf::YieldOp::create(eb, loc, v);
                  });
              dest = vector::TransferWriteOp::create(
                         tb, loc, tap.getResult(0), dest,
                         ValueRange{p, idx((kh * kernel[1] + kw) * c + c0)},
                         ArrayRef<bool>{true})
                         .getResult();
            }
          }
          return dest;
        };
        for (int64_t kh = 0; kh < kernel[0]; ++kh) {
          Value hi = arith::AddIOp::create(
              nb, loc, arith::MulIOp::create(nb, loc, oy, idx(stride[0])),
              idx(kh * dilation[0] - pad[0]));
          Value rowInside = within(nb, hi, 0, h);
          int64_t span = kernel[1] * c;
          if (dilation[1] != 1 || span > 256) {
            out = taps(nb, hi, rowInside, kh, out);
            continue;
          }
          // All KW taps of this kernel row inside: one copy of KW*C bytes.
          Value whole = arith::AndIOp::create(
              nb, loc, rowInside, within(nb, wiFirst, 0, w - kernel[1] + 1));
          auto row = scf::IfOp::create(
              nb, loc, whole,
              [&](OpBuilder &ib, Location) {
                auto type = VectorType::get({span}, i8);
                Value at = arith::MulIOp::create(ib, loc, wiFirst, idx(c));
                Value v = vector::TransferReadOp::create(
                    ib, loc, type, rowsView, ValueRange{batch, hi, at}, zp,
                    ArrayRef<bool>{true});
                Value dest = vector::TransferWriteOp::create(
                                 ib, loc, v, out, ValueRange{p, idx(kh * span)},
                                 ArrayRef<bool>{true})
                                 .getResult();
                scf::YieldOp::create(ib, loc, dest);
              },
              [&](OpBuilder &eb, Location) {
                scf::YieldOp::create(eb, loc, taps(eb, hi, rowInside, kh, out));
              });
          out = row.getResult(0);
        }
        scf::YieldOp::create(nb, loc, out);
      });
  return pixels.getResult(0);
}

/// tosa.conv2d (int8 x constant int8 -> int32) -> im2col (none for a 1x1
/// stride-1 unpadded convolution) + the VNNI GEMM with the weights as a
/// constant [KH*KW*C, O] matrix and the bias in its column corrections.
struct ConvLowering {
  /// The lowered convolution (int32, or int8 with `requant`, which needs a
  /// constant bias); nothing is replaced.
  static FailureOr<Value> lower(PatternRewriter &rewriter, tosa::Conv2DOp conv,
                                VnniTile tile, const Requant *requant) {
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    auto resultType = cast<RankedTensorType>(conv.getType());
    DenseIntElementsAttr weights;
    if (!inType.getElementType().isInteger(8) || !inType.hasStaticShape() ||
        !resultType.getElementType().isInteger(32) ||
        !matchPattern(conv.getWeight(), m_Constant(&weights)))
      return rewriter.notifyMatchFailure(conv, "not int8 x constant int8");
    std::optional<int64_t> zpIn = zeroPointOf(conv.getInputZp());
    if (!zpIn || zeroPointOf(conv.getWeightZp()) != 0)
      return rewriter.notifyMatchFailure(conv, "needs constant zp, weights' 0");
    auto bias = cast<RankedTensorType>(conv.getBias().getType());
    int64_t n = inType.getShape()[0], c = inType.getShape()[3];
    ArrayRef<int64_t> wShape =
        cast<RankedTensorType>(weights.getType()).getShape();
    int64_t o = wShape[0], kh = wShape[1], kw = wShape[2];
    int64_t ho = resultType.getShape()[1], wo = resultType.getShape()[2];
    if (bias.getShape() != ArrayRef<int64_t>{o})
      return rewriter.notifyMatchFailure(conv, "bias is not per channel");
    ArrayRef<int64_t> pad = conv.getPad(), stride = conv.getStride(),
                      dilation = conv.getDilation();
    Location loc = conv.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
    int64_t k = kh * kw * c, pixels = n * ho * wo;

    bool pointwise = kh == 1 && kw == 1 && llvm::all_equal(stride) &&
                     stride[0] == 1 &&
                     llvm::all_of(pad, [](int64_t p) { return p == 0; });
    Value cols =
        pointwise ? tensor::CollapseShapeOp::create(
                        rewriter, loc, RankedTensorType::get({pixels, c}, i8),
                        conv.getInput(),
                        SmallVector<ReassociationIndices>{{0, 1, 2}, {3}})
                        .getResult()
                  : im2col(rewriter, loc, conv.getInput(), *zpIn, {kh, kw}, pad,
                           stride, dilation, ho, wo, alignTo(k, kDepth));
    // Weights [O, KH, KW, C] -> [KH*KW*C, O]; im2col pads K to a multiple
    // of 4 with zero columns (zero weight rows), so the GEMM reads it in
    // place.
    int64_t gemmK = pointwise ? k : alignTo(k, kDepth);
    SmallVector<int8_t> w(weights.getValues<int8_t>()), b(gemmK * o, 0);
    for (int64_t oo = 0; oo < o; ++oo)
      for (int64_t kk = 0; kk < k; ++kk)
        b[kk * o + oo] = w[oo * k + kk];
    // A constant bias goes into the GEMM's column corrections; another one
    // is added afterwards.
    DenseIntElementsAttr biasValues;
    SmallVector<int32_t> columnBias;
    bool constantBias = matchPattern(conv.getBias(), m_Constant(&biasValues));
    if (constantBias)
      columnBias.assign(biasValues.getValues<int32_t>().begin(),
                        biasValues.getValues<int32_t>().end());
    if (requant && !constantBias)
      return failure();
    Value sum = buildInt8Gemm(rewriter, loc, cols, b, gemmK, o, *zpIn,
                              columnBias, tile, requant);
    if (!constantBias) {
      Value bias3 = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({1, 1, o}, i32), conv.getBias(),
          SmallVector<ReassociationIndices>{{0, 1, 2}});
      sum = tosa::AddOp::create(rewriter, loc,
                                RankedTensorType::get({1, pixels, o}, i32), sum,
                                bias3);
    }
    Type element = requant ? i8 : i32;
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({pixels, o}, element), sum,
        SmallVector<ReassociationIndices>{{0, 1}, {2}});
    return tensor::ExpandShapeOp::create(
               rewriter, loc, resultType.clone(element), flat,
               SmallVector<ReassociationIndices>{{0, 1, 2}, {3}})
        .getResult();
  }
};

/// requantize(scast(conv2d | matmul)) with the fp32_rne profile: the
/// requantization happens in the microkernels' last stores, so the int32
/// result never reaches memory (only the partial sums of earlier K blocks
/// do). Convolutions need a constant bias.
struct FuseRequantizeIntoGemm : OpRewritePattern<RequantizeOp> {
  FuseRequantizeIntoGemm(MLIRContext *ctx, VnniTile tile)
      : OpRewritePattern(ctx, /*benefit=*/2), tile(tile) {}
  VnniTile tile;

  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto storage = op.getInput().getDefiningOp<quant::StorageCastOp>();
    Operation *gemm = storage ? storage.getInput().getDefiningOp() : nullptr;
    if (op.getRounding() != RoundingMode::fp32_rne || !gemm ||
        !isa<tosa::Conv2DOp, tosa::MatMulOp>(gemm) || !gemm->hasOneUse() ||
        !storage->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not requantize(scast(gemm))");
    auto out = dyn_cast<quant::UniformQuantizedType>(
        op.getOutput().getType().getElementType());
    if (!out || out.getStorageTypeIntegralWidth() != 8)
      return rewriter.notifyMatchFailure(op, "output is not 8-bit per tensor");
    // Accumulator scales: per tensor or per output channel (last axis),
    // zero point 0.
    Type inElement = op.getInput().getType().getElementType();
    SmallVector<double> scales;
    int64_t rank = op.getInput().getType().getRank();
    if (auto t = dyn_cast<quant::UniformQuantizedType>(inElement)) {
      if (t.getZeroPoint() != 0)
        return failure();
      scales.push_back(t.getScale());
    } else if (auto t = dyn_cast<quant::UniformQuantizedPerAxisType>(inElement);
               t && t.getQuantizedDimension() == rank - 1 &&
               llvm::all_of(t.getZeroPoints(),
                            [](int64_t z) { return z == 0; })) {
      scales.assign(t.getScales().begin(), t.getScales().end());
    } else {
      return rewriter.notifyMatchFailure(op, "accumulator not at zero point 0");
    }
    Requant requant;
    for (double s : scales)
      requant.factors.push_back(static_cast<float>(s) /
                                static_cast<float>(out.getScale()));
    requant.zeroPoint = out.getZeroPoint();
    requant.min = out.getStorageTypeMin();
    requant.max = out.getStorageTypeMax();

    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(gemm);
    FailureOr<Value> lowered =
        isa<tosa::Conv2DOp>(gemm)
            ? ConvLowering::lower(rewriter, cast<tosa::Conv2DOp>(gemm), tile,
                                  &requant)
            : MatMulLowering::lower(rewriter, cast<tosa::MatMulOp>(gemm), tile,
                                    &requant);
    if (failed(lowered))
      return rewriter.notifyMatchFailure(op, "the GEMM cannot be lowered");
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, op.getType(),
                                                      *lowered);
    rewriter.eraseOp(storage);
    rewriter.eraseOp(gemm);
    return success();
  }
};

struct ConvertInt8MatMulToX86Pass
    : qopt::impl::ConvertInt8MatMulToX86PassBase<ConvertInt8MatMulToX86Pass> {
  using Base::Base;
  void runOnOperation() override {
    int64_t rows = tileRows, vectors = tileVectors, depth = kBlock;
    if (depth < 0 || depth % 4) {
      getOperation().emitError()
          << "convert-int8-matmul-to-x86: k-block " << depth
          << " must be 0 (automatic) or a positive multiple of 4";
      return signalPassFailure();
    }
    // Accumulators, one weight vector per column block and the broadcast.
    if (rows < 1 || vectors < 1 || rows * vectors + vectors + 1 > 32) {
      getOperation().emitError()
          << "convert-int8-matmul-to-x86: the register tile " << rows << " x "
          << vectors
          << " needs more than the 32 zmm registers (rows * vectors + "
             "vectors + 1 <= 32, and both >= 1)";
      return signalPassFailure();
    }
    // Fusions first: a fused GEMM must be matched before its convolution or
    // matmul is lowered on its own.
    VnniTile tile{rows, vectors, depth};
    RewritePatternSet fusions(&getContext());
    fusions.add<FuseRequantizeIntoGemm>(&getContext(), tile);
    if (failed(applyPatternsGreedily(getOperation(), std::move(fusions))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateInt8MatMulToX86Patterns(patterns, tile);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void qopt::populateInt8MatMulToX86Patterns(RewritePatternSet &patterns,
                                           VnniTile tile) {
  patterns.add<LowerToGemm<tosa::MatMulOp, MatMulLowering>,
               LowerToGemm<tosa::Conv2DOp, ConvLowering>>(patterns.getContext(),
                                                          tile);
}
