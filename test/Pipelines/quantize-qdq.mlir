// The bundled example through the QDQ quantization pipeline (README command
// 1 runs the same).
// RUN: qopt %qopt_src_root/examples/tiny-cnn/tiny-cnn.mlir --qopt-quantize-qdq | FileCheck %s
// RUN: qopt %qopt_src_root/examples/tiny-cnn/tiny-cnn.mlir --qopt-quantize-qdq="activation-policy=ui8,asymmetric,per_tensor rounding=half_away_from_zero" | FileCheck %s --check-prefix=U8

// CHECK-LABEL: func.func @tiny_cnn
// CHECK-SAME: (%[[IMAGE:.*]]: tensor<1x8x8x1xf32>)
// Weights are stored as int8 per output channel and dequantized for the
// float ops (QDQ form).
// CHECK-DAG: %[[FC:.*]] = qopt.constant dense<{{.*}}> : tensor<1x64x10xi8> -> tensor<1x64x10x!quant.uniform<i8<-127:127>:f32:2, {{.*}}>>
// CHECK-DAG: %[[W:.*]] = qopt.constant dense<{{.*}}> : tensor<4x3x3x1xi8> -> tensor<4x3x3x1x!quant.uniform<i8<-127:127>:f32:0, {{.*}}>>
// The bias (rank 1) stays float.
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<4xf32>}>
// The input image in [0, 1]: scale 1/255, zero point -128.
// CHECK: %[[QI:.*]] = qopt.quantize %[[IMAGE]] rounding half_to_even : tensor<1x8x8x1xf32> -> tensor<1x8x8x1x!quant.uniform<i8:f32, 0.0039215688593685627:-128>>
// CHECK: %[[DQI:.*]] = qopt.dequantize %[[QI]]
// CHECK: %[[DQW:.*]] = qopt.dequantize %[[W]]
// CHECK: %[[CONV:.*]] = tosa.conv2d %[[DQI]], %[[DQW]], %[[B]]
// CHECK: qopt.quantize %[[CONV]]
// CHECK: tosa.clamp
// CHECK: qopt.quantize
// CHECK: tosa.max_pool2d
// CHECK: qopt.dequantize %[[FC]]
// CHECK: tosa.matmul
// CHECK: qopt.quantize
// CHECK-NOT: qopt.range
// CHECK-NOT: qopt.policy
// CHECK: return

// U8: qopt.quantize %{{.*}} rounding half_away_from_zero : tensor<1x8x8x1xf32> -> tensor<1x8x8x1x!quant.uniform<u8:f32, 0.0039215688593685627>>
