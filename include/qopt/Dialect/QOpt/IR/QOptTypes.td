//===- QOptTypes.td - qopt type definitions ----------------*- tablegen -*-===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTTYPES_TD
#define QOPT_DIALECT_QOPT_IR_QOPTTYPES_TD

include "qopt/Dialect/QOpt/IR/QOptBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def QOpt_BinaryType : TypeDef<QOpt_Dialect, "Binary"> {
  let mnemonic = "binary";
  let summary = "binary {-1, +1} quantized value";
  let description = [{
    A value `scale * b` with `b` in {-1, +1}, stored in one bit: storage `1`
    means +1 and `0` means -1 (the encoding XNOR/popcount kernels use). No
    affine `!quant.uniform` type can express it because the two levels are
    symmetric around zero and zero itself is not representable.

    One scale per tensor, or one per channel along `axis`:
    ```
    !qopt.binary<f32, 0.25>
    !qopt.binary<f32:0, {0.25, 0.5, 0.125}>
    ```
  }];
  let parameters = (ins
    "::mlir::FloatType":$expressedType,
    "::mlir::DenseF64ArrayAttr":$scales,
    "int64_t":$axis
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isPerAxis() const { return getAxis() >= 0; }
    ::llvm::ArrayRef<double> getScaleValues() const {
      return getScales().asArrayRef();
    }
  }];
}

#endif // QOPT_DIALECT_QOPT_IR_QOPTTYPES_TD
