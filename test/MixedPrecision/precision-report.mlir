// The report: the table and the SVG plot of qopt-assign-precision.
// RUN: qopt %s --qopt-assign-precision="budget-bytes=1300 report=%t.txt svg=%t.svg" -o /dev/null
// RUN: FileCheck %s --input-file=%t.txt
// RUN: %python3 -c "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(len(d.getElementsByTagName('rect')), len(d.getElementsByTagName('circle')))" %t.svg | FileCheck %s --check-prefix=SVG
// RUN: FileCheck %s --check-prefix=SVGTEXT --input-file=%t.svg

// Names are the layers' locations (ONNX node names after qopt-import).
// SQNR = -10 log10(noise): 0.05 -> 13.0 dB, 0.02 -> 17.0 dB; noise 0 is
// exact. The chosen point: B and C at 4 bits, 1200 of 1600 bytes (75%),
// 6 bits per weight, noise 0.04 -> 14.0 dB. The front has 5 points:
// 800 bytes (all 4-bit, 0.09), 1000 (A, C: 0.07), 1200 (B, C: 0.04),
// 1400 (B: 0.02), 1600 (exact).
// CHECK: Mixed precision: 3 layers, 1600 weights; all-int8 1600 bytes
// CHECK-NEXT: budget: 1300 bytes (81.2% of int8)
// CHECK-NEXT: chosen: 1200 bytes (75.0% of int8, 6.00 bits/weight), predicted output SQNR 14.0 dB
// CHECK: layer op weights output SQNR dB by width width bytes
// CHECK-NEXT: convA conv2d 8x1x1x100 800 8: exact 4: 13.0 8 800
// CHECK-NEXT: convB conv2d 4x1x1x100 400 8: exact 4: 17.0 4 200
// CHECK-NEXT: convC conv2d 4x1x1x100 400 8: exact 4: 17.0 4 200
// CHECK: Pareto front (5 points; * = chosen):
// CHECK-NEXT: bytes  % of int8  bits/weight  predicted SQNR dB
// CHECK-NEXT: 800      50.0%         4.00               10.5
// CHECK-NEXT: 1000      62.5%         5.00               11.5
// CHECK-NEXT: *     1200      75.0%         6.00               14.0
// CHECK-NEXT: 1400      87.5%         7.00               17.0
// CHECK-NEXT: 1600     100.0%         8.00              exact

// Three layers x two widths = 6 bars (and the background); 5 front
// points and the chosen one.
// SVG: 7 6
// SVGTEXT: chosen: 1200 bytes, 14.0 dB

func.func @greedy_is_not_optimal(%x: tensor<1x1x1x100xf32>) -> (tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %wA = "tosa.const"() <{values = dense<0.5> : tensor<8x1x1x100xf32>}> : () -> tensor<8x1x1x100xf32>
  %bA = "tosa.const"() <{values = dense<0.0> : tensor<8xf32>}> : () -> tensor<8xf32>
  %yA = tosa.conv2d %x, %wA, %bA, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.05]>} : (tensor<1x1x1x100xf32>, tensor<8x1x1x100xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x8xf32> loc("convA")
  %wB = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bB = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yB = tosa.conv2d %x, %wB, %bB, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.02]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32> loc("convB")
  %wC = "tosa.const"() <{values = dense<0.5> : tensor<4x1x1x100xf32>}> : () -> tensor<4x1x1x100xf32>
  %bC = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %yC = tosa.conv2d %x, %wC, %bC, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, qopt.sensitivity = #qopt.sensitivity<bits = [8, 4], noise = [0.0, 0.02]>} : (tensor<1x1x1x100xf32>, tensor<4x1x1x100xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32> loc("convC")
  return %yA, %yB, %yC : tensor<1x1x1x8xf32>, tensor<1x1x1x4xf32>, tensor<1x1x1x4xf32>
}
