//===- QOptBase.td - qopt dialect and enum definitions -----*- tablegen -*-===//
//
// The qopt dialect: quantization parameters, policies and the ops that narrow
// values with an explicit rounding.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QOPT_IR_QOPTBASE_TD
#define QOPT_DIALECT_QOPT_IR_QOPTBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def QOpt_Dialect : Dialect {
  let name = "qopt";
  let cppNamespace = "::qopt";
  let summary = "Quantization-aware ops, attributes and types of the qopt compiler";
  let description = [{
    The `qopt` dialect carries everything a quantization compiler needs that
    upstream MLIR's `quant` dialect does not: quantization *policies* chosen
    before scales are known, *calibrated ranges* measured on data, an explicit
    *rounding* on every op that narrows a value, dyadic (integer multiplier
    and shift) rescales, and binary weights.

    Tensors of quantized values use upstream element types wherever they fit:
    `!quant.uniform` per tensor, per axis and sub-channel (per group). Ternary
    weights are `!quant.uniform<i2<-1:1>:f32, s>`; binary {-1, +1} weights,
    which no affine type can express, are `!qopt.binary`.

    Every qopt op verifies what the upstream types leave open: zero points
    inside the storage range, the quantized axis inside the tensor rank,
    one scale per channel, block sizes that divide their dimension.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Discardable attribute names understood by the dialect.
    static constexpr ::llvm::StringLiteral kRangeAttrName = "qopt.range";
    static constexpr ::llvm::StringLiteral kPolicyAttrName = "qopt.policy";
    static constexpr ::llvm::StringLiteral kSensitivityAttrName =
        "qopt.sensitivity";
  private:
    void registerAttributes();
    void registerTypes();
  public:
  }];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def QOpt_RoundingMode : I32EnumAttr<"RoundingMode",
    "how a narrowing op rounds a value that lies between two integers", [
      I32EnumAttrCase<"half_away_from_zero", 0>,
      I32EnumAttrCase<"half_to_even", 1>,
      I32EnumAttrCase<"half_up", 2>,
      I32EnumAttrCase<"double_round", 3>,
      I32EnumAttrCase<"single_round", 4>,
      I32EnumAttrCase<"fp32_rne", 5>
    ]> {
  let cppNamespace = "::qopt";
  let genSpecializedAttr = 0;
}

def QOpt_RoundingModeAttr : EnumAttr<QOpt_Dialect, QOpt_RoundingMode,
                                     "rounding"> {
  let summary = "rounding applied by a narrowing op";
  let description = [{
    * `half_away_from_zero`: ties round away from zero (C `round`, TFLite's
      quantize).
    * `half_to_even`: ties round to the even neighbour (IEEE default, ONNX
      `QuantizeLinear`, PyTorch `torch.round`).
    * `half_up`: ties round toward +infinity (`floor(x + 0.5)`).
    * `double_round`: dyadic requantization profile of gemmlowp and TFLite:
      `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, M), k)`
      (TOSA `DOUBLE_ROUND`).
    * `single_round`: dyadic profile with one rounding,
      `(x * M + 2^(s-1)) >> s` (TOSA `SINGLE_ROUND`, TFLite single rounding).

    * `fp32_rne`: float-scale profile of XNNPACK, PyTorch's qnnpack/onednn
      and ONNX's QLinear* reference: the scaling is evaluated in float32
      (`float(x) / float(scale)` for quantize, `float(q - zp_in) *
      (float(s_in) / float(s_out))` for requantize) and rounded half to even.

    `half_away_from_zero`, `half_to_even`, `half_up` (evaluated in double)
    and `fp32_rne` apply to float-scale ops (`qopt.quantize`,
    `qopt.requantize`); `double_round` and `single_round` to `qopt.rescale`.
  }];
  let assemblyFormat = "$value";
}

def QOpt_Granularity : I32EnumAttr<"Granularity",
    "how many scales a quantized tensor has", [
      I32EnumAttrCase<"per_tensor", 0>,
      I32EnumAttrCase<"per_channel", 1>,
      I32EnumAttrCase<"per_group", 2>
    ]> {
  let cppNamespace = "::qopt";
}

def QOpt_StorageKind : I32EnumAttr<"StorageKind",
    "the set of integer values a policy stores", [
      I32EnumAttrCase<"integer", 0>,
      I32EnumAttrCase<"ternary", 1>,
      I32EnumAttrCase<"binary", 2>
    ]> {
  let cppNamespace = "::qopt";
}

#endif // QOPT_DIALECT_QOPT_IR_QOPTBASE_TD
