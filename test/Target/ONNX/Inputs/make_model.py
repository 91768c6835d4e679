#!/usr/bin/env python3
"""Builds small ONNX models with ONNX's own helper API for the import
tests: `make_model.py NAME OUT.onnx`. Weights are deterministic."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)


def init(name, shape, values=None):
    data = values if values is not None else rng.standard_normal(shape).astype(np.float32)
    return numpy_helper.from_array(np.asarray(data, dtype=np.float32).reshape(shape), name)


def ints(name, values):
    return numpy_helper.from_array(np.asarray(values, dtype=np.int64), name)


def model(nodes, x_shape, y_shape, inits=(), opset=13, extra_inputs=()):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape), *extra_inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        initializer=list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


N = "N"  # symbolic batch
MODELS = {
    "conv": lambda: model(
        [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", pads=[1, 1, 1, 1])],
        [N, 2, 5, 5], [N, 3, 5, 5], [init("w", [3, 2, 3, 3]), init("b", [3])]),
    "conv_strided_dilated": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["y"], strides=[2, 2], dilations=[2, 2], pads=[2, 2, 2, 2])],
        [1, 2, 9, 9], [1, 4, 5, 5], [init("w", [4, 2, 3, 3])]),
    "conv_same_upper": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["y"], strides=[2, 2], auto_pad="SAME_UPPER")],
        [1, 2, 8, 8], [1, 4, 4, 4], [init("w", [4, 2, 3, 3])]),
    "conv_depthwise": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["y"], group=4, pads=[1, 1, 1, 1])],
        [1, 4, 6, 6], [1, 8, 6, 6], [init("w", [8, 1, 3, 3])]),
    "conv_grouped": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["y"], group=2)],
        [1, 4, 6, 6], [1, 6, 4, 4], [init("w", [6, 2, 3, 3])]),
    "batchnorm": lambda: model(
        [helper.make_node("BatchNormalization", ["x", "s", "bias", "mean", "var"], ["y"], epsilon=1e-3)],
        [1, 2, 3, 3], [1, 2, 3, 3],
        [init("s", [2], [2.0, 0.5]), init("bias", [2], [1.0, -1.0]),
         init("mean", [2], [0.5, 0.0]), init("var", [2], [0.999, 0.249])]),
    "relu": lambda: model([helper.make_node("Relu", ["x"], ["y"])], [1, 4], [1, 4]),
    "clip": lambda: model(
        [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [1, 4], [1, 4],
        [init("lo", [], [-1.5]), init("hi", [], [6.0])]),
    "leaky_relu": lambda: model(
        [helper.make_node("LeakyRelu", ["x"], ["y"], alpha=0.2)], [1, 4], [1, 4]),
    "sigmoid": lambda: model([helper.make_node("Sigmoid", ["x"], ["y"])], [1, 4], [1, 4]),
    "maxpool": lambda: model(
        [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])],
        [1, 2, 7, 7], [1, 2, 4, 4]),
    "avgpool": lambda: model(
        [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[2, 2], strides=[2, 2])],
        [1, 2, 4, 4], [1, 2, 2, 2]),
    "avgpool_count_pad": lambda: model(
        [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1)],
        [1, 2, 4, 4], [1, 2, 4, 4]),
    "global_avgpool": lambda: model(
        [helper.make_node("GlobalAveragePool", ["x"], ["y"])], [1, 3, 4, 5], [1, 3, 1, 1]),
    "gemm": lambda: model(
        [helper.make_node("Gemm", ["x", "w", "c"], ["y"], transB=1, alpha=0.5, beta=2.0)],
        [2, 6], [2, 3], [init("w", [3, 6]), init("c", [3])]),
    "matmul": lambda: model(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], [2, 6], [2, 3], [init("w", [6, 3])]),
    "add_broadcast": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["c"]),
         helper.make_node("Add", ["c", "bias"], ["y"])],
        [1, 2, 3, 3], [1, 2, 3, 3], [init("w", [2, 2, 1, 1]), init("bias", [2, 1, 1], [1.0, -1.0])]),
    "sub": lambda: model(
        [helper.make_node("Sub", ["x", "k"], ["y"])], [1, 4], [1, 4], [init("k", [4])]),
    "mul": lambda: model(
        [helper.make_node("Mul", ["x", "k"], ["y"])], [1, 4], [1, 4], [init("k", [1], [3.0])]),
    "concat": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["c"]),
         helper.make_node("Concat", ["c", "c"], ["y"], axis=1)],
        [1, 2, 3, 3], [1, 4, 3, 3], [init("w", [2, 2, 1, 1])]),
    "reshape": lambda: model(
        [helper.make_node("Reshape", ["x", "shape"], ["y"])], [1, 2, 3, 4], [1, 6, 4],
        [ints("shape", [0, -1, 4])]),
    "flatten_after_conv": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["c"]),
         helper.make_node("Flatten", ["c"], ["y"], axis=1)],
        [1, 2, 2, 2], [1, 8], [init("w", [2, 2, 1, 1])]),
    "transpose": lambda: model(
        [helper.make_node("Transpose", ["x"], ["y"], perm=[0, 2, 1])], [1, 2, 3], [1, 3, 2]),
    "pad": lambda: model(
        [helper.make_node("Pad", ["x", "pads", "v"], ["y"], mode="constant")],
        [1, 2, 3, 3], [1, 2, 5, 4], [ints("pads", [0, 0, 1, 0, 0, 0, 1, 1]), init("v", [], [0.5])]),
    "softmax": lambda: model(
        [helper.make_node("Softmax", ["x"], ["y"], axis=1)], [2, 5], [2, 5]),
    "softmax_opset11": lambda: model(
        [helper.make_node("Softmax", ["x"], ["y"], axis=1)], [2, 3, 4], [2, 3, 4], opset=11),
    "identity_constant": lambda: model(
        [helper.make_node("Constant", [], ["k"], value=numpy_helper.from_array(np.array([2.0], np.float32))),
         helper.make_node("Identity", ["x"], ["i"]),
         helper.make_node("Mul", ["i", "k"], ["y"])], [1, 3], [1, 3]),
    # QDQ: activations fake-quantized to uint8, int8 per-channel weights and
    # int32 bias dequantized (the form PyTorch and ONNX Runtime export).
    "qdq_conv": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_x"),
         helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"], name="dq_x"),
         helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0, name="dq_w"),
         helper.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["bd"], axis=0, name="dq_b"),
         helper.make_node("Conv", ["xd", "wd", "bd"], ["y"], pads=[1, 1, 1, 1])],
        [N, 2, 5, 5], [N, 3, 5, 5],
        [init("xs", [], [0.05]), numpy_helper.from_array(np.array(128, np.uint8), "xz"),
         numpy_helper.from_array(rng.integers(-127, 128, (3, 2, 3, 3)).astype(np.int8), "wq"),
         init("ws", [3], [0.01, 0.02, 0.005]),
         numpy_helper.from_array(np.zeros(3, np.int8), "wz"),
         numpy_helper.from_array(np.array([100, -200, 300], np.int32), "bq"),
         init("bs", [3], [0.0005, 0.001, 0.00025]),
         numpy_helper.from_array(np.zeros(3, np.int32), "bz")]),
    # ONNX Runtime's QOperator format: QLinearConv / QLinearMatMul between
    # QuantizeLinear and DequantizeLinear.
    "qlinear_conv": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("QLinearConv", ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"],
                          ["yq"], pads=[1, 1, 1, 1], strides=[2, 2], name="qconv"),
         helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])],
        [N, 2, 7, 7], [N, 4, 4, 4],
        [init("xs", [], [0.02]), numpy_helper.from_array(np.array(128, np.uint8), "xz"),
         numpy_helper.from_array(rng.integers(-127, 128, (4, 2, 3, 3)).astype(np.int8), "w"),
         init("ws", [4], [0.01, 0.02, 0.005, 0.03]),
         numpy_helper.from_array(np.zeros(4, np.int8), "wz"),
         init("ys", [], [0.05]), numpy_helper.from_array(np.array(100, np.uint8), "yz"),
         numpy_helper.from_array(np.array([500, -1000, 2000, 0], np.int32), "b")]),
    "qlinear_matmul": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("QLinearMatMul", ["xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["yq"]),
         helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])],
        [N, 8], [N, 5],
        [init("xs", [], [0.03]), numpy_helper.from_array(np.array(-3, np.int8), "xz"),
         numpy_helper.from_array(rng.integers(-127, 128, (8, 5)).astype(np.int8), "w"),
         init("ws", [], [0.015]), numpy_helper.from_array(np.array(0, np.int8), "wz"),
         init("ys", [], [0.1]), numpy_helper.from_array(np.array(5, np.int8), "yz")]),
    # Dynamic-quantization style: integer ops, Cast to float, rescale.
    "integer_ops": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("ConvInteger", ["xq", "w", "xz", "wz"], ["acc"], pads=[1, 1, 1, 1]),
         helper.make_node("Cast", ["acc"], ["accf"], to=TensorProto.FLOAT),
         helper.make_node("Mul", ["accf", "scale"], ["y"])],
        [N, 2, 5, 5], [N, 3, 5, 5],
        [init("xs", [], [0.04]), numpy_helper.from_array(np.array(120, np.uint8), "xz"),
         numpy_helper.from_array(rng.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8), "w"),
         numpy_helper.from_array(np.array(128, np.uint8), "wz"),
         init("scale", [], [0.001])]),
    "matmul_integer": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
         helper.make_node("MatMulInteger", ["xq", "w", "xz"], ["acc"]),
         helper.make_node("Cast", ["acc"], ["y"], to=TensorProto.FLOAT)],
        [N, 6], [N, 4],
        [init("xs", [], [0.05]), numpy_helper.from_array(np.array(7, np.int8), "xz"),
         numpy_helper.from_array(rng.integers(-128, 128, (6, 4)).astype(np.int8), "w")]),
    # Bad inputs.
    "qlinear_conv_bad_types": lambda: model(
        [helper.make_node("QLinearConv", ["x", "s", "z", "w", "s", "z", "s", "z"], ["y"], name="qconv1")],
        [1, 1, 3, 3], [1, 1, 3, 3],
        [init("s", [], [0.1]), numpy_helper.from_array(np.array(0, np.uint8), "z"),
         numpy_helper.from_array(np.ones((1, 1, 1, 1), np.uint8), "w")]),
    "qdq_mismatch": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "s1"], ["q"], name="q1"),
         helper.make_node("DequantizeLinear", ["q", "s2"], ["y"], name="dq1")],
        [1, 4], [1, 4], [init("s1", [], [0.1]), init("s2", [], [0.2])]),
    "qdq_bad_scale": lambda: model(
        [helper.make_node("QuantizeLinear", ["x", "s"], ["q"], name="q1"),
         helper.make_node("DequantizeLinear", ["q", "s"], ["y"], name="dq1")],
        [1, 4], [1, 4], [init("s", [], [-0.1])]),
    "unsupported_ops": lambda: model(
        [helper.make_node("Elu", ["x"], ["a"], name="elu1"),
         helper.make_node("Relu", ["a"], ["b"], name="relu1"),
         helper.make_node("HardSigmoid", ["b"], ["y"], name="hs1")], [1, 4], [1, 4]),
    "opset9": lambda: model([helper.make_node("Relu", ["x"], ["y"])], [1, 4], [1, 4], opset=9),
    "opset18": lambda: model([helper.make_node("Relu", ["x"], ["y"])], [1, 4], [1, 4], opset=18),
    "shape_mismatch": lambda: model(
        [helper.make_node("Add", ["x", "k"], ["y"], name="add1")], [1, 3], [1, 3], [init("k", [4])]),
    "missing_initializer": lambda: model(
        [helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")], [1, 2, 3, 3], [1, 2, 3, 3]),
    "dynamic_spatial": lambda: model(
        [helper.make_node("Relu", ["x"], ["y"])], [1, 2, "H", 4], [1, 2, "H", 4]),
    "reflect_pad": lambda: model(
        [helper.make_node("Pad", ["x", "pads"], ["y"], mode="reflect", name="pad1")],
        [1, 4], [1, 6], [ints("pads", [0, 1, 0, 1])]),
}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    m = MODELS[name]()
    with open(out, "wb") as f:
        f.write(m.SerializeToString())
