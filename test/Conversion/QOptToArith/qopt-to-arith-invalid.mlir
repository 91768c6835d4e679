// RUN: qopt %s --convert-qopt-to-arith -verify-diagnostics

// Float-scale requantizes other than fp32_rne are defined in double
// precision; they become dyadic rescales through qopt-requant-to-dyadic.
func.func @double_precision_requantize(%acc: tensor<4x!quant.uniform<i32:f32, 0.00031>>) -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>> {
  // expected-error @+1 {{'qopt.requantize' op with rounding half_to_even has no integer lowering: run qopt-requant-to-dyadic first (or use fp32_rne)}}
  %0 = qopt.requantize %acc rounding half_to_even : tensor<4x!quant.uniform<i32:f32, 0.00031>> -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
  return %0 : tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
}
