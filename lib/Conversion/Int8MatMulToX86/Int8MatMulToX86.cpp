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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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

/// Emits the microkernels into C (tensor<M x Np x i32>), destination
/// passing style so that bufferization writes in place.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, Value a, Value bPacked, Value corr,
                int64_t m, int64_t kp, int64_t np, VnniTile tile)
      : b(b), loc(loc), a(a), bPacked(bPacked), corr(corr), rows(m), kp(kp),
        np(np), tile(tile) {}

  Value emit(Value c) {
    int64_t blocks = np / kLanes;
    int64_t fullPanels = blocks / tile.vectors;
    // Column panels outer (one panel of packed weights stays in cache while
    // every row tile streams over it), then the remaining column blocks.
    c = panels(c, 0, fullPanels, tile.vectors);
    if (blocks % tile.vectors)
      c = panels(c, fullPanels * tile.vectors * kLanes, 1,
                 blocks % tile.vectors);
    return c;
  }

private:
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// `count` panels of `vectors` column blocks starting at column `first`.
  Value panels(Value c, int64_t first, int64_t count, int64_t vectors) {
    if (count == 0)
      return c;
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(count), index(1), ValueRange{c},
        [&](OpBuilder &nested, Location, Value p, ValueRange iter) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          Value col = arith::AddIOp::create(
              b, loc, index(first),
              arith::MulIOp::create(b, loc, p, index(vectors * kLanes)));
          int64_t fullTiles = rows / tile.rows;
          Value cc = rowTiles(iter.front(), 0, fullTiles, tile.rows, col,
                              vectors);
          if (rows % tile.rows)
            cc = rowTiles(cc, fullTiles * tile.rows, 1, rows % tile.rows, col,
                          vectors);
          scf::YieldOp::create(b, loc, cc);
        });
    return loop.getResult(0);
  }

  Value rowTiles(Value c, int64_t first, int64_t count, int64_t mr, Value col,
                 int64_t vectors) {
    if (count == 0)
      return c;
    auto loop = scf::ForOp::create(
        b, loc, index(0), index(count), index(1), ValueRange{c},
        [&](OpBuilder &nested, Location, Value t, ValueRange iter) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          Value row = arith::AddIOp::create(
              b, loc, index(first),
              arith::MulIOp::create(b, loc, t, index(mr)));
          scf::YieldOp::create(b, loc,
                               microkernel(iter.front(), row, col, mr, vectors));
        });
    return loop.getResult(0);
  }

  /// One mr x (vectors x 16) register tile over the whole K.
  Value microkernel(Value c, Value row, Value col, int64_t mr,
                    int64_t vectors) {
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    auto accType = VectorType::get({kLanes}, i32);
    auto bytesType = VectorType::get({kLanes * kDepth}, i8);
    Value zero = arith::ConstantOp::create(
        b, loc, accType, DenseElementsAttr::get(accType, int32_t(0)));
    SmallVector<Value> init(mr * vectors, zero);
    Value block = arith::DivUIOp::create(b, loc, col, index(kLanes));
    Value i8Pad = arith::ConstantIntOp::create(b, loc, i8, 0);
    Value i32Pad = arith::ConstantIntOp::create(b, loc, i32, 0);
    auto intrinsic = b.getStringAttr("llvm.x86.avx512.vpdpbusd.512");
    auto kLoop = scf::ForOp::create(
        b, loc, index(0), index(kp / kDepth), index(1), init,
        [&](OpBuilder &nested, Location, Value kq, ValueRange accs) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          SmallVector<Value> weights;
          for (int64_t j = 0; j < vectors; ++j) {
            Value nb = arith::AddIOp::create(b, loc, block, index(j));
            weights.push_back(vector::TransferReadOp::create(
                b, loc, bytesType, bPacked, ValueRange{nb, kq, index(0)},
                i8Pad, ArrayRef<bool>{true}));
          }
          Value k = arith::MulIOp::create(b, loc, kq, index(kDepth));
          SmallVector<Value> next;
          for (int64_t i = 0; i < mr; ++i) {
            Value r = arith::AddIOp::create(b, loc, row, index(i));
            Value quad = vector::TransferReadOp::create(
                b, loc, VectorType::get({kDepth}, i8), a, ValueRange{r, k},
                i8Pad, ArrayRef<bool>{true});
            Value word = vector::BitCastOp::create(
                b, loc, VectorType::get({1}, i32), quad);
            Value splat = vector::BroadcastOp::create(b, loc, accType, word);
            Value bytes = vector::BitCastOp::create(b, loc, bytesType, splat);
            for (int64_t j = 0; j < vectors; ++j)
              next.push_back(
                  LLVM::CallIntrinsicOp::create(
                      b, loc, accType, intrinsic,
                      ValueRange{accs[i * vectors + j], bytes, weights[j]})
                      .getResult(0));
          }
          scf::YieldOp::create(b, loc, next);
        });
    for (int64_t j = 0; j < vectors; ++j) {
      Value n = arith::AddIOp::create(b, loc, col, index(j * kLanes));
      Value correction = vector::TransferReadOp::create(
          b, loc, accType, corr, ValueRange{n}, i32Pad, ArrayRef<bool>{true});
      for (int64_t i = 0; i < mr; ++i) {
        Value r = arith::AddIOp::create(b, loc, row, index(i));
        Value sum = arith::AddIOp::create(
            b, loc, kLoop.getResult(i * vectors + j), correction);
        c = vector::TransferWriteOp::create(b, loc, sum, c, ValueRange{r, n},
                                            ArrayRef<bool>{true})
                .getResult();
      }
    }
    return c;
  }

  OpBuilder &b;
  Location loc;
  Value a, bPacked, corr;
  int64_t rows, kp, np;
  VnniTile tile;
};

struct MatMulToVnni : OpRewritePattern<tosa::MatMulOp> {
  MatMulToVnni(MLIRContext *ctx, VnniTile tile)
      : OpRewritePattern(ctx), tile(tile) {}
  VnniTile tile;

  LogicalResult matchAndRewrite(tosa::MatMulOp mm,
                                PatternRewriter &rewriter) const override {
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
    int64_t kp = alignTo(k, kDepth), np = alignTo(n, kLanes);
    Location loc = mm.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();

    // Weights: [N/16][K/4][16][4] bytes, zero padded; column sums.
    SmallVector<int8_t> packed(np * kp, 0);
    SmallVector<int32_t> correction(np, 0);
    SmallVector<int8_t> w(weights.getValues<int8_t>());
    for (int64_t kk = 0; kk < k; ++kk)
      for (int64_t nn = 0; nn < n; ++nn) {
        int8_t v = w[kk * n + nn];
        packed[((nn / kLanes) * (kp / kDepth) + kk / kDepth) * kLanes *
                   kDepth +
               (nn % kLanes) * kDepth + kk % kDepth] = v;
        correction[nn] -= (128 + *zpA) * v;
      }
    auto packedType =
        RankedTensorType::get({np / kLanes, kp / kDepth, kLanes * kDepth}, i8);
    Value bPacked = arith::ConstantOp::create(
        rewriter, loc, packedType,
        DenseElementsAttr::get(packedType, ArrayRef(packed)));
    auto corrType = RankedTensorType::get({np}, i32);
    Value corr = arith::ConstantOp::create(
        rewriter, loc, corrType,
        DenseElementsAttr::get(corrType, ArrayRef(correction)));

    // Activations: [M, Kp], K zero-padded, top bit flipped (u8 = s8 + 128).
    auto flatType = RankedTensorType::get({m, k}, i8);
    Value flat = tensor::CollapseShapeOp::create(
        rewriter, loc, flatType, mm.getA(),
        SmallVector<ReassociationIndices>{{0, 1}, {2}});
    Value padded = flat;
    if (kp != k) {
      Value zero = arith::ConstantIntOp::create(rewriter, loc, i8, 0);
      padded = tensor::PadOp::create(
          rewriter, loc, RankedTensorType::get({m, kp}, i8), flat,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(kp - k)},
          zero);
    }
    auto flipType = RankedTensorType::get({1, 1}, i8);
    Value flip = tosa::ConstOp::create(
        rewriter, loc, flipType,
        DenseElementsAttr::get(flipType, ArrayRef<int8_t>{int8_t(-128)}));
    Value aPacked = tosa::BitwiseXorOp::create(
        rewriter, loc, RankedTensorType::get({m, kp}, i8), padded, flip);

    Value c = tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{m, np},
                                      i32);
    c = KernelEmitter(rewriter, loc, aPacked, bPacked, corr, m, kp, np, tile)
            .emit(c);
    if (np != n)
      c = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get({m, n}, i32), c, ValueRange{},
          ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0, 0},
          ArrayRef<int64_t>{m, n}, ArrayRef<int64_t>{1, 1});
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        mm, resultType, c, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    return success();
  }
};

struct ConvertInt8MatMulToX86Pass
    : qopt::impl::ConvertInt8MatMulToX86PassBase<ConvertInt8MatMulToX86Pass> {
  using Base::Base;
  void runOnOperation() override {
    if (tileRows < 1 || tileVectors < 1 || tileRows * tileVectors > 28) {
      getOperation().emitError()
          << "convert-int8-matmul-to-x86: the register tile " << tileRows
          << " x " << tileVectors
          << " needs more than the 32 zmm registers (rows * vectors + "
             "vectors + 1 <= 32, and both >= 1)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateInt8MatMulToX86Patterns(patterns, {tileRows, tileVectors});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void qopt::populateInt8MatMulToX86Patterns(RewritePatternSet &patterns,
                                           VnniTile tile) {
  patterns.add<MatMulToVnni>(patterns.getContext(), tile);
}
