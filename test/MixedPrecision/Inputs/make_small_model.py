"""Writes a small random float model for the sensitivity tests: a 3x3
convolution, a depthwise 3x3 convolution and a fully-connected layer, as
TOSA (model.mlir), with calibration samples (x.npy) and bad samples
(nan.npy) in the given directory."""
import os
import sys

import numpy as np

out = sys.argv[1]
r = np.random.default_rng(7)


def dense(a):
    return "dense<%s> : tensor<%sxf32>" % (
        np.array2string(a, separator=", ", threshold=1 << 30,
                        formatter={"float_kind": lambda v: "%.6e" % v}),
        "x".join(map(str, a.shape)))


w1 = r.standard_normal((4, 3, 3, 2)).astype(np.float32) * 0.5
b1 = r.standard_normal(4).astype(np.float32) * 0.1
w2 = r.standard_normal((3, 3, 4, 1)).astype(np.float32) * 0.5
w3 = r.standard_normal((1, 64, 10)).astype(np.float32) * 0.3
zp = '"tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>'
conv_attrs = ("acc_type = f32, dilation = array<i64: 1, 1>, "
              "pad = array<i64: %s>, stride = array<i64: 1, 1>")


def const(name, a):
    t = "tensor<%sxf32>" % "x".join(map(str, a.shape))
    return '  %%%s = "tosa.const"() <{values = %s}> : () -> %s\n' % (name, dense(a), t)


model = "func.func @small(%x: tensor<1x6x6x2xf32>) -> tensor<1x10xf32> {\n"
model += "  %zp = " + zp + "\n"
model += const("w1", w1) + const("b1", b1)
model += ("  %c1 = tosa.conv2d %x, %w1, %b1, %zp, %zp {" + conv_attrs % "1, 1, 1, 1" +
          "} : (tensor<1x6x6x2xf32>, tensor<4x3x3x2xf32>, tensor<4xf32>, tensor<1xf32>, "
          "tensor<1xf32>) -> tensor<1x6x6x4xf32>\n")
model += const("w2", w2) + const("b2", np.zeros(4, np.float32))
model += ("  %c2 = tosa.depthwise_conv2d %c1, %w2, %b2, %zp, %zp {" + conv_attrs % "0, 0, 0, 0" +
          "} : (tensor<1x6x6x4xf32>, tensor<3x3x4x1xf32>, tensor<4xf32>, tensor<1xf32>, "
          "tensor<1xf32>) -> tensor<1x4x4x4xf32>\n")
model += "  %s1 = tosa.const_shape {values = dense<[1, 1, 64]> : tensor<3xindex>} : () -> !tosa.shape<3>\n"
model += "  %flat = tosa.reshape %c2, %s1 : (tensor<1x4x4x4xf32>, !tosa.shape<3>) -> tensor<1x1x64xf32>\n"
model += const("w3", w3)
model += ("  %m = tosa.matmul %flat, %w3, %zp, %zp : (tensor<1x1x64xf32>, tensor<1x64x10xf32>, "
          "tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x10xf32>\n")
model += "  %s2 = tosa.const_shape {values = dense<[1, 10]> : tensor<2xindex>} : () -> !tosa.shape<2>\n"
model += "  %y = tosa.reshape %m, %s2 : (tensor<1x1x10xf32>, !tosa.shape<2>) -> tensor<1x10xf32>\n"
model += "  return %y : tensor<1x10xf32>\n}\n"
with open(os.path.join(out, "model.mlir"), "w") as f:
    f.write(model)

x = r.standard_normal((40, 6, 6, 2)).astype(np.float32)
np.save(os.path.join(out, "x.npy"), x)
bad = x.copy()
bad[3, 1, 2, 1] = np.nan  # sample 3, element (1 * 6 + 2) * 2 + 1 = 17
np.save(os.path.join(out, "nan.npy"), bad)
