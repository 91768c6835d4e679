//===- Int8MatMulToKernels.cpp - int8 GEMMs to CPU microkernels -----------===//
//
// C[m, n] = sum_k (A[m, k] - zp_a) * B[k, n] with B constant becomes
//
//   Ap = pad_K(A) ^ 0x80                     (unsigned, once per element)
//   Bp = pack(B)   [N/16][K/4][16][4]        (compile time)
//   C  = vpdpbusd microkernels over Ap, Bp  + corr[n]
//   corr[n] = -(128 + zp_a) * sum_k B[k, n]  (compile time)
//
// since sum_k (A + 128) B = sum_k A B + 128 sum_k B (or, with A in place,
// the weights as the unsigned operand and run-time row sums). The AMX
// kernels read the same packed B as tile rows and multiply signed by
// signed (tdpbssd), so corr[n] = -zp_a * sum_k B[k, n]; so do AArch64's
// sdot register tiles (same packing) and smmla blocks (B packed in depth
// octets, [N/16][K/8][16][8]).
//
//===----------------------------------------------------------------------===//

#include "qopt/Conversion/Int8MatMulToKernels/Int8MatMulToKernels.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Conversion/QOptToArith/QOptToArith.h"
#include "qopt/Dialect/QOpt/IR/QOptOps.h"
#include "qopt/Dialect/QOpt/Utils/QuantMath.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSwitch.h"

#include <numeric>

namespace qopt {
#define GEN_PASS_DEF_CONVERTINT8MATMULTOKERNELSPASS
#include "qopt/Conversion/Passes.h.inc"
} // namespace qopt

using namespace mlir;
using namespace qopt;

namespace {

constexpr int64_t kLanes = 16;       // int32 lanes of a column block (a zmm)
constexpr int64_t kDepth = 4;        // bytes summed per lane by vpdpbusd / sdot
constexpr int64_t kMmlaDepth = 8;    // depths per smmla operand row
constexpr int64_t kAmxTileRows = 16; // rows of an AMX accumulator tile

/// Depths per packed group: what one instruction sums per output.
int64_t depthOf(Int8Kernel kernel) {
  return kernel == Int8Kernel::smmla ? kMmlaDepth : kDepth;
}

int64_t alignTo(int64_t x, int64_t a) { return (x + a - 1) / a * a; }

/// A GEMM's constant weights [K, N] (row-major) as the kernels store them.
struct GemmWeights {
  /// The values the kernels multiply: the weights, or with groups q.
  SmallVector<int8_t> values;
  /// 8; or 4 / 2, packed two / four per byte.
  int64_t bits = 8;
  /// With groups of `groupSize` depths (0: none), the weights are
  /// m[g, n] * values[k, n] for k in group g; `multipliers` is m [K / G, N].
  int64_t groupSize = 0;
  SmallVector<int8_t> multipliers;

  /// The weight at [k, n] that the GEMM computes with.
  int64_t at(int64_t k, int64_t n, int64_t columns) const {
    int64_t v = values[k * columns + n];
    return groupSize ? v * multipliers[k / groupSize * columns + n] : v;
  }
};

/// The narrowest bits (2 or 4) that hold every value, or 8.
int64_t narrowestBits(ArrayRef<int8_t> values) {
  auto within = [&](int64_t lo, int64_t hi) {
    return llvm::all_of(values, [&](int8_t v) { return v >= lo && v <= hi; });
  };
  return within(-2, 1) ? 2 : within(-8, 7) ? 4 : 8;
}

/// Int8 weights w [K, N] that are m * q per column and group of depths, q
/// in int4 (or int2) and m no larger than per-group quantization makes it
/// (maxGroupMultiplier: 18 for narrow-range int4, 64 for int2): what
/// per-group weights with integer sub-scales become in the integer graph.
/// The bound also keeps ordinary int8 weights that share a large factor
/// (all 127) from being taken for grouped ones; ternary groups above 64
/// stay int8. Each group's m is the largest divisor of the gcd of its
/// values within the bound (so q is as narrow as it gets). Tries the
/// narrowest q, then the largest group of 256 down to 16 depths that K
/// divides; nullopt when no grouping holds (ordinary int8 weights, or
/// weights that already fit 4 bits as they are).
std::optional<GemmWeights> factorGroups(ArrayRef<int8_t> w, int64_t k,
                                        int64_t n) {
  if (narrowestBits(w) < 8)
    return std::nullopt;
  for (int64_t bits : {2, 4}) {
    StorageRange q = getIntegerRange(bits, /*isUnsigned=*/false);
    StorageRange quantized = bits == 4 ? StorageRange{-7, 7} : q;
    int64_t maxMultiplier = maxGroupMultiplier(quantized);
    for (int64_t size = 256; size >= 16; size /= 2) {
      if (k % size != 0)
        continue;
      // The multipliers first, stopping at the first group that does not
      // fit (ordinary int8 weights fail at once); the values only then.
      SmallVector<int8_t> multipliers(k / size * n);
      bool fits = true;
      for (int64_t g = 0; g < k / size && fits; ++g)
        for (int64_t nn = 0; nn < n && fits; ++nn) {
          int64_t gcd = 0;
          for (int64_t kk = g * size; kk < (g + 1) * size; ++kk)
            gcd = std::gcd(gcd, std::abs(int64_t(w[kk * n + nn])));
          int64_t m = std::max<int64_t>(gcd, 1);
          while (m > maxMultiplier || gcd % m != 0)
            --m;
          for (int64_t kk = g * size; kk < (g + 1) * size && fits; ++kk)
            fits = q.contains(w[kk * n + nn] / m);
          multipliers[g * n + nn] = static_cast<int8_t>(m);
        }
      if (!fits)
        continue;
      GemmWeights grouped;
      grouped.bits = bits;
      grouped.groupSize = size;
      grouped.values.reserve(w.size());
      for (int64_t kk = 0; kk < k; ++kk)
        for (int64_t nn = 0; nn < n; ++nn)
          grouped.values.push_back(static_cast<int8_t>(
              w[kk * n + nn] / multipliers[kk / size * n + nn]));
      grouped.multipliers = std::move(multipliers);
      return grouped;
    }
  }
  return std::nullopt;
}

/// The kernels' storage of the weights w [K, N] of a layer whose TOSA
/// weights are `tosaBits` wide: int4 ones packed (two per byte, or four
/// when their values fit 2 bits); int8 ones as int4 q with per-group
/// multipliers when they factor so (factorGroups), else as they are.
GemmWeights storeWeights(SmallVector<int8_t> w, int64_t k, int64_t n,
                         int64_t tosaBits) {
  if (tosaBits == 8)
    if (std::optional<GemmWeights> grouped = factorGroups(w, k, n))
      return std::move(*grouped);
  GemmWeights stored;
  stored.bits = tosaBits == 8 ? 8 : narrowestBits(w);
  stored.values = std::move(w);
  return stored;
}

/// The options for one layer of `rows` GEMM rows: AMX tiles hold 16 rows,
/// so fewer (a GEMV, a late layer's few pixels) would waste most of each
/// tile multiply, and take the register tiles (AMX CPUs have AVX-512
/// VNNI; at M = 1 they are 1.2x faster). Packed int4 / int2 weights are
/// unpacked in registers, so they take the register-tile kernels (AMX
/// tiles load from memory; smmla's octets would need their own field
/// order: its CPUs have sdot), as many depth groups per K step as share a
/// byte, and K padded to whole such sets. Per-group weights keep a second
/// accumulator per output (the group's dot products): half the rows.
Int8GemmOptions forLayer(Int8GemmOptions tile, const GemmWeights &weights,
                         int64_t rows) {
  tile.weightBits = weights.bits;
  tile.groupSize = weights.groupSize;
  if (tile.kernel == Int8Kernel::amx && rows < kAmxTileRows)
    tile.kernel = Int8Kernel::vnni;
  if (weights.bits == 8)
    return tile;
  if (tile.kernel == Int8Kernel::amx)
    tile.kernel = Int8Kernel::vnni;
  if (tile.kernel == Int8Kernel::smmla)
    tile.kernel = Int8Kernel::sdot;
  tile.depthUnroll = std::max(tile.depthUnroll, tile.weightsPerByte());
  if (weights.groupSize)
    tile.rows = std::max<int64_t>(1, tile.rows / 2);
  return tile;
}

/// The int8 value of a rank-1 single-element zero-point constant.
std::optional<int64_t> zeroPointOf(Value zp) {
  DenseIntElementsAttr values;
  if (!matchPattern(zp, m_Constant(&values)) || values.getNumElements() != 1)
    return std::nullopt;
  return (*values.begin()).getSExtValue();
}

/// The operands every integer layer the kernels take has: int8 activations
/// of a static shape with a constant zero point, constant weights (TOSA's
/// int8, or its int4 from 2- to 4-bit quantization) with zero point 0, an
/// int32 result.
struct IntegerLayer {
  SmallVector<int8_t> weights; ///< as signed bytes (int4 sign-extended)
  ArrayRef<int64_t> weightShape;
  int64_t inputZp = 0;
  int64_t tosaBits = 8; ///< the TOSA weights' width: 8 or 4
};

FailureOr<IntegerLayer> matchIntegerLayer(PatternRewriter &rewriter,
                                          Operation *op, Value input,
                                          Value weight, Value inputZp,
                                          Value weightZp) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  DenseIntElementsAttr weights;
  if (!inType.getElementType().isInteger(8) || !inType.hasStaticShape() ||
      !resultType.getElementType().isInteger(32) ||
      !matchPattern(weight, m_Constant(&weights)))
    return rewriter.notifyMatchFailure(op, "not int8 x constant weights");
  unsigned width = weights.getElementType().getIntOrFloatBitWidth();
  if (width != 8 && width != 4)
    return rewriter.notifyMatchFailure(op, "weights neither int8 nor int4");
  std::optional<int64_t> zp = zeroPointOf(inputZp);
  if (!zp || zeroPointOf(weightZp) != 0)
    return rewriter.notifyMatchFailure(op, "needs constant zp, weights' 0");
  IntegerLayer layer;
  layer.weights.reserve(weights.getNumElements());
  for (const APInt &v : weights.getValues<APInt>())
    layer.weights.push_back(static_cast<int8_t>(v.getSExtValue()));
  layer.weightShape = weights.getType().getShape();
  layer.inputZp = *zp;
  layer.tosaBits = width;
  return layer;
}

/// Where the weights of each column panel live in the packed buffer: panel
/// p (of `vectors` 16-column blocks) holds, for each group of `depth`
/// depths, its blocks' vectors (16 columns x `depth` bytes, column-major:
/// byte c * depth + d) side by side, so that one K step reads contiguous
/// bytes. Full panels come first, then the narrower last one. With depth 4
/// a vector is a vpdpbusd / sdot operand and an AMX B-tile row; with depth
/// 8 each 16 bytes are an smmla operand (2 columns x 8 depths).
struct PackedLayout {
  int64_t kq;      // K / depth (padded): the depth groups
  int64_t blocks;  // N / 16 (padded)
  int64_t vectors; // blocks per full panel
  int64_t depth = kDepth;
  /// Packed weights (4 or 2 bits; 8: not packed): the vectors of depth
  /// groups f p .. f p + f - 1 (f = 8 / weightBits) share one vector of
  /// bytes (bit fields from the lowest, each holding w + 2^(bits - 1)), at
  /// 1 / f of the offset; kq is a multiple of f.
  int64_t weightBits = 8;
  int64_t weightsPerByte() const { return 8 / weightBits; }
  int64_t vectorBytes() const { return kLanes * depth; }
  int64_t fullPanels() const { return blocks / vectors; }
  int64_t lastVectors() const { return blocks % vectors; }
  /// Byte offset of the vector for column block `nb`, depth group `q`.
  int64_t offset(int64_t nb, int64_t q) const {
    int64_t panel = nb / vectors, j = nb % vectors;
    int64_t width = panel < fullPanels() ? vectors : lastVectors();
    return (panel * kq * vectors + q * width + j) * vectorBytes();
  }
  /// Packed weights: byte offset of the vector holding column block `nb`
  /// for depth groups f p .. f p + f - 1.
  int64_t packedOffset(int64_t nb, int64_t p) const {
    int64_t panel = nb / vectors, j = nb % vectors;
    int64_t width = panel < fullPanels() ? vectors : lastVectors();
    return (panel * (kq / weightsPerByte()) * vectors + p * width + j) *
           vectorBytes();
  }
};

/// A requantization fused into the microkernels' stores: the fp32_rne
/// profile's `clamp(roundeven(float(acc) * factor[n]) + zp)` or a dyadic
/// qopt.rescale (double_round / single_round), per tensor or per output
/// column, producing int8.
struct Requant {
  SmallVector<float> factors; // fp32_rne: per output column (one: per tensor)
  RescaleOp rescale;          // dyadic: the op whose arithmetic is fused
  bool int32Only = false;     // dyadic: the int32-only form is exact
  bool neon = false;          // dyadic: as qopt.dyadic_scale (AArch64 NEON's
                              // fixed-point instructions)
  int64_t zeroPoint = 0, min = -128, max = 127;
  /// Per-column constant tensors (Np values), made by buildInt8Gemm:
  /// {factors} or {multipliers, shifts}.
  SmallVector<Value> columns;

  /// The parameters of the 16 columns from `n`, as vectors.
  SmallVector<Value> lanes(OpBuilder &b, Location loc, Value n) const {
    SmallVector<Value> out;
    for (Value t : columns) {
      Type element = cast<RankedTensorType>(t.getType()).getElementType();
      Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
      out.push_back(vector::TransferReadOp::create(
          b, loc, VectorType::get({kLanes}, element), t, ValueRange{n}, pad,
          ArrayRef<bool>{true}));
    }
    return out;
  }

  /// int8 lanes of `acc` (16 x int32) with the parameters from `lanes`.
  Value apply(OpBuilder &b, Location loc, Value acc,
              ArrayRef<Value> params) const {
    if (RescaleOp op = rescale) {
      // The int32-only plan covers double_round's left shift.
      bool neonForm = neon && op.getInputZp() == 0;
      if (neonForm)
        return buildRescaleOutput(
            b, loc, op,
            DyadicScaleOp::create(
                b, loc, acc.getType(), acc, params[0], params[1],
                RoundingModeAttr::get(b.getContext(), op.getRounding()),
                /*left_shift_exact=*/int32Only ? b.getUnitAttr() : UnitAttr()));
      return buildRescaleElement(b, loc, op, acc, params[0], params[1],
                                 int32Only);
    }
    // Exactly the fp32_rne requantize's arithmetic (convert-qopt-to-arith).
    auto f32Type = VectorType::get({kLanes}, b.getF32Type());
    auto i32Type = VectorType::get({kLanes}, b.getI32Type());
    auto splatF = [&](double v) {
      return arith::ConstantOp::create(
          b, loc, f32Type, DenseElementsAttr::get(f32Type, float(v)));
    };
    Value x = arith::SIToFPOp::create(b, loc, f32Type, acc);
    Value r = math::RoundEvenOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, params[0]));
    r = arith::MaximumFOp::create(b, loc, r, splatF(min - zeroPoint));
    r = arith::MinimumFOp::create(b, loc, r, splatF(max - zeroPoint));
    Value q = arith::AddIOp::create(
        b, loc, arith::FPToSIOp::create(b, loc, i32Type, r),
        arith::ConstantOp::create(
            b, loc, i32Type,
            DenseElementsAttr::get(i32Type, int32_t(zeroPoint))));
    return arith::TruncIOp::create(b, loc,
                                   VectorType::get({kLanes}, b.getI8Type()), q);
  }
};

/// A convolution's GEMM rows read in place from its padded input (no
/// im2col): `padded` holds the zero-point-padded NHWC input as bytes
/// (unsigned, x + 128, for VNNI). With a horizontal dilation of 1 the
/// depths of kernel row kh (KW x C bytes) lie side by side in the input:
/// they are segment kh of the GEMM row of output pixel (n, y, x), which
/// starts at byte ((n Hp + y sy + kh dy) Wp + x sx) C.
struct ConvRows {
  Value padded;
  int64_t hp, wp, c, strideY, strideX, dilationY;
  int64_t segmentQuads; // KW x C / 4
};

/// Writes `count` rows of A, from row `first`, to rows 0.. of `block`
/// (an im2col for a block of output pixels).
using RowFiller = std::function<void(Value first, int64_t count, Value block)>;

/// How the register-tile kernels take the rows' bytes from A.
enum class RowForm {
  /// Already a + 128 (copied, built or padded flipped): vpdpbusd's
  /// unsigned operand.
  asUnsigned,
  /// Signed in A, made unsigned in registers (a ^ 0x80, one xor per
  /// broadcast word).
  flipped,
  /// Signed, multiplied as they are: sdot and smmla, and AVX2's pair dots
  /// (widened to int16, signed bytes multiply as well as unsigned).
  asSigned,
};

/// Whether `tile`'s dots are AVX2's pair dots: x86 register tiles told to
/// prefer int16 pair sums (`int16-pairs`) whose weights do not prove them.
bool usesPairDots(const Int8GemmOptions &tile, bool pairsFitI16) {
  return tile.int16Pairs && tile.kernel == Int8Kernel::vnni && !pairsFitI16;
}

/// What both GEMM emitters share: index arithmetic, scf.for loops carrying
/// the tensors the kernels write (destination-passing style), and the walk
/// over column panels and row blocks.
class GemmEmitterBase {
protected:
  /// The tensors the kernels write.
  using State = SmallVector<Value, 2>;

  GemmEmitterBase(OpBuilder &b, Location loc, PackedLayout layout)
      : b(b), loc(loc), layout(layout) {}

  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, int64_t v) {
    return v ? arith::AddIOp::create(b, loc, x, index(v)).getResult() : x;
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t v) {
    return arith::MulIOp::create(b, loc, x, index(v));
  }

  /// scf.for over [begin, end) carrying the state; `body` returns the new
  /// one.
  State loop(const State &c, int64_t begin, int64_t end,
             function_ref<State(State c, Value iv)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, index(begin), index(end), index(1), ValueRange(c),
        [&](OpBuilder &nested, Location, Value iv, ValueRange iter) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          scf::YieldOp::create(b, loc, ValueRange(body(State(iter), iv)));
        });
    return State(forOp.getResults());
  }
  State loop(const State &c, int64_t count,
             function_ref<State(State c, Value iv)> body) {
    return loop(c, 0, count, body);
  }

  /// `body(c, first column, packed base offset, 16-column vectors)` for
  /// every column panel from `firstPanel`: the full ones (a loop), then the
  /// narrower last.
  State forEachPanel(
      State c,
      function_ref<State(State c, Value col, Value base, int64_t vectors)> body,
      int64_t firstPanel = 0) {
    int64_t full = layout.fullPanels(), width = layout.vectors;
    if (full > firstPanel)
      c = loop(c, firstPanel, full, [&](State c, Value p) {
        return body(c, mul(p, width * kLanes),
                    mul(p, layout.kq * width * layout.vectorBytes()), width);
      });
    if (int64_t last = layout.lastVectors())
      c = body(c, index(full * width * kLanes),
               index(full * layout.kq * width * layout.vectorBytes()), last);
    return c;
  }

  /// `body(c, first row, rows)` for every block of `blockRows` of `rows`
  /// rows (a loop), then for the rows left.
  State forEachRowBlock(
      State c, int64_t rows, int64_t blockRows,
      function_ref<State(State c, Value first, int64_t count)> body) {
    if (int64_t blocks = rows / blockRows)
      c = loop(c, blocks, [&](State c, Value r) {
        return body(c, mul(r, blockRows), blockRows);
      });
    if (int64_t left = rows % blockRows)
      c = body(c, index(rows - left), left);
    return c;
  }

  OpBuilder &b;
  Location loc;
  PackedLayout layout;
};

/// Emits the microkernels into C (tensor<rowShape x Np x i32>: the M rows
/// as the result's own leading dimensions, e.g. a convolution's NHWC
/// pixels, so that bufferization writes a function's result in place
/// instead of copying it through a reshape), destination passing style.
class KernelEmitter : GemmEmitterBase {
public:
  /// `rowForm` says how the rows of A enter the dot products.
  KernelEmitter(OpBuilder &b, Location loc, Value a, Value bPacked, Value corr,
                RowForm rowForm, ArrayRef<int64_t> rowShape,
                PackedLayout layout, Int8GemmOptions tile)
      : GemmEmitterBase(b, loc, layout), a(a), bPacked(bPacked), corr(corr),
        rowForm(rowForm), rowShape(rowShape), rows(llvm::product_of(rowShape)),
        tile(tile) {}

  /// Stores requantized int8 (C is then tensor<1 x M x Np x i8>), in the
  /// last K block's stores.
  void fuseRequant(const Requant &params) { requant = params; }

  /// Marks every dot `pairs_fit_i16` (the caller proved it).
  void setPairsFitI16() { pairsFitI16 = true; }

  /// Scales each group's dot products (tile.groupSize depths) by its
  /// multipliers: int8 [Kp / G, Np], row-major.
  void scaleGroupsBy(Value multipliers) { groupMultipliers = multipliers; }

  using GemmEmitterBase::State;

  /// Instead of reading A, build it `kBlockTiles` row tiles at a time with
  /// `fill` (an im2col) into a buffer that stays in L1/L2, just before
  /// every column panel and K block uses those rows.
  void buildRowsWith(RowFiller rowFiller, int64_t kp) {
    fill = std::move(rowFiller);
    a = memref::AllocOp::create(
        b, loc, MemRefType::get({tile.rows * kBlockTiles, kp}, b.getI8Type()));
  }

  /// Read the rows in place from a convolution's padded input.
  void readConvRows(const ConvRows &rows) {
    convRows = rows;
    a = rows.padded;
  }

  /// Writes C (int32, or int8 with a fused requantization) and returns
  /// it.
  Value emit(Value c) {
    State state{c};
    int64_t blockRows = fill ? tile.rows * kBlockTiles : rows;
    Type i32 = b.getI32Type();
    if (maxKBlocks() > 1) {
      SmallVector<int64_t> partialsShape{blockRows, layout.vectors * kLanes};
      partialsAt = state.size();
      state.push_back(tensor::EmptyOp::create(b, loc, partialsShape, i32));
    }
    if (!fill)
      return panels(state, {index(0), rows, index(0)}).front();
    // Row blocks outer: each is built once (flipped to unsigned), then
    // used by every panel.
    return forEachRowBlock(state, rows, blockRows,
                           [&](State c, Value first, int64_t count) {
                             fill(first, count, a);
                             return panels(c, {first, count, index(0)});
                           })
        .front();
  }

  /// Depth quads per K block and the number of blocks: equal blocks of at
  /// most k-block depths (no short tail block that would reload every tile
  /// for a few steps); by default as many depths as keep a panel's block
  /// within 40 KiB of L1 (a 48 KiB L1 also holds the streaming
  /// activations). With convolution rows read in place, a block covers
  /// whole segments or lies within one (`segmentQuads`, 0 otherwise).
  static std::pair<int64_t, int64_t> kBlocking(const PackedLayout &layout,
                                               int64_t vectors,
                                               Int8GemmOptions tile,
                                               int64_t segmentQuads) {
    int64_t kq = layout.kq;
    int64_t maxQuads =
        tile.kBlock > 0
            ? std::max<int64_t>(1, tile.kBlock / layout.depth)
            : std::max<int64_t>(1, 40960 / (vectors * layout.vectorBytes()));
    int64_t blocks = (kq + maxQuads - 1) / maxQuads;
    int64_t quads = (kq + blocks - 1) / blocks;
    // Blocks start at the first group of a set sharing bytes, and at the
    // first of a group with its own multipliers.
    int64_t aligned = layout.weightsPerByte();
    if (tile.groupSize)
      aligned = std::lcm(aligned, tile.groupSize / layout.depth);
    quads = alignTo(quads, aligned);
    if (segmentQuads && quads >= segmentQuads)
      quads = quads / segmentQuads * segmentQuads;
    else if (segmentQuads)
      while (segmentQuads % quads || quads % aligned)
        --quads;
    return {quads, (kq + quads - 1) / quads};
  }

private:
  /// Rows [start, start + count) of C, read from rows aStart.. of A.
  struct RowSpan {
    Value start;
    int64_t count;
    Value aStart;
  };

  /// The most K blocks of any of the panels.
  int64_t maxKBlocks() const {
    int64_t segmentQuads = convRows ? convRows->segmentQuads : 0;
    int64_t blocks = 0;
    for (int64_t vectors :
         {layout.fullPanels() ? layout.vectors : 0, layout.lastVectors()})
      if (vectors)
        blocks = std::max(
            blocks, kBlocking(layout, vectors, tile, segmentQuads).second);
    return blocks;
  }

  /// Column panels outer: a panel's weights for one K block stay in L1
  /// while every row tile of `span` streams over them.
  State panels(State c, RowSpan span) {
    return forEachPanel(c,
                        [&](State c, Value col, Value base, int64_t vectors) {
                          return panel(c, col, base, vectors, span);
                        });
  }

  /// One column panel: the first K block starts from the corrections,
  /// later blocks accumulate onto the partial sums; the last one stores the
  /// result.
  State panel(State c, Value col, Value base, int64_t vectors,
              const RowSpan &span) {
    std::pair<int64_t, int64_t> blocking =
        kBlocking(layout, vectors, tile, convRows ? convRows->segmentQuads : 0);
    int64_t quads = blocking.first, blocks = blocking.second;
    int64_t lastQuads = layout.kq - (blocks - 1) * quads;
    c = kBlock(c, col, base, vectors, index(0), blocks == 1 ? lastQuads : quads,
               /*accumulate=*/false, /*final=*/blocks == 1, span);
    if (blocks > 2)
      c = loop(c, blocks - 2, [&](State c, Value kb) {
        return kBlock(c, col, base, vectors, add(mul(kb, quads), quads), quads,
                      true, false, span);
      });
    if (blocks > 1)
      c = kBlock(c, col, base, vectors, index((blocks - 1) * quads), lastQuads,
                 true, true, span);
    return c;
  }

  /// Every row tile of `span` over depth quads [first, first + quads).
  State kBlock(State c, Value col, Value base, int64_t vectors, Value first,
               int64_t quads, bool accumulate, bool final,
               const RowSpan &span) {
    int64_t fullTiles = span.count / tile.rows;
    if (fullTiles > 0)
      c = loop(c, fullTiles, [&](State c, Value t) {
        Value offset = mul(t, tile.rows);
        return microkernel(c, add(span.start, offset), add(span.aStart, offset),
                           col, base, tile.rows, vectors, first, quads,
                           accumulate, final);
      });
    if (int64_t left = span.count % tile.rows)
      c = microkernel(c, add(span.start, fullTiles * tile.rows),
                      add(span.aStart, fullTiles * tile.rows), col, base, left,
                      vectors, first, quads, accumulate, final);
    return c;
  }

  /// One mr x (vectors x 16) register tile over `quads` depth groups.
  State microkernel(State c, Value row, Value aRow, Value col, Value base,
                    int64_t mr, int64_t vectors, Value first, int64_t quads,
                    bool accumulate, bool final) {
    Type i32 = b.getI32Type();
    auto accType = VectorType::get({kLanes}, i32);
    Value i32Pad = arith::ConstantIntOp::create(b, loc, i32, 0);
    // What the accumulators start from: the column corrections, or the
    // partial sums so far.
    SmallVector<SmallVector<Value>> rowAt = cIndices(row, mr);
    auto at = [&](int64_t i, Value n) {
      SmallVector<Value> indices(rowAt[i]);
      indices.push_back(n);
      return indices;
    };
    // Partial sums by the tile's row in A and its column in the panel.
    auto partialAt = [&](int64_t i, int64_t j) {
      return SmallVector<Value>{add(aRow, i), index(j * kLanes)};
    };
    SmallVector<Value> init;
    for (int64_t i = 0; i < mr; ++i)
      for (int64_t j = 0; j < vectors; ++j)
        init.push_back(
            accumulate ? read(accType, c[partialsAt], partialAt(i, j), i32Pad)
                       : read(accType, corr, {add(col, j * kLanes)}, i32Pad));
    SmallVector<Value> sums =
        tile.kernel == Int8Kernel::smmla
            ? mmlaTile(aRow, base, mr, vectors, first, quads, init)
        : groupMultipliers
            ? groupedDotTile(aRow, col, base, mr, vectors, first, quads, init)
            : dotTile(aRow, base, mr, vectors, first, quads, init);
    // Partial sums go to the int32 buffer; the final block stores the
    // result (requantized when fused).
    bool requantizing = requant && final;
    Value &dest = final ? c.front() : c[partialsAt];
    for (int64_t j = 0; j < vectors; ++j) {
      Value n = add(col, j * kLanes);
      SmallVector<Value> params;
      if (requantizing)
        params = requant->lanes(b, loc, n);
      for (int64_t i = 0; i < mr; ++i) {
        Value v = sums[i * vectors + j];
        if (requantizing)
          v = requant->apply(b, loc, v, params);
        SmallVector<Value> indices = final ? at(i, n) : partialAt(i, j);
        dest = vector::TransferWriteOp::create(b, loc, v, dest, indices,
                                               ArrayRef<bool>{true})
                   .getResult();
      }
    }
    return c;
  }

  /// C's indices of rows row.. row + count - 1 (of M): 0 and the row for
  /// a matmul's [1, M], else their coordinates in rowShape. Only the first
  /// row's take divisions; each next row's add 1 with carries, a compare
  /// and a select per dimension (short-K convolutions spent a fifth of
  /// their time dividing).
  SmallVector<SmallVector<Value>> cIndices(Value row, int64_t count) {
    SmallVector<SmallVector<Value>> rows;
    if (rowShape.size() == 2 && rowShape[0] == 1) {
      for (int64_t i = 0; i < count; ++i)
        rows.push_back({index(0), add(row, i)});
      return rows;
    }
    SmallVector<Value> indices(rowShape.size());
    for (int64_t d = rowShape.size() - 1; d > 0; --d) {
      Value size = index(rowShape[d]);
      indices[d] = arith::RemUIOp::create(b, loc, row, size);
      row = arith::DivUIOp::create(b, loc, row, size);
    }
    indices[0] = row;
    rows.push_back(indices);
    Value zero = index(0), one = index(1);
    for (int64_t i = 1; i < count; ++i) {
      SmallVector<Value> next(rows.back());
      Value carry = one;
      for (int64_t d = rowShape.size() - 1; d > 0; --d) {
        Value bumped = add(next[d], carry);
        Value wraps = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                            bumped, index(rowShape[d]));
        next[d] = arith::SelectOp::create(b, loc, wraps, zero, bumped);
        carry = arith::SelectOp::create(b, loc, wraps, one, zero);
      }
      next[0] = add(next[0], carry);
      rows.push_back(next);
    }
    return rows;
  }

  Value read(VectorType type, Value source, ValueRange at, Value pad) {
    return vector::TransferReadOp::create(b, loc, type, source, at, pad,
                                          ArrayRef<bool>{true})
        .getResult();
  }

  /// The weight vectors of the f = 8 / bits depth groups packed in one
  /// vector of bytes (each field w + 2^(bits - 1)), lowest field first, as
  /// signed bytes w. Per vector: a shift (none for the lowest field), a
  /// mask (none for the highest) and an add.
  SmallVector<Value> unpackWeights(Value packed) {
    auto type = cast<VectorType>(packed.getType());
    auto splat = [&](int64_t v) {
      return arith::ConstantOp::create(
          b, loc, type,
          DenseElementsAttr::get(type, b.getIntegerAttr(b.getI8Type(), v)));
    };
    int64_t bits = layout.weightBits, bias = int64_t(1) << (bits - 1);
    Value offset = splat(-bias);
    Value mask = splat((1 << bits) - 1);
    SmallVector<Value> weights;
    for (int64_t f = 0, fields = layout.weightsPerByte(); f < fields; ++f) {
      Value field = packed;
      if (f > 0)
        field = arith::ShRUIOp::create(b, loc, field, splat(f * bits));
      if (f + 1 < fields)
        field = arith::AndIOp::create(b, loc, field, mask);
      weights.push_back(arith::AddIOp::create(b, loc, field, offset));
    }
    return weights;
  }

  /// The four-byte dot kernels (vpdpbusd, sdot): per depth quad, one
  /// broadcast of a row's 4 bytes against each 64-byte weight vector. The
  /// accumulators start from `init`. With `depth-unroll` 4 (AArch64's
  /// sdot) a step covers 4 quads: each row's 16 bytes are loaded once and
  /// each quad is a lane of them, which sdot's indexed form multiplies in
  /// place; x86 keeps one quad per step (vpdpbusd broadcasts from memory).
  SmallVector<Value> dotTile(Value aRow, Value base, int64_t mr,
                             int64_t vectors, Value first, int64_t quads,
                             ArrayRef<Value> init) {
    // Convolution rows read in place: one segment at a time (the range
    // covers whole ones or lies in one), each from its own row offsets.
    int64_t piece = convRows ? std::min(quads, convRows->segmentQuads) : quads;
    SmallVector<Value> starts =
        convRows ? pixelStarts(aRow, mr) : SmallVector<Value>();
    int64_t unroll = tile.depthUnroll;
    SmallVector<Value> accs(init);
    for (int64_t p = 0; p < quads / piece; ++p) {
      Value from = add(first, p * piece);
      TileRows rows = tileRows(aRow, starts, from);
      if (int64_t steps = piece / unroll)
        accs = dotSteps(rows, base, mr, vectors, from, steps, unroll, accs);
      // Sets of groups sharing bytes are never split: quads is a multiple
      // of their size and so is what is left.
      int64_t leftUnroll = layout.weightsPerByte();
      if (int64_t left = piece % unroll) {
        Value leftFrom = add(from, piece - left);
        accs = dotSteps(rows, base, mr, vectors, leftFrom, left / leftUnroll,
                        leftUnroll, accs);
      }
    }
    return accs;
  }

  /// Where a row tile's bytes are: rows aRow.. of A [M, Kp], or (with
  /// convolution rows read in place) one byte offset per row into the
  /// padded input such that depth quad q of the segment is at offset + 4 q.
  struct TileRows {
    Value aRow;
    SmallVector<Value> offsets;
  };

  /// Where the first segment (kernel row 0) of each of the tile's rows
  /// starts in the padded input: its output pixel's top-left tap.
  SmallVector<Value> pixelStarts(Value aRow, int64_t mr) {
    const ConvRows &conv = *convRows;
    SmallVector<Value> starts;
    for (const SmallVector<Value> &pixel : cIndices(aRow, mr)) {
      Value y = add(mul(pixel[0], conv.hp), mul(pixel[1], conv.strideY));
      Value x = mul(pixel[2], conv.strideX * conv.c);
      starts.push_back(add(mul(y, conv.wp * conv.c), x));
    }
    return starts;
  }

  /// The tile's rows for the depth quads in the segment of quad `first`
  /// (`starts` from pixelStarts with convolution rows).
  TileRows tileRows(Value aRow, ArrayRef<Value> starts, Value first) {
    if (!convRows)
      return {aRow, {}};
    const ConvRows &conv = *convRows;
    // Segment kh starts kh dy input rows down, where its quads number from
    // kh x segmentQuads.
    Value segment =
        arith::DivUIOp::create(b, loc, first, index(conv.segmentQuads));
    int64_t rowBytes = conv.wp * conv.c, segmentBytes = conv.segmentQuads * 4;
    Value shift = mul(segment, conv.dilationY * rowBytes - segmentBytes);
    TileRows rows{aRow, {}};
    for (Value start : starts)
      rows.offsets.push_back(add(start, shift));
    return rows;
  }

  /// Row i's bytes [4 q, 4 q + width) of the tile's rows.
  Value readRow(const TileRows &rows, int64_t i, Value q, VectorType type) {
    Value pad = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    Value depth = mul(q, kDepth);
    if (rows.offsets.empty())
      return read(type, a, {add(rows.aRow, i), depth}, pad);
    return read(type, a, {add(rows.offsets[i], depth)}, pad);
  }

  /// dotTile one group of weights at a time: each group's dot products
  /// start from zero and are added to the accumulators times the group's
  /// multipliers of each column (16 bytes, sign-extended).
  SmallVector<Value> groupedDotTile(Value aRow, Value col, Value base,
                                    int64_t mr, int64_t vectors, Value first,
                                    int64_t quads, ArrayRef<Value> init) {
    int64_t groupQuads = tile.groupSize / layout.depth;
    int64_t columns = layout.blocks * kLanes;
    auto accType = VectorType::get({kLanes}, b.getI32Type());
    auto bytesType = VectorType::get({kLanes}, b.getI8Type());
    Value zero = arith::ConstantOp::create(
        b, loc, accType, DenseElementsAttr::get(accType, int32_t(0)));
    Value i8Pad = arith::ConstantIntOp::create(b, loc, b.getI8Type(), 0);
    Value groups = index(quads / groupQuads);
    auto groupLoop = scf::ForOp::create(
        b, loc, index(0), groups, index(1), init,
        [&](OpBuilder &nested, Location, Value g, ValueRange in) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          Value groupFirst = add(first, mul(g, groupQuads));
          SmallVector<Value> zeros(mr * vectors, zero);
          SmallVector<Value> sums =
              dotTile(aRow, base, mr, vectors, groupFirst, groupQuads, zeros);
          Value quadsPerGroup = index(groupQuads);
          Value group =
              arith::DivUIOp::create(b, loc, groupFirst, quadsPerGroup);
          Value rowStart = mul(group, columns);
          SmallVector<Value> accs(in);
          for (int64_t j = 0; j < vectors; ++j) {
            Value at = add(rowStart, add(col, j * kLanes));
            Value bytes = read(bytesType, groupMultipliers, {at}, i8Pad);
            Value m = arith::ExtSIOp::create(b, loc, accType, bytes);
            for (int64_t i = 0; i < mr; ++i) {
              Value scaled =
                  arith::MulIOp::create(b, loc, sums[i * vectors + j], m);
              Value &acc = accs[i * vectors + j];
              acc = arith::AddIOp::create(b, loc, acc, scaled);
            }
          }
          scf::YieldOp::create(b, loc, accs);
        });
    return SmallVector<Value>(groupLoop.getResults());
  }

  /// Whether the dots are AVX2's exact pair dots (qopt.pair_dot_s8_s8 on
  /// rows as they are, qopt.pair_dot_u8_s8 on flipped ones):
  /// x86-64-v3 kernels whose int16 pair sums may not fit vpmaddubsw. A
  /// 4-byte dot there would add each output's two pair sums after every
  /// step (shuffles across the halves of two ymm); pair dots keep them in
  /// neighbouring lanes of a 32-lane accumulator and add them once, after
  /// the depth loop (addPairs).
  bool pairDots() const { return usesPairDots(tile, pairsFitI16); }

  /// A 16-lane accumulator as pair-dot lanes: output c in lane 2 c, zero
  /// in lane 2 c + 1.
  Value spreadToPairs(Value acc) {
    auto type = cast<VectorType>(acc.getType());
    Value zeros = arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, int32_t(0)));
    return vector::InterleaveOp::create(b, loc, acc, zeros);
  }

  /// The 16 outputs of a pair-dot accumulator: lane 2 c plus lane 2 c + 1.
  Value addPairs(Value pairs) {
    auto halves = vector::DeinterleaveOp::create(b, loc, pairs);
    return arith::AddIOp::create(b, loc, halves.getRes1(), halves.getRes2());
  }

  /// `steps` steps of `unroll` depth quads each, from quad `first`.
  SmallVector<Value> dotSteps(const TileRows &rows, Value base, int64_t mr,
                              int64_t vectors, Value first, int64_t steps,
                              int64_t unroll, ArrayRef<Value> init) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto accType = VectorType::get({kLanes}, i32);
    auto pairAccType = VectorType::get({2 * kLanes}, i32);
    auto bytesType = VectorType::get({kLanes * kDepth}, i8);
    Value i8Pad = arith::ConstantIntOp::create(b, loc, i8, 0);
    Value signBits;
    if (rowForm == RowForm::flipped)
      signBits = arith::ConstantOp::create(
          b, loc, bytesType, DenseElementsAttr::get(bytesType, int8_t(-128)));
    SmallVector<Value> start(init);
    if (pairDots())
      for (Value &acc : start)
        acc = spreadToPairs(acc);
    auto kLoop = scf::ForOp::create(
        b, loc, index(0), index(steps), index(1), start,
        [&](OpBuilder &nested, Location, Value s, ValueRange in) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          Value kq0 = add(first, mul(s, unroll));
          // Each row's bytes for the whole step, as 32-bit words.
          SmallVector<Value> words;
          auto rowBytes = VectorType::get({unroll * kDepth}, i8);
          for (int64_t i = 0; i < mr; ++i)
            words.push_back(vector::BitCastOp::create(
                b, loc, VectorType::get({unroll}, i32),
                readRow(rows, i, kq0, rowBytes)));
          SmallVector<Value> accs(in);
          // Packed weights: per column vector, the unpacked vectors of the
          // set of depth groups the step is in.
          int64_t perByte = layout.weightsPerByte();
          SmallVector<SmallVector<Value>> unpacked;
          for (int64_t u = 0; u < unroll; ++u) {
            SmallVector<Value> weights;
            if (perByte == 1) {
              Value step = add(base, mul(add(kq0, u), vectors * 64));
              for (int64_t j = 0; j < vectors; ++j)
                weights.push_back(
                    read(bytesType, bPacked, {add(step, j * 64)}, i8Pad));
            } else {
              if (u % perByte == 0) {
                // One load per set of depth groups, at 1 / f of the int8
                // offset.
                Value setStep = arith::DivUIOp::create(
                    b, loc, add(base, mul(add(kq0, u), vectors * 64)),
                    index(perByte));
                unpacked.clear();
                for (int64_t j = 0; j < vectors; ++j)
                  unpacked.push_back(unpackWeights(
                      read(bytesType, bPacked, {add(setStep, j * 64)}, i8Pad)));
              }
              for (int64_t j = 0; j < vectors; ++j)
                weights.push_back(unpacked[j][u % perByte]);
            }
            for (int64_t i = 0; i < mr; ++i) {
              Value splat = vector::ShuffleOp::create(
                  b, loc, words[i], words[i], SmallVector<int64_t>(kLanes, u));
              Value bytes = vector::BitCastOp::create(b, loc, bytesType, splat);
              if (rowForm == RowForm::flipped)
                bytes = arith::XOrIOp::create(b, loc, bytes, signBits);
              for (int64_t j = 0; j < vectors; ++j) {
                Value &acc = accs[i * vectors + j];
                // The broadcast row last: sdot's indexed operand.
                if (tile.kernel == Int8Kernel::sdot)
                  acc = DotS8S8Op::create(b, loc, accType, acc, weights[j],
                                          bytes, pairsFitI16);
                else if (pairDots() && rowForm == RowForm::asSigned)
                  acc = PairDotS8S8Op::create(b, loc, pairAccType, acc, bytes,
                                              weights[j]);
                else if (pairDots())
                  acc = PairDotU8S8Op::create(b, loc, pairAccType, acc, bytes,
                                              weights[j]);
                else
                  acc = DotU8S8Op::create(b, loc, accType, acc, bytes,
                                          weights[j], pairsFitI16);
              }
            }
          }
          scf::YieldOp::create(b, loc, accs);
        });
    SmallVector<Value> sums(kLoop.getResults());
    if (pairDots())
      for (Value &acc : sums)
        acc = addPairs(acc);
    return sums;
  }

  /// The smmla kernels: per depth octet, each pair of rows (16 bytes: two
  /// rows x 8 depths; an odd last row is paired with itself) multiplies
  /// each pair of columns (16 packed bytes) into a 2 x 2 int32 block. The
  /// blocks start from zero; the rows are then gathered out of them and
  /// added to `init`.
  SmallVector<Value> mmlaTile(Value aRow, Value base, int64_t mr,
                              int64_t vectors, Value first, int64_t octets,
                              ArrayRef<Value> init) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto blockType = VectorType::get({4}, i32);
    auto operandType = VectorType::get({16}, i8);
    constexpr int64_t kColumnPairs = kLanes / 2;
    int64_t rowPairs = (mr + 1) / 2, vectorBytes = layout.vectorBytes();
    Value i8Pad = arith::ConstantIntOp::create(b, loc, i8, 0);
    Value zeros = arith::ConstantOp::create(
        b, loc, blockType, DenseElementsAttr::get(blockType, int32_t(0)));
    SmallVector<Value> blocks(rowPairs * vectors * kColumnPairs, zeros);
    // `steps` steps of `unroll` octets from octet `from`: each row's bytes
    // for a step are read once; each octet's operand takes 8 of them from
    // both rows of a pair (zip1 / zip2 of 64-bit lanes).
    auto octetSteps = [&](ArrayRef<Value> in, Value from, int64_t steps,
                          int64_t unroll) {
      auto loop = scf::ForOp::create(
          b, loc, index(0), index(steps), index(1), in,
          [&](OpBuilder &nested, Location, Value s, ValueRange accs) {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(nested.getInsertionBlock());
            Value kq0 = add(from, mul(s, unroll));
            auto rowType = VectorType::get({unroll * kMmlaDepth}, i8);
            SmallVector<Value> top, bottom;
            for (int64_t i = 0; i < rowPairs; ++i) {
              top.push_back(read(
                  rowType, a, {add(aRow, 2 * i), mul(kq0, kMmlaDepth)}, i8Pad));
              bottom.push_back(2 * i + 1 < mr ? read(rowType, a,
                                                     {add(aRow, 2 * i + 1),
                                                      mul(kq0, kMmlaDepth)},
                                                     i8Pad)
                                              : top.back());
            }
            SmallVector<Value> next(accs);
            for (int64_t u = 0; u < unroll; ++u) {
              Value step = add(base, mul(add(kq0, u), vectors * vectorBytes));
              SmallVector<Value> weights;
              for (int64_t j = 0; j < vectors; ++j)
                for (int64_t p = 0; p < kColumnPairs; ++p)
                  weights.push_back(read(operandType, bPacked,
                                         {add(step, j * vectorBytes + p * 16)},
                                         i8Pad));
              SmallVector<int64_t> picks;
              for (int64_t half : {int64_t(0), unroll * kMmlaDepth})
                for (int64_t d = 0; d < kMmlaDepth; ++d)
                  picks.push_back(half + u * kMmlaDepth + d);
              for (int64_t i = 0; i < rowPairs; ++i) {
                Value rows =
                    vector::ShuffleOp::create(b, loc, top[i], bottom[i], picks);
                for (int64_t t = 0; t < vectors * kColumnPairs; ++t) {
                  Value &acc = next[i * vectors * kColumnPairs + t];
                  acc = MmlaS8S8Op::create(b, loc, blockType, acc, rows,
                                           weights[t]);
                }
              }
            }
            scf::YieldOp::create(b, loc, next);
          });
      return SmallVector<Value>(loop.getResults());
    };
    int64_t unroll = tile.depthUnroll;
    if (int64_t steps = octets / unroll)
      blocks = octetSteps(blocks, first, steps, unroll);
    if (int64_t left = octets % unroll)
      blocks = octetSteps(blocks, add(first, octets - left), left, 1);
    // Row 2i + h of column block j: lanes (2h, 2h + 1) of its 8 blocks.
    SmallVector<Value> sums;
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t j = 0; j < vectors; ++j) {
        int64_t h = r % 2;
        SmallVector<Value> parts;
        for (int64_t p = 0; p < kColumnPairs; ++p)
          parts.push_back(blocks[((r / 2) * vectors + j) * kColumnPairs + p]);
        // Pairs of blocks -> 4 lanes, then concatenations up to 16.
        SmallVector<Value> level;
        for (int64_t p = 0; p < kColumnPairs; p += 2)
          level.push_back(vector::ShuffleOp::create(
              b, loc, parts[p], parts[p + 1],
              ArrayRef<int64_t>{2 * h, 2 * h + 1, 4 + 2 * h, 5 + 2 * h}));
        while (level.size() > 1) {
          SmallVector<Value> up;
          for (size_t x = 0; x < level.size(); x += 2) {
            int64_t width =
                cast<VectorType>(level[x].getType()).getNumElements();
            up.push_back(vector::ShuffleOp::create(
                b, loc, level[x], level[x + 1],
                llvm::to_vector(llvm::seq<int64_t>(2 * width))));
          }
          level = std::move(up);
        }
        sums.push_back(arith::AddIOp::create(b, loc, level.front(),
                                             init[r * vectors + j]));
      }
    return sums;
  }

  static constexpr int64_t kBlockTiles = 8; // row tiles per built block
  /// Where the state keeps, after C, what outlives a tile (0: not kept):
  /// the int32 partial sums of the K blocks before the last, [rows of the
  /// span, panel columns] (not in C, whose rows may lie a power of two
  /// apart and fold onto a few L2 sets).
  int64_t partialsAt = 0;
  Value a, bPacked, corr, groupMultipliers;
  RowFiller fill;
  std::optional<ConvRows> convRows;
  std::optional<Requant> requant;
  RowForm rowForm;
  bool pairsFitI16 = false;
  SmallVector<int64_t> rowShape;
  int64_t rows;
  Int8GemmOptions tile;
};

/// Emits AMX microkernels into C (tensor<1 x M x Np x i32 or i8>): for each
/// column panel of 32 (or 16) columns and each block of 32 rows, 2 x 2
/// accumulator tiles of 16 x 16 int32 stay in tmm registers over the whole
/// depth; each 64-byte depth step loads two activation tiles (16 rows x 64
/// bytes, straight from A) and two weight tiles (16 depth quads x 16
/// columns x 4, the packed layout's vectors at the panel's stride) and
/// issues four tile multiplies. Every tile has the same shape (LLVM
/// configures each tmm register once per function: edge shapes would
/// spill), so A must have whole 16-row tiles and 64-byte depth steps:
/// rows past M are read but not stored, depths past K meet zero weights.
/// The accumulators leave through a 16 x 16 stack buffer into the same
/// epilogue as the VNNI kernels (column correction, optional
/// requantization).
class AmxKernelEmitter : GemmEmitterBase {
public:
  static constexpr int64_t kTileRows = kAmxTileRows;
  static constexpr int64_t kStepBytes = 64;   // depth bytes per tile multiply
  static constexpr int64_t kPanelVectors = 2; // 16-column tiles per panel
  static constexpr int64_t kBlockRows = 2 * kTileRows; // rows per microkernel

  /// `a` is signed int8 [align(M, 16), Kp] with Kp a multiple of 64 (or
  /// null, when buildRowsWith provides the rows); the packed weights are
  /// signed, zero beyond K.
  AmxKernelEmitter(OpBuilder &b, Location loc, Value a, Value bPacked,
                   Value corr, int64_t m, int64_t kp, PackedLayout layout)
      : GemmEmitterBase(b, loc, layout), corr(corr), rows(m), kp(kp) {
    if (a) {
      auto aType = cast<RankedTensorType>(a.getType());
      int64_t dyn = ShapedType::kDynamic;
      aBuffer = bufferization::ToBufferOp::create(
          b, loc,
          MemRefType::get(
              aType.getShape(), aType.getElementType(),
              StridedLayoutAttr::get(b.getContext(), dyn, {dyn, 1})),
          a, /*read_only=*/true);
    }
    auto bType = cast<RankedTensorType>(bPacked.getType());
    bBuffer = bufferization::ToBufferOp::create(
        b, loc, MemRefType::get(bType.getShape(), bType.getElementType()),
        bPacked, /*read_only=*/true);
    scratch = memref::AllocaOp::create(
        b, loc, MemRefType::get({kTileRows, kLanes}, b.getI32Type()));
  }

  void fuseRequant(const Requant &params) { requant = params; }

  /// Instead of reading A, build it 32 rows at a time with `fill` (an
  /// im2col) into a buffer that stays in L1, just before every column
  /// panel uses those rows.
  void buildRowsWith(RowFiller rowFiller) {
    fill = std::move(rowFiller);
    aBuffer = memref::AllocOp::create(
        b, loc, MemRefType::get({kBlockRows, kp}, b.getI8Type()));
  }

  Value emit(Value c) {
    if (!fill)
      return forEachPanel({c},
                          [&](State c, Value col, Value base, int64_t vectors) {
                            // A read in place: row blocks inner, within the
                            // panel.
                            return forEachRowBlock(
                                c, rows, kBlockRows,
                                [&](State c, Value first, int64_t count) {
                                  return microkernel(c, first, first,
                                                     tailTiles(count), col,
                                                     base, vectors);
                                });
                          })
          .front();
    // Row blocks outer: each is built once, then used by every panel.
    return forEachRowBlock(
               {c}, rows, kBlockRows,
               [&](State c, Value first, int64_t count) {
                 fill(first, count, aBuffer);
                 return forEachPanel(
                     c, [&](State c, Value col, Value base, int64_t vectors) {
                       return microkernel(c, index(0), first, tailTiles(count),
                                          col, base, vectors);
                     });
               })
        .front();
  }

private:
  /// The stored rows of each 16-row tile covering `left` rows.
  static SmallVector<int64_t> tailTiles(int64_t left) {
    SmallVector<int64_t> valid;
    for (int64_t r = 0; r < left; r += kTileRows)
      valid.push_back(std::min(kTileRows, left - r));
    return valid;
  }

  /// Accumulator tiles for the 16-row tiles of A from `aRow` (C rows from
  /// `row`, of which `valid` rows each are stored) x `vectors` column
  /// tiles, over the whole depth.
  State microkernel(State state, Value aRow, Value row, ArrayRef<int64_t> valid,
                    Value col, Value base, int64_t vectors) {
    Value c = state.front();
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto accTile = amx::TileType::get({kTileRows, kLanes}, i32);
    auto byteTile = amx::TileType::get({kTileRows, kStepBytes}, i8);
    SmallVector<Value> accs;
    for (size_t t = 0; t < valid.size() * vectors; ++t)
      accs.push_back(amx::TileZeroOp::create(b, loc, accTile));
    Value stride = index(vectors * 64);
    auto kLoop = scf::ForOp::create(
        b, loc, index(0), index(kp / kStepBytes), index(1), accs,
        [&](OpBuilder &nested, Location, Value s, ValueRange in) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          // Depth quads 16 s .. 16 s + 15 of each column tile.
          Value quad = mul(s, kStepBytes / kDepth);
          SmallVector<Value> weights;
          for (int64_t j = 0; j < vectors; ++j) {
            Value at = arith::AddIOp::create(
                b, loc, base, add(mul(quad, vectors * 64), j * 64));
            weights.push_back(amx::TileLoadOp::create(b, loc, byteTile, bBuffer,
                                                      ValueRange{at}, stride));
          }
          SmallVector<Value> out;
          for (size_t i = 0; i < valid.size(); ++i) {
            Value lhs = amx::TileLoadOp::create(
                b, loc, byteTile, aBuffer,
                ValueRange{add(aRow, int64_t(i) * kTileRows),
                           mul(s, kStepBytes)});
            for (int64_t j = 0; j < vectors; ++j)
              out.push_back(amx::TileMulIOp::create(
                  b, loc, accTile, lhs, weights[j], in[i * vectors + j]));
          }
          scf::YieldOp::create(b, loc, out);
        });
    accs.assign(kLoop.getResults().begin(), kLoop.getResults().end());

    // Out through the stack buffer: + column correction, requantized or
    // not, into C.
    auto accType = VectorType::get({kLanes}, i32);
    Value i32Pad = arith::ConstantIntOp::create(b, loc, i32, 0);
    for (int64_t j = 0; j < vectors; ++j) {
      Value n = add(col, j * kLanes);
      Value correction = vector::TransferReadOp::create(
          b, loc, accType, corr, ValueRange{n}, i32Pad, ArrayRef<bool>{true});
      SmallVector<Value> params;
      if (requant)
        params = requant->lanes(b, loc, n);
      // One 2-D write per tile (not one per row): one-shot-bufferize's
      // analysis is quadratic in the length of a chain of tensor writes.
      for (auto [i, h] : llvm::enumerate(valid)) {
        auto blockType =
            VectorType::get({h, kLanes}, requant ? b.getI8Type() : i32);
        amx::TileStoreOp::create(b, loc, scratch,
                                 ValueRange{index(0), index(0)},
                                 accs[i * vectors + j]);
        Value block = arith::ConstantOp::create(b, loc, blockType,
                                                b.getZeroAttr(blockType));
        for (int64_t r = 0; r < h; ++r) {
          Value v = vector::LoadOp::create(b, loc, accType, scratch,
                                           ValueRange{index(r), index(0)});
          v = arith::AddIOp::create(b, loc, v, correction);
          if (requant)
            v = requant->apply(b, loc, v, params);
          block =
              vector::InsertOp::create(b, loc, v, block, ArrayRef<int64_t>{r});
        }
        c = vector::TransferWriteOp::create(
                b, loc, block, c,
                ValueRange{index(0), add(row, int64_t(i) * kTileRows), n},
                ArrayRef<bool>{true, true})
                .getResult();
      }
    }
    return {c};
  }

  RowFiller fill;
  Value aBuffer, bBuffer, scratch, corr;
  std::optional<Requant> requant;
  int64_t rows, kp;
};

/// Row `srcRow` of `src` [*, K] int8 into row `dstRow` of `dst` [*, Kp]
/// (tensors), K zero-padded to Kp and, with `flip`, the top bit of every
/// byte flipped (u8 = s8 + 128), 64 bytes at a time (the source's strides
/// are only known at run time, so a scalar loop would not vectorize).
/// Returns the updated `dst`.
Value copyRow(OpBuilder &b, Location loc, Value src, Value srcRow, Value dst,
              Value dstRow, int64_t k, int64_t kp, bool flip) {
  Type i8 = b.getI8Type();
  Value zero = arith::ConstantIntOp::create(b, loc, i8, 0);
  for (int64_t at = 0; at < kp; at += 64) {
    int64_t width = std::min<int64_t>(64, kp - at);
    auto type = VectorType::get({width}, i8);
    Value column = arith::ConstantIndexOp::create(b, loc, at);
    // Only the last chunk can reach past K: a masked read, zeros beyond.
    bool inBounds = at + width <= k;
    Value chunk = vector::TransferReadOp::create(
        b, loc, type, src, ValueRange{srcRow, column}, zero,
        ArrayRef<bool>{inBounds});
    if (flip) {
      auto topBits = DenseElementsAttr::get(type, int8_t(-128));
      Value mask = arith::ConstantOp::create(b, loc, type, topBits);
      chunk = arith::XOrIOp::create(b, loc, chunk, mask);
    }
    dst = vector::TransferWriteOp::create(b, loc, chunk, dst,
                                          ValueRange{dstRow, column},
                                          ArrayRef<bool>{true})
              .getResult();
  }
  return dst;
}

/// A [M, K] int8 -> [Mp, Kp] with K zero-padded and, with `flip`, unsigned
/// (copyRow). Rows past M are left unwritten.
Value packActivations(OpBuilder &b, Location loc, Value flat, int64_t m,
                      int64_t k, int64_t kp, bool flip = true, int64_t mp = 0) {
  Value packed = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{std::max(m, mp), kp}, b.getI8Type());
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto rowsLoop = scf::ForOp::create(
      b, loc, index(0), index(m), index(1), ValueRange{packed},
      [&](OpBuilder &nested, Location, Value r, ValueRange iter) {
        Value out = copyRow(nested, loc, flat, r, iter.front(), r, k, kp, flip);
        scf::YieldOp::create(nested, loc, out);
      });
  return rowsLoop.getResult(0);
}

/// `requant` with its per-column parameters as constants of `np` values
/// (the first `n` real, the rest padding), for `kernel`'s stores.
Requant withColumns(OpBuilder &b, Location loc, Requant requant, int64_t n,
                    int64_t np, Int8Kernel kernel) {
  requant.neon = kernel == Int8Kernel::sdot || kernel == Int8Kernel::smmla;
  auto column = [&](auto values, Type element) {
    using T = typename decltype(values)::value_type;
    SmallVector<T> padded(np, values.front());
    for (int64_t nn = 0; nn < n; ++nn)
      padded[nn] = values[values.size() == 1 ? 0 : nn];
    auto type = RankedTensorType::get({np}, element);
    requant.columns.push_back(arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, ArrayRef(padded))));
  };
  if (requant.rescale) {
    column(SmallVector<int32_t>(requant.rescale.getMultiplier()),
           b.getI32Type());
    column(SmallVector<int32_t>(requant.rescale.getShift()), b.getI32Type());
  } else {
    column(requant.factors, b.getF32Type());
  }
  return requant;
}

/// Whether every sum of two adjacent products of a dot fits in int16
/// (AVX2's vpmaddubsw saturates it; NEON's pairwise int16 add wraps), for
/// activations of magnitude at most `activationBound`: 128 for int8, 255
/// for unsigned (a + 128); |sum| <= bound (|w0| + |w1|). Pairs are depths
/// (2p, 2p + 1) of a column; padding depths hold 0.
bool int16PairsFit(ArrayRef<int8_t> w, int64_t k, int64_t n,
                   int64_t activationBound) {
  auto magnitude = [&](int64_t kk, int64_t nn) -> int64_t {
    return kk < k ? std::abs(int64_t(w[kk * n + nn])) : 0;
  };
  for (int64_t kk = 0; kk < k; kk += 2)
    for (int64_t nn = 0; nn < n; ++nn) {
      int64_t sum = magnitude(kk, nn) + magnitude(kk + 1, nn);
      if (activationBound * sum > INT16_MAX)
        return false;
    }
  return true;
}

/// What K is padded to: AMX's 64-byte tile rows, or a kernel's depth
/// group (times the groups sharing bytes for packed weights).
int64_t kAlignment(const Int8GemmOptions &tile) {
  if (tile.kernel == Int8Kernel::amx)
    return AmxKernelEmitter::kStepBytes;
  return depthOf(tile.kernel) * tile.weightsPerByte();
}

/// The register-tile kernels (VNNI, sdot, smmla) writing into `c`.
Value emitRegisterTileKernels(OpBuilder &b, Location loc, Value c,
                              Value activations, Value bPacked,
                              Value multipliers, Value corr, RowForm rowForm,
                              ArrayRef<int64_t> rowShape, PackedLayout layout,
                              Int8GemmOptions tile, const Requant *requant,
                              bool pairsFitI16, const RowFiller &fill,
                              int64_t kp, const ConvRows *convRows) {
  KernelEmitter emitter(b, loc, activations, bPacked, corr, rowForm, rowShape,
                        layout, tile);
  if (multipliers)
    emitter.scaleGroupsBy(multipliers);
  if (requant)
    emitter.fuseRequant(*requant);
  if (pairsFitI16)
    emitter.setPairsFitI16();
  if (fill)
    emitter.buildRowsWith(fill, kp);
  if (convRows)
    emitter.readConvRows(*convRows);
  return emitter.emit(c);
}

/// C[rowShape, N] = (A[M, K] - zpA) x W[K, N] + bias[n] in int32, as VNNI
/// microkernels, with the M rows shaped `rowShape` ([1, M] for a matmul, a
/// convolution's [N, H, W]); `a` is a [M, K] int8 tensor (or built by
/// `fill`, or read in place as `convRows` say, already unsigned for
/// VNNI), `weights` the constants as storeWeights stores them (`tile` from
/// forLayer), `bias` empty or one value per column (added through the
/// compile-time column correction, for free).
Value buildInt8Gemm(OpBuilder &b, Location loc, Value a,
                    const GemmWeights &weights, int64_t k, int64_t n,
                    ArrayRef<int64_t> rowShape, int64_t zpA,
                    ArrayRef<int32_t> bias, Int8GemmOptions tile,
                    const Requant *requant = nullptr, RowFiller fill = {},
                    const ConvRows *convRows = nullptr) {
  ArrayRef<int8_t> w = weights.values;
  int64_t m = llvm::product_of(rowShape);
  bool amx = tile.kernel == Int8Kernel::amx;
  int64_t depth = depthOf(tile.kernel);
  int64_t kp = alignTo(k, kAlignment(tile)), np = alignTo(n, kLanes);
  int64_t panelVectors = amx ? AmxKernelEmitter::kPanelVectors : tile.vectors;
  PackedLayout layout{kp / depth, np / kLanes,
                      std::min(panelVectors, np / kLanes), depth,
                      tile.weightBits};
  tile.vectors = layout.vectors;
  Type i8 = b.getI8Type(), i32 = b.getI32Type();

  // vpdpbusd multiplies unsigned by signed bytes: the activations are its
  // unsigned operand (a ^ 0x80 = a + 128) and each column subtracts
  // (128 + zp) times its weight sum. When K is a multiple of 4 they are
  // read in place and flipped in registers (one xor per broadcast word, on
  // a port the dot products leave idle); otherwise copied once, K-padded
  // and flipped. (Making the weights the unsigned operand instead, w + 128
  // at compile time, needs each row's sum at run time: a dependency chain
  // before every tile's depth loop, measured slower.) AVX2's pair dots
  // widen both operands to int16 and take rows read in place as they are
  // (the flip would cost an xor per row and step for nothing). AMX multiplies
  // signed by signed (tdpbssd): no operand changes, but A is copied unless
  // it is whole 16-row x 64-byte tiles. AArch64's sdot and smmla multiply
  // signed by signed too: A is read in place when K is a multiple of their
  // depth groups, else copied K-padded, unchanged.
  bool vnni = tile.kernel == Int8Kernel::vnni;
  bool inPlace = amx ? fill || (m % AmxKernelEmitter::kTileRows == 0 && k == kp)
                     : k == kp && !fill && !convRows;
  // Whether AVX2's vpmaddubsw, whose int16 pair sums saturate, is exact
  // (unsigned activations: a + 128 <= 255); NEON without sdot adds int16
  // pairs too (signed activations: |a| <= 128).
  bool pairsFitI16 = false;
  if (tile.int16Pairs && vnni)
    pairsFitI16 = int16PairsFit(w, k, n, 255);
  else if (tile.int16Pairs && tile.kernel == Int8Kernel::sdot)
    pairsFitI16 = int16PairsFit(w, k, n, 128);
  // Otherwise AVX2 takes pair dots (KernelEmitter::pairDots), whose
  // accumulators hold two lanes per output: half the rows keep them in
  // the 16 ymm registers.
  bool pairDots = usesPairDots(tile, pairsFitI16);
  if (pairDots)
    tile.rows = std::min<int64_t>(tile.rows, 2);
  RowForm rowForm = !vnni || (inPlace && pairDots) ? RowForm::asSigned
                    : inPlace                      ? RowForm::flipped
                                                   : RowForm::asUnsigned;
  // (With `fill`, the VNNI rows are built flipped, block by block.)
  // Packed (f = 8 / bits per byte): byte i of the set of groups
  // f p .. f p + f - 1 holds w + 2^(bits - 1) of group f p + r in bits
  // [r bits, (r + 1) bits); padding is weight 0 (0x88 for int4, 0xAA for
  // int2).
  int64_t perByte = tile.weightsPerByte(), bits = tile.weightBits;
  uint8_t zeroField = uint8_t(1) << (bits - 1);
  uint8_t zeroByte = 0;
  for (int64_t r = 0; r < perByte && bits < 8; ++r)
    zeroByte |= zeroField << (r * bits);
  SmallVector<int8_t> packed(np * kp / perByte, static_cast<int8_t>(zeroByte));
  SmallVector<int32_t> correction(np, 0);
  for (int64_t nn = 0; nn < n && !bias.empty(); ++nn)
    correction[nn] = bias[nn];
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t nn = 0; nn < n; ++nn) {
      int8_t v = w[kk * n + nn];
      int64_t q = kk / depth, inVector = (nn % kLanes) * depth + kk % depth;
      if (perByte > 1) {
        int64_t at = layout.packedOffset(nn / kLanes, q / perByte) + inVector;
        int64_t shift = (q % perByte) * bits, mask = (1 << bits) - 1;
        packed[at] = static_cast<int8_t>(
            (packed[at] & ~(mask << shift)) |
            (((v + (int64_t(1) << (bits - 1))) & mask) << shift));
      } else {
        packed[layout.offset(nn / kLanes, q) + inVector] = v;
      }
      correction[nn] -= (rowForm == RowForm::asSigned ? zpA : 128 + zpA) *
                        weights.at(kk, nn, n);
    }
  auto packedType = RankedTensorType::get({int64_t(packed.size())}, i8);
  Value bPacked = arith::ConstantOp::create(
      b, loc, packedType, DenseElementsAttr::get(packedType, ArrayRef(packed)));
  auto corrType = RankedTensorType::get({np}, i32);
  Value corr = arith::ConstantOp::create(
      b, loc, corrType, DenseElementsAttr::get(corrType, ArrayRef(correction)));
  // Per-group multipliers [Kp / G, Np], zero in the padding columns.
  Value multipliers;
  if (int64_t size = tile.groupSize) {
    assert(kp % size == 0 && "groups must tile the padded depth");
    SmallVector<int8_t> perGroup(kp / size * np, 0);
    for (int64_t g = 0; g < k / size; ++g)
      for (int64_t nn = 0; nn < n; ++nn)
        perGroup[g * np + nn] = weights.multipliers[g * n + nn];
    auto type = RankedTensorType::get({int64_t(perGroup.size())}, i8);
    auto values = DenseElementsAttr::get(type, ArrayRef(perGroup));
    multipliers = arith::ConstantOp::create(b, loc, type, values);
  }

  Value activations =
      inPlace || fill || convRows
          ? a
          : packActivations(b, loc, a, m, k, kp, rowForm == RowForm::asUnsigned,
                            amx ? alignTo(m, AmxKernelEmitter::kTileRows) : m);

  // C is built with the result's own shape (plus padded columns), so that
  // bufferization can write it straight into the result's buffer; the AMX
  // kernels' 16-row tile writes need [1, M] rows.
  Type outElement = requant ? i8 : i32;
  SmallVector<int64_t> cShape(amx ? ArrayRef<int64_t>{1, m} : rowShape);
  cShape.push_back(np);
  auto empty = [&](Type element) {
    return tensor::EmptyOp::create(b, loc, cShape, element).getResult();
  };
  std::optional<Requant> fused;
  if (requant)
    fused = withColumns(b, loc, *requant, n, np, tile.kernel);
  Value c;
  if (amx) {
    AmxKernelEmitter emitter(b, loc, activations, bPacked, corr, m, kp, layout);
    if (fill)
      emitter.buildRowsWith(fill);
    if (fused)
      emitter.fuseRequant(*fused);
    c = emitter.emit(empty(outElement));
  } else {
    const Requant *fusedRequant = fused ? &*fused : nullptr;
    c = emitRegisterTileKernels(b, loc, empty(outElement), activations, bPacked,
                                multipliers, corr, rowForm, rowShape, layout,
                                tile, fusedRequant, pairsFitI16, fill, kp,
                                convRows);
  }
  SmallVector<int64_t> sizes(cShape);
  sizes.back() = n;
  SmallVector<int64_t> zeros(sizes.size(), 0), ones(sizes.size(), 1);
  auto sliceType = RankedTensorType::get(sizes, outElement);
  if (np != n)
    c = tensor::ExtractSliceOp::create(b, loc, sliceType, c, ValueRange{},
                                       ValueRange{}, ValueRange{}, zeros, sizes,
                                       ones);
  if (sizes.size() == rowShape.size() + 1)
    return c;
  // AMX's [1, M, N] in the rows' shape.
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({m, n}, outElement), c,
      SmallVector<ReassociationIndices>{{0, 1}, {2}});
  SmallVector<int64_t> shape(rowShape);
  shape.push_back(n);
  ReassociationIndices rowDims =
      llvm::to_vector(llvm::seq<int64_t>(rowShape.size()));
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, outElement), flat,
      SmallVector<ReassociationIndices>{rowDims, {int64_t(rowShape.size())}});
}

/// Rewrites an op with `Lowering::lower` (a VNNI GEMM, int32 result).
template <typename OpTy, typename Lowering>
struct LowerToGemm : OpRewritePattern<OpTy> {
  LowerToGemm(MLIRContext *ctx, Int8GemmOptions tile)
      : OpRewritePattern<OpTy>(ctx), tile(tile) {}
  Int8GemmOptions tile;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    FailureOr<Value> lowered = Lowering::lower(rewriter, op, tile, nullptr);
    if (failed(lowered))
      return failure();
    rewriter.replaceOp(op, *lowered);
    return success();
  }
};

/// tosa.matmul (int8 x constant int8 -> int32) -> the int8 GEMM.
struct MatMulLowering {
  /// The lowered matmul (int32, or int8 with `requant`); nothing is
  /// replaced.
  static FailureOr<Value> lower(PatternRewriter &rewriter, tosa::MatMulOp mm,
                                Int8GemmOptions tile, const Requant *requant) {
    auto aType = cast<RankedTensorType>(mm.getA().getType());
    auto resultType = cast<RankedTensorType>(mm.getType());
    FailureOr<IntegerLayer> layer = matchIntegerLayer(
        rewriter, mm, mm.getA(), mm.getB(), mm.getAZp(), mm.getBZp());
    if (failed(layer))
      return failure();
    if (aType.getShape()[0] != 1)
      return rewriter.notifyMatchFailure(mm, "batched matmul");
    int64_t m = aType.getShape()[1], k = aType.getShape()[2];
    int64_t n = resultType.getShape()[2];
    if (k >= (1 << 16))
      return rewriter.notifyMatchFailure(mm, "K too large for int32 sums");
    GemmWeights weights =
        storeWeights(std::move(layer->weights), k, n, layer->tosaBits);
    tile = forLayer(tile, weights, m);
    Location loc = mm.getLoc();
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({m, k}, rewriter.getI8Type()),
        mm.getA(), SmallVector<ReassociationIndices>{{0, 1}, {2}});
    return buildInt8Gemm(rewriter, loc, flat, weights, k, n, {1, m},
                         layer->inputZp, {}, tile, requant);
  }
};

/// lo <= v < hi, for an index `v` (an input coordinate inside the input).
Value inRange(OpBuilder &b, Location loc, Value v, int64_t lo, int64_t hi) {
  Value ge = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v,
                                   arith::ConstantIndexOp::create(b, loc, lo));
  Value lt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, v,
                                   arith::ConstantIndexOp::create(b, loc, hi));
  return arith::AndIOp::create(b, loc, ge, lt);
}

/// The NHWC int8 input [N, H, W, C] padded with its zero point by `pad`
/// (top, bottom, left, right), as the bytes [N Hp Wp C'] of the padded
/// pixels in order (each pixel's channels padded to C' >= C with bytes
/// that meet zero weights), and with `flip` unsigned (a + 128). It goes a
/// padded row at a time: a row inside the input is its left border, its
/// pixels copied 64 bytes at a time (with C' > C, 64 / C' pixels spread
/// out by a shuffle) and its right border; the other rows are all zero
/// point.
Value padInput(OpBuilder &b, Location loc, Value input, int64_t zeroPoint,
               ArrayRef<int64_t> pad, int64_t channels, bool flip) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(input.getType()).getShape();
  int64_t n = shape[0], h = shape[1], w = shape[2], c = shape[3];
  int64_t hp = h + pad[0] + pad[1], wp = w + pad[2] + pad[3];
  Type i8 = b.getI8Type();
  auto idx = [&](OpBuilder &ob, int64_t v) {
    return arith::ConstantIndexOp::create(ob, loc, v);
  };
  auto splat = [&](OpBuilder &ob, int64_t length, int8_t value) {
    auto type = VectorType::get({length}, i8);
    return arith::ConstantOp::create(ob, loc, type,
                                     DenseElementsAttr::get(type, value));
  };
  Value inputRows = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({n * h, w * c}, i8), input,
      SmallVector<ReassociationIndices>{{0, 1}, {2, 3}});
  Value padded = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{n * hp, wp * channels}, i8);
  int8_t outside =
      static_cast<int8_t>(flip ? (zeroPoint + 128) & 0xff : zeroPoint);
  // `bytes` bytes of the (flipped) zero point from column `at` of row `row`.
  auto fillZeroPoint = [&](OpBuilder &ob, Value dst, Value row, int64_t at,
                           int64_t bytes) {
    for (int64_t done = 0; done < bytes; done += 64) {
      int64_t width = std::min<int64_t>(64, bytes - done);
      dst = vector::TransferWriteOp::create(
                ob, loc, splat(ob, width, outside), dst,
                ValueRange{row, idx(ob, at + done)}, ArrayRef<bool>{true})
                .getResult();
    }
    return dst;
  };
  // `count` pixels from pixel x of input row `source` to padded row `row`.
  int64_t chunkPixels = std::max<int64_t>(1, 64 / channels);
  auto copyPixels = [&](OpBuilder &ob, Value dst, Value source, Value row,
                        Value x, int64_t count) {
    Value from = arith::MulIOp::create(ob, loc, x, idx(ob, c));
    Value zero = arith::ConstantIntOp::create(ob, loc, i8, 0);
    int64_t bytes = count * channels;
    Value pixels = vector::TransferReadOp::create(
        ob, loc, VectorType::get({count * c}, i8), inputRows,
        ValueRange{source, from}, zero, ArrayRef<bool>{true});
    if (channels != c) {
      // Spread by a one-source shuffle (a two-source one, or a masked
      // read of as many bytes as are written, lowered to hundreds of byte
      // inserts or hung LLVM 22's legalizer): byte j < C of pixel p is
      // input byte p C + j, the others repeat its first byte (they meet
      // zero weights).
      SmallVector<int64_t> lanes;
      for (int64_t p = 0; p < count; ++p)
        for (int64_t j = 0; j < channels; ++j)
          lanes.push_back(p * c + (j < c ? j : 0));
      pixels = vector::ShuffleOp::create(ob, loc, pixels, pixels, lanes);
    }
    if (flip)
      pixels = arith::XOrIOp::create(ob, loc, pixels, splat(ob, bytes, -128));
    Value paddedX = arith::AddIOp::create(ob, loc, x, idx(ob, pad[2]));
    Value column = arith::MulIOp::create(ob, loc, paddedX, idx(ob, channels));
    return vector::TransferWriteOp::create(ob, loc, pixels, dst,
                                           ValueRange{row, column},
                                           ArrayRef<bool>{true})
        .getResult();
  };
  auto loop = scf::ForOp::create(
      b, loc, idx(b, 0), idx(b, n * hp), idx(b, 1), ValueRange{padded},
      [&](OpBuilder &nb, Location, Value row, ValueRange iter) {
        Value y = arith::RemUIOp::create(nb, loc, row, idx(nb, hp));
        Value image = arith::DivUIOp::create(nb, loc, row, idx(nb, hp));
        Value inside = inRange(nb, loc, y, pad[0], pad[0] + h);
        auto copied = scf::IfOp::create(
            nb, loc, inside,
            [&](OpBuilder &ib, Location) {
              // Input row image H + y - top.
              Value imageTop =
                  arith::MulIOp::create(ib, loc, image, idx(ib, h));
              Value inY = arith::SubIOp::create(ib, loc, y, idx(ib, pad[0]));
              Value source = arith::AddIOp::create(ib, loc, imageTop, inY);
              Value out =
                  fillZeroPoint(ib, iter.front(), row, 0, pad[2] * channels);
              int64_t chunks = w / chunkPixels, left = w % chunkPixels;
              if (chunks > 0) {
                auto chunkLoop = scf::ForOp::create(
                    ib, loc, idx(ib, 0), idx(ib, chunks), idx(ib, 1),
                    ValueRange{out},
                    [&](OpBuilder &cb, Location, Value chunk,
                        ValueRange chunkIter) {
                      Value x = arith::MulIOp::create(cb, loc, chunk,
                                                      idx(cb, chunkPixels));
                      scf::YieldOp::create(cb, loc,
                                           copyPixels(cb, chunkIter.front(),
                                                      source, row, x,
                                                      chunkPixels));
                    });
                out = chunkLoop.getResult(0);
              }
              if (left > 0)
                out = copyPixels(ib, out, source, row,
                                 idx(ib, chunks * chunkPixels), left);
              out = fillZeroPoint(ib, out, row, (pad[2] + w) * channels,
                                  pad[3] * channels);
              scf::YieldOp::create(ib, loc, out);
            },
            [&](OpBuilder &eb, Location) {
              scf::YieldOp::create(
                  eb, loc,
                  fillZeroPoint(eb, iter.front(), row, 0, wp * channels));
            });
        scf::YieldOp::create(nb, loc, copied.getResults());
      });
  return tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({n * hp * wp * channels}, i8),
      loop.getResult(0), SmallVector<ReassociationIndices>{{0, 1}});
}

/// The im2col matrix of an NHWC int8 input for a KH x KW convolution:
/// row (n, ho, wo), column (kh, kw, c) holds input[n, ho*sy - top + kh*dy,
/// wo*sx - left + kw*dx, c], or the input zero point where that falls in
/// the padding (so the tap contributes nothing). Columns beyond KH*KW*C
/// (up to `kPadded`) are zero. A kernel row whose taps all lie inside the
/// input is one contiguous copy of KW*C bytes (with dilation 1); other
/// rows go tap by tap, 64 channels at a time.
///
/// Only the `count` rows from pixel `first` are written, to rows 0.. of
/// `block` (a memref [rows, kPadded]; with `flip`, as unsigned bytes
/// a + 128): a GEMM builds each block of rows just before it uses it,
/// while it is still in cache.
void im2col(OpBuilder &b, Location loc, Value input, int64_t zeroPoint,
            ArrayRef<int64_t> kernel, ArrayRef<int64_t> pad,
            ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation, int64_t ho,
            int64_t wo, int64_t kPadded, Value block, Value first,
            int64_t count, bool flip) {
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
  // Writes `v` at [row, col] of the block (returned, so that the loops
  // below can carry their destination).
  auto write = [&](OpBuilder &wb, Value v, Value dest, Value row,
                   Value col) -> Value {
    if (flip) {
      auto type = cast<VectorType>(v.getType());
      v = arith::XOrIOp::create(
          wb, loc, v,
          arith::ConstantOp::create(
              wb, loc, type, DenseElementsAttr::get(type, int8_t(-128))));
    }
    vector::TransferWriteOp::create(wb, loc, v, dest, ValueRange{row, col},
                                    ArrayRef<bool>{true});
    return dest;
  };
  scf::ForOp::create(
      b, loc, index(0), index(count), index(1), ValueRange{block},
      [&](OpBuilder &nb, Location, Value row, ValueRange iter) {
        auto idx = [&](int64_t v) {
          return arith::ConstantIndexOp::create(nb, loc, v).getResult();
        };
        Value p = arith::AddIOp::create(nb, loc, first, row);
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
          out = write(nb, zeros, out, row, idx(k));
        }
        // Tap by tap: 64 channels at a time, the zero point outside.
        auto taps = [&](OpBuilder &tb, Value hi, Value rowInside, int64_t kh,
                        Value dest) {
          for (int64_t kw = 0; kw < kernel[1]; ++kw) {
            Value wi =
                arith::AddIOp::create(tb, loc, wiFirst, idx(kw * dilation[1]));
            Value inside = arith::AndIOp::create(tb, loc, rowInside,
                                                 inRange(tb, loc, wi, 0, w));
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
              dest = write(tb, tap.getResult(0), dest, row,
                           idx((kh * kernel[1] + kw) * c + c0));
            }
          }
          return dest;
        };
        for (int64_t kh = 0; kh < kernel[0]; ++kh) {
          Value hi = arith::AddIOp::create(
              nb, loc, arith::MulIOp::create(nb, loc, oy, idx(stride[0])),
              idx(kh * dilation[0] - pad[0]));
          Value rowInside = inRange(nb, loc, hi, 0, h);
          int64_t span = kernel[1] * c;
          if (dilation[1] != 1 || span > 256) {
            out = taps(nb, hi, rowInside, kh, out);
            continue;
          }
          // All KW taps of this kernel row inside: one copy of KW*C bytes.
          Value whole = arith::AndIOp::create(
              nb, loc, rowInside,
              inRange(nb, loc, wiFirst, 0, w - kernel[1] + 1));
          auto copied = scf::IfOp::create(
              nb, loc, whole,
              [&](OpBuilder &ib, Location) {
                auto type = VectorType::get({span}, i8);
                Value at = arith::MulIOp::create(ib, loc, wiFirst, idx(c));
                Value v = vector::TransferReadOp::create(
                    ib, loc, type, rowsView, ValueRange{batch, hi, at}, zp,
                    ArrayRef<bool>{true});
                Value dest = write(ib, v, out, row, idx(kh * span));
                scf::YieldOp::create(ib, loc, dest);
              },
              [&](OpBuilder &eb, Location) {
                scf::YieldOp::create(eb, loc, taps(eb, hi, rowInside, kh, out));
              });
          out = copied.getResult(0);
        }
        scf::YieldOp::create(nb, loc, out);
      });
}

/// tosa.conv2d (int8 x constant int8 -> int32) -> im2col (none for a 1x1
/// stride-1 unpadded convolution) + the int8 GEMM with the weights as a
/// constant [KH*KW*C, O] matrix and the bias in its column corrections.
struct ConvLowering {
  /// The lowered convolution (int32, or int8 with `requant`, which needs a
  /// constant bias); nothing is replaced.
  static FailureOr<Value> lower(PatternRewriter &rewriter, tosa::Conv2DOp conv,
                                Int8GemmOptions tile, const Requant *requant) {
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    auto resultType = cast<RankedTensorType>(conv.getType());
    FailureOr<IntegerLayer> layer =
        matchIntegerLayer(rewriter, conv, conv.getInput(), conv.getWeight(),
                          conv.getInputZp(), conv.getWeightZp());
    if (failed(layer))
      return failure();
    int64_t zpIn = layer->inputZp;
    const SmallVector<int8_t> &w = layer->weights;
    auto bias = cast<RankedTensorType>(conv.getBias().getType());
    int64_t n = inType.getShape()[0], c = inType.getShape()[3];
    ArrayRef<int64_t> wShape = layer->weightShape;
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
    // Weights [O, KH, KW, C] -> [KH*KW*C', O], the C' >= C channels of a
    // tap padded with zero weights; im2col pads K to a multiple of 4 with
    // zero columns (zero weight rows), so the GEMM reads it in place.
    Int8GemmOptions options = tile;
    int64_t gemmK;
    GemmWeights weights;
    auto buildWeights = [&](int64_t tapChannels) {
      int64_t taps = kh * kw;
      gemmK = pointwise ? k : alignTo(taps * tapChannels, kDepth);
      SmallVector<int8_t> matrix(gemmK * o, 0);
      for (int64_t oo = 0; oo < o; ++oo)
        for (int64_t tap = 0; tap < taps; ++tap)
          for (int64_t ci = 0; ci < c; ++ci)
            matrix[(tap * tapChannels + ci) * o + oo] =
                w[(oo * taps + tap) * c + ci];
      weights = storeWeights(std::move(matrix), gemmK, o, layer->tosaBits);
      tile = forLayer(options, weights, n * ho * wo);
    };
    // The four-byte dot kernels read the rows in place from the padded
    // input when a kernel row's depths are contiguous there (horizontal
    // dilation 1) and make whole quads, sets of packed quads and weight
    // groups (each segment one kernel row), and when the padded copy is no
    // larger than the im2col matrix it replaces (a strided 1x1 layer
    // reads a quarter of its input). A kernel row of C = 3 channels (an
    // RGB stem) is not whole quads: its pixels are padded to 4 channels,
    // a third more dot products instead of an im2col that took a third of
    // the 7x7 stem's time; wider padding would cost more than im2col.
    int64_t hp = inType.getShape()[1] + pad[0] + pad[1];
    int64_t wp = inType.getShape()[2] + pad[2] + pad[3];
    auto readsInPlace = [&](int64_t tapChannels) {
      bool dotKernel =
          tile.kernel == Int8Kernel::vnni || tile.kernel == Int8Kernel::sdot;
      int64_t setQuads = tile.weightsPerByte();
      if (tile.groupSize)
        setQuads = std::lcm(setQuads, tile.groupSize / kDepth);
      int64_t rowBytes = kw * tapChannels;
      return !pointwise && dotKernel && dilation[1] == 1 &&
             rowBytes % kDepth == 0 && (rowBytes / kDepth) % setQuads == 0 &&
             n * hp * wp * tapChannels <= pixels * gemmK;
    };
    int64_t tapChannels = alignTo(c, kDepth);
    bool padChannels = (kw * c) % kDepth != 0 && 3 * tapChannels <= 4 * c;
    if (padChannels)
      buildWeights(tapChannels);
    // Padded taps that cannot be read in place (AMX, packed int4 weights)
    // go back to im2col, which keeps C channels per tap.
    if (!padChannels || !readsInPlace(tapChannels)) {
      tapChannels = c;
      buildWeights(c);
    }
    std::optional<ConvRows> convRows;
    Value padded;
    if (readsInPlace(tapChannels)) {
      bool flip = tile.kernel == Int8Kernel::vnni;
      padded = padInput(rewriter, loc, conv.getInput(), zpIn, pad, tapChannels,
                        flip);
      convRows = ConvRows{
          padded,    hp,        wp,          tapChannels,
          stride[0], stride[1], dilation[0], kw * tapChannels / kDepth};
    }
    // Otherwise im2col rows are built a block at a time, each just before
    // the kernels read it (unsigned for VNNI, signed for the others),
    // instead of the whole matrix going through memory.
    RowFiller fill;
    if (!pointwise && !convRows)
      fill = [&rewriter, loc, input = conv.getInput(), zpIn, kh, kw, pad,
              stride, dilation, ho, wo, k,
              tile](Value first, int64_t count, Value block) {
        im2col(rewriter, loc, input, zpIn, {kh, kw}, pad, stride, dilation, ho,
               wo, alignTo(k, kAlignment(tile)), block, first, count,
               /*flip=*/tile.kernel == Int8Kernel::vnni);
      };
    Value cols =
        pointwise ? tensor::CollapseShapeOp::create(
                        rewriter, loc, RankedTensorType::get({pixels, c}, i8),
                        conv.getInput(),
                        SmallVector<ReassociationIndices>{{0, 1, 2}, {3}})
                        .getResult()
                  : Value();
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
    Value sum = buildInt8Gemm(rewriter, loc, convRows ? padded : cols, weights,
                              gemmK, o, {n, ho, wo}, zpIn, columnBias, tile,
                              requant, fill, convRows ? &*convRows : nullptr);
    if (constantBias)
      return sum;
    Value bias4 = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get({1, 1, 1, o}, i32), conv.getBias(),
        SmallVector<ReassociationIndices>{{0, 1, 2, 3}});
    return tosa::AddOp::create(rewriter, loc, resultType, sum, bias4)
        .getResult();
  }
};

/// tosa.depthwise_conv2d (int8 NHWC x constant int8 [KH, KW, C, 1] ->
/// int32) as vector code over channels: for each output pixel and each
/// block of 16 channels, acc = bias + sum over the taps of
/// (x - zp) * w, in 16 int32 lanes (a masked last block when C % 16 != 0);
/// taps in the padding are skipped (their x - zp would be 0). With
/// `requant`, the int8 result is stored directly (the same epilogue as the
/// GEMMs). There is no reduction over channels, so no dot product helps:
/// the widening multiply-adds are the work.
struct DepthwiseLowering {
  static FailureOr<Value> lower(PatternRewriter &rewriter,
                                tosa::DepthwiseConv2DOp conv,
                                Int8GemmOptions tile, const Requant *requant) {
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    auto resultType = cast<RankedTensorType>(conv.getType());
    FailureOr<IntegerLayer> layer =
        matchIntegerLayer(rewriter, conv, conv.getInput(), conv.getWeight(),
                          conv.getInputZp(), conv.getWeightZp());
    if (failed(layer))
      return failure();
    DenseIntElementsAttr biasValues;
    if (!matchPattern(conv.getBias(), m_Constant(&biasValues)))
      return rewriter.notifyMatchFailure(conv, "bias is not constant");
    int64_t zpIn = layer->inputZp;
    ArrayRef<int64_t> wShape = layer->weightShape;
    int64_t n = inType.getShape()[0], h = inType.getShape()[1],
            w = inType.getShape()[2], c = inType.getShape()[3];
    int64_t kh = wShape[0], kw = wShape[1];
    if (wShape[3] != 1 || biasValues.getNumElements() != c)
      return rewriter.notifyMatchFailure(conv, "channel multiplier is not 1");
    int64_t ho = resultType.getShape()[1], wo = resultType.getShape()[2];
    ArrayRef<int64_t> pad = conv.getPad(), stride = conv.getStride(),
                      dilation = conv.getDilation();
    Location loc = conv.getLoc();
    OpBuilder &b = rewriter;
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    int64_t cp = alignTo(c, kLanes), taps = kh * kw, pixels = n * ho * wo;
    auto lanes32 = VectorType::get({kLanes}, i32);
    auto lanes8 = VectorType::get({kLanes}, i8);
    auto index = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };

    // Weights [taps, Cp] and bias [Cp] as int32 constants, zero-padded.
    SmallVector<int32_t> tapWeights(taps * cp, 0), bias(cp, 0);
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t ch = 0; ch < c; ++ch)
        tapWeights[t * cp + ch] = layer->weights[t * c + ch];
    for (int64_t ch = 0; ch < c; ++ch)
      bias[ch] = biasValues.getValues<int32_t>()[ch];
    auto wType = RankedTensorType::get({taps, cp}, i32);
    Value wConst = arith::ConstantOp::create(
        b, loc, wType, DenseElementsAttr::get(wType, ArrayRef(tapWeights)));
    auto bType = RankedTensorType::get({cp}, i32);
    Value bConst = arith::ConstantOp::create(
        b, loc, bType, DenseElementsAttr::get(bType, ArrayRef(bias)));
    std::optional<Requant> fused;
    if (requant)
      fused = withColumns(b, loc, *requant, c, cp, tile.kernel);

    Type outElement = requant ? i8 : i32;
    Value out = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{pixels, c},
                                        outElement);
    Value zp8 = arith::ConstantIntOp::create(b, loc, i8, zpIn);
    Value zp32 = arith::ConstantOp::create(
        b, loc, lanes32, DenseElementsAttr::get(lanes32, int32_t(zpIn)));
    Value i32Zero = arith::ConstantIntOp::create(b, loc, i32, 0);
    auto pixelLoop = scf::ForOp::create(
        b, loc, index(0), index(pixels), index(1), ValueRange{out},
        [&](OpBuilder &pb, Location, Value p, ValueRange pIter) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(pb.getInsertionBlock());
          Value batch = arith::DivUIOp::create(b, loc, p, index(ho * wo));
          Value oy = arith::RemUIOp::create(
              b, loc, arith::DivUIOp::create(b, loc, p, index(wo)), index(ho));
          Value ox = arith::RemUIOp::create(b, loc, p, index(wo));
          auto blocks = scf::ForOp::create(
              b, loc, index(0), index(cp / kLanes), index(1),
              ValueRange{pIter.front()},
              [&](OpBuilder &cbld, Location, Value cb, ValueRange cIter) {
                OpBuilder::InsertionGuard guard(b);
                b.setInsertionPointToStart(cbld.getInsertionBlock());
                Value ch = arith::MulIOp::create(b, loc, cb, index(kLanes));
                Value bias = vector::TransferReadOp::create(
                    b, loc, lanes32, bConst, ValueRange{ch}, i32Zero,
                    ArrayRef<bool>{true});
                // The taps' sum from the bias, each tap's bounds checked
                // (`guarded`) or not.
                auto taps = [&](OpBuilder &tb, bool guarded) {
                  Value acc = bias;
                  for (int64_t y = 0; y < kh; ++y) {
                    Value hi = arith::AddIOp::create(
                        tb, loc,
                        arith::MulIOp::create(tb, loc, oy, index(stride[0])),
                        index(y * dilation[0] - pad[0]));
                    Value rowInside =
                        guarded ? inRange(tb, loc, hi, 0, h) : Value();
                    for (int64_t x = 0; x < kw; ++x) {
                      Value wi = arith::AddIOp::create(
                          tb, loc,
                          arith::MulIOp::create(tb, loc, ox, index(stride[1])),
                          index(x * dilation[1] - pad[2]));
                      Value weight = vector::TransferReadOp::create(
                          tb, loc, lanes32, wConst,
                          ValueRange{index(y * kw + x), ch}, i32Zero,
                          ArrayRef<bool>{true});
                      auto product = [&](OpBuilder &ib, Value sum) -> Value {
                        // Channels past C read the zero point: 0 below.
                        Value bytes = vector::TransferReadOp::create(
                            ib, loc, lanes8, conv.getInput(),
                            ValueRange{batch, hi, wi, ch}, zp8,
                            ArrayRef<bool>{c % kLanes == 0});
                        Value centered = arith::SubIOp::create(
                            ib, loc,
                            arith::ExtSIOp::create(ib, loc, lanes32, bytes),
                            zp32);
                        return arith::AddIOp::create(
                            ib, loc, sum,
                            arith::MulIOp::create(ib, loc, centered, weight));
                      };
                      if (!guarded) {
                        acc = product(tb, acc);
                        continue;
                      }
                      Value tapInside = arith::AndIOp::create(
                          tb, loc, rowInside, inRange(tb, loc, wi, 0, w));
                      auto tap = scf::IfOp::create(
                          tb, loc, tapInside,
                          [&](OpBuilder &ib, Location) {
                            scf::YieldOp::create(ib, loc, product(ib, acc));
                          },
                          [&](OpBuilder &eb, Location) {
                            scf::YieldOp::create(eb, loc, acc);
                          });
                      acc = tap.getResult(0);
                    }
                  }
                  return acc;
                };
                // Most pixels have every tap inside the input: no checks.
                // Every tap inside: the first tap's coordinate o * s - p
                // in [0, size - (k - 1) d).
                auto allTaps = [&](Value o, int64_t s0, int64_t p0, int64_t k0,
                                   int64_t d0, int64_t size) {
                  Value first = arith::AddIOp::create(
                      b, loc, arith::MulIOp::create(b, loc, o, index(s0)),
                      index(-p0));
                  return inRange(b, loc, first, 0, size - (k0 - 1) * d0);
                };
                Value allInside = arith::AndIOp::create(
                    b, loc, allTaps(oy, stride[0], pad[0], kh, dilation[0], h),
                    allTaps(ox, stride[1], pad[2], kw, dilation[1], w));
                auto pixel = scf::IfOp::create(
                    b, loc, allInside,
                    [&](OpBuilder &tb, Location) {
                      scf::YieldOp::create(tb, loc, taps(tb, false));
                    },
                    [&](OpBuilder &eb, Location) {
                      scf::YieldOp::create(eb, loc, taps(eb, true));
                    });
                Value acc = pixel.getResult(0);
                Value stored = acc;
                if (fused)
                  stored = fused->apply(b, loc, acc, fused->lanes(b, loc, ch));
                Value next =
                    vector::TransferWriteOp::create(
                        b, loc, stored, cIter.front(), ValueRange{p, ch},
                        ArrayRef<bool>{c % kLanes == 0})
                        .getResult();
                scf::YieldOp::create(b, loc, next);
              });
          scf::YieldOp::create(b, loc, blocks.getResults());
        });
    return tensor::ExpandShapeOp::create(
               rewriter, loc, resultType.clone(outElement),
               pixelLoop.getResult(0),
               SmallVector<ReassociationIndices>{{0, 1, 2}, {3}})
        .getResult();
  }
};

/// The conv2d or matmul `gemm` lowered with `requant` in its stores (int8
/// result), before `gemm`.
FailureOr<Value> lowerFused(PatternRewriter &rewriter, Operation *gemm,
                            Int8GemmOptions tile, const Requant &requant) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(gemm);
  if (auto conv = dyn_cast<tosa::Conv2DOp>(gemm))
    return ConvLowering::lower(rewriter, conv, tile, &requant);
  if (auto conv = dyn_cast<tosa::DepthwiseConv2DOp>(gemm))
    return DepthwiseLowering::lower(rewriter, conv, tile, &requant);
  return MatMulLowering::lower(rewriter, cast<tosa::MatMulOp>(gemm), tile,
                               &requant);
}

/// qopt.rescale(conv2d | matmul) to int8 (the double_round / single_round
/// profiles): the dyadic rescale happens in the microkernels' last stores,
/// with convert-qopt-to-arith's own element arithmetic (int32-only where
/// that is exact for any int32 accumulator), so the int32 result never
/// reaches memory. Per tensor or per output channel (last axis).
struct FuseRescaleIntoGemm : OpRewritePattern<RescaleOp> {
  FuseRescaleIntoGemm(MLIRContext *ctx, Int8GemmOptions tile)
      : OpRewritePattern(ctx, /*benefit=*/2), tile(tile) {}
  Int8GemmOptions tile;

  LogicalResult matchAndRewrite(RescaleOp op,
                                PatternRewriter &rewriter) const override {
    Operation *gemm = op.getInput().getDefiningOp();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    if (!gemm ||
        !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(gemm) ||
        !gemm->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not rescale(gemm)");
    if (!inType.getElementType().isInteger(32) ||
        !outType.getElementType().isInteger(8) || op.getInputUnsigned() ||
        op.getOutputUnsigned() || op.getInputZp() != 0)
      return rewriter.notifyMatchFailure(op, "not int32 -> signed int8");
    if (op.getAxis() &&
        static_cast<int64_t>(*op.getAxis()) != inType.getRank() - 1)
      return rewriter.notifyMatchFailure(op, "not per output channel");
    Requant requant;
    requant.rescale = op;
    // The accumulators can be any int32.
    llvm::APInt lo = llvm::APInt::getSignedMinValue(32),
                hi = llvm::APInt::getSignedMaxValue(32);
    requant.int32Only =
        planRescaleLowering(op, ConstantIntRanges::fromSigned(lo, hi))
            .int32Only;
    FailureOr<Value> lowered = lowerFused(rewriter, gemm, tile, requant);
    if (failed(lowered))
      return rewriter.notifyMatchFailure(op, "the GEMM cannot be lowered");
    rewriter.replaceOp(op, *lowered);
    rewriter.eraseOp(gemm);
    return success();
  }
};

/// requantize(scast(conv2d | matmul)) with the fp32_rne profile: the
/// requantization happens in the microkernels' last stores, so the int32
/// result never reaches memory (only the partial sums of earlier K blocks
/// do). Convolutions need a constant bias.
struct FuseRequantizeIntoGemm : OpRewritePattern<RequantizeOp> {
  FuseRequantizeIntoGemm(MLIRContext *ctx, Int8GemmOptions tile)
      : OpRewritePattern(ctx, /*benefit=*/2), tile(tile) {}
  Int8GemmOptions tile;

  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto storage = op.getInput().getDefiningOp<quant::StorageCastOp>();
    Operation *gemm = storage ? storage.getInput().getDefiningOp() : nullptr;
    if (op.getRounding() != RoundingMode::fp32_rne || !gemm ||
        !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp>(gemm) ||
        !gemm->hasOneUse() || !storage->hasOneUse())
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

    FailureOr<Value> lowered = lowerFused(rewriter, gemm, tile, requant);
    if (failed(lowered))
      return rewriter.notifyMatchFailure(op, "the GEMM cannot be lowered");
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(op, op.getType(),
                                                      *lowered);
    rewriter.eraseOp(storage);
    rewriter.eraseOp(gemm);
    return success();
  }
};

struct ConvertInt8MatMulToKernelsPass
    : qopt::impl::ConvertInt8MatMulToKernelsPassBase<
          ConvertInt8MatMulToKernelsPass> {
  using Base::Base;
  void runOnOperation() override {
    int64_t rows = tileRows, vectors = tileVectors, depth = kBlock;
    if (depth < 0 || depth % 4) {
      getOperation().emitError()
          << "convert-int8-matmul-to-kernels: k-block " << depth
          << " must be 0 (automatic) or a positive multiple of 4";
      return signalPassFailure();
    }
    std::optional<Int8Kernel> chosen =
        llvm::StringSwitch<std::optional<Int8Kernel>>(kernel)
            .Case("vnni", Int8Kernel::vnni)
            .Case("amx", Int8Kernel::amx)
            .Case("sdot", Int8Kernel::sdot)
            .Case("smmla", Int8Kernel::smmla)
            .Default(std::nullopt);
    if (!chosen) {
      getOperation().emitError()
          << "convert-int8-matmul-to-kernels: unknown kernel '" << kernel
          << "' (expected vnni, amx, sdot or smmla)";
      return signalPassFailure();
    }
    // zmm: accumulators, one weight vector per column block and the
    // broadcast. NEON (a 16-lane vector is 4 registers of 32): the
    // accumulators within 24 registers, the rest for operands.
    bool neon = *chosen == Int8Kernel::sdot || *chosen == Int8Kernel::smmla;
    bool fits =
        neon ? rows * vectors * 4 <= 24 : rows * vectors + vectors + 1 <= 32;
    if (rows < 1 || vectors < 1 || !fits) {
      getOperation().emitError()
          << "convert-int8-matmul-to-kernels: the register tile " << rows
          << " x " << vectors
          << (neon ? " needs more than the 32 NEON registers (4 * rows * "
                     "vectors <= 24, and both >= 1)"
                   : " needs more than the 32 zmm registers (rows * vectors "
                     "+ vectors + 1 <= 32, and both >= 1)");
      return signalPassFailure();
    }
    if (depthUnroll != 1 && depthUnroll != 2 && depthUnroll != 4) {
      getOperation().emitError()
          << "convert-int8-matmul-to-kernels: depth-unroll " << depthUnroll
          << " must be 1, 2 or 4";
      return signalPassFailure();
    }
    Int8GemmOptions tile{rows, vectors, depth};
    tile.int16Pairs = int16Pairs;
    tile.kernel = *chosen;
    tile.depthUnroll = depthUnroll;
    // Fusions first: a fused GEMM must be matched before its convolution or
    // matmul is lowered on its own.
    RewritePatternSet fusions(&getContext());
    fusions.add<FuseRequantizeIntoGemm, FuseRescaleIntoGemm>(&getContext(),
                                                             tile);
    if (failed(applyPatternsGreedily(getOperation(), std::move(fusions))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateInt8MatMulToKernelsPatterns(patterns, tile);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void qopt::populateInt8MatMulToKernelsPatterns(RewritePatternSet &patterns,
                                               Int8GemmOptions tile) {
  patterns.add<LowerToGemm<tosa::MatMulOp, MatMulLowering>,
               LowerToGemm<tosa::Conv2DOp, ConvLowering>,
               LowerToGemm<tosa::DepthwiseConv2DOp, DepthwiseLowering>>(
      patterns.getContext(), tile);
}
