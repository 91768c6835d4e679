#!/usr/bin/env python3
"""PyTorch's own int8 post-training quantization of the bundled digits CNN,
to compare qopt's with.

Rebuilds the model from digits.onnx (batch-norm already folded by the
export), quantizes it with PyTorch's eager-mode PTQ (conv+ReLU fused,
default qconfig of the engine, calibration on calib_x) for the qnnpack and
onednn engines, and prints for each engine its top-1 accuracy on the test
split and its top-1 agreement with the logits given as argument (qopt's
int8 model, from `qopt-run --output`).

Usage: pytorch_ptq.py <digits.onnx> <digits.npz> [qopt_logits.npy]
Run with Debian's python3 (python3-torch, python3-onnx).
"""
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper


class FoldedDigitsNet(nn.Module):
    """examples/digits/train.py's DigitsNet with its batch-norms folded."""

    def __init__(self):
        super().__init__()
        self.quant = torch.quantization.QuantStub()
        self.conv0 = nn.Conv2d(1, 16, 3, padding=1)
        self.relu0 = nn.ReLU()
        self.conv1 = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(16, 32, 1)
        self.relu2 = nn.ReLU()
        self.pool0 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool1 = nn.AvgPool2d(2)
        self.classifier = nn.Linear(128, 10)
        self.dequant = torch.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu0(self.conv0(x))
        x = self.relu1(self.conv1(x))
        x = self.pool0(self.relu2(self.conv2(x)))
        x = self.pool1(self.relu3(self.conv3(x)))
        return self.dequant(self.classifier(torch.flatten(x, 1)))


def load(onnx_path):
    """The float model with the ONNX file's weights, in graph order."""
    graph = onnx.load(onnx_path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    model = FoldedDigitsNet().eval()
    convs = [n for n in graph.node if n.op_type == "Conv"]
    gemm = next(n for n in graph.node if n.op_type == "Gemm")
    for layer, node in zip([model.conv0, model.conv1, model.conv2,
                            model.conv3], convs):
        layer.weight.data = torch.from_numpy(inits[node.input[1]].copy())
        layer.bias.data = torch.from_numpy(inits[node.input[2]].copy())
    weight = inits[gemm.input[1]]
    transposed = any(a.name == "transB" and a.i == 1 for a in gemm.attribute)
    model.classifier.weight.data = torch.from_numpy(
        (weight if transposed else weight.T).copy())
    model.classifier.bias.data = torch.from_numpy(inits[gemm.input[2]].copy())
    return model


def main():
    onnx_path, npz_path = sys.argv[1], sys.argv[2]
    data = np.load(npz_path)
    calib, test_x, test_y = (torch.from_numpy(data["calib_x"]),
                             torch.from_numpy(data["test_x"]), data["test_y"])
    qopt_top1 = (np.load(sys.argv[3]).reshape(len(test_y), -1).argmax(1)
                 if len(sys.argv) > 3 else None)
    float_model = load(onnx_path)
    with torch.no_grad():
        float_top1 = float_model(test_x).argmax(1).numpy()
    # The rebuilt model must be the ONNX model: PyTorch's float logits on the
    # test split were stored by train.py.
    assert (float_top1 == data["test_torch_logits"].argmax(1)).all()
    print(f"pytorch float: top-1 {100 * (float_top1 == test_y).mean():.2f}%")
    if qopt_top1 is not None:
        print(f"qopt int8: top-1 {100 * (qopt_top1 == test_y).mean():.2f}%, "
              f"agreement with float "
              f"{100 * (qopt_top1 == float_top1).mean():.2f}%")
    for engine in ("qnnpack", "onednn"):
        torch.backends.quantized.engine = engine
        model = load(onnx_path)
        model.qconfig = torch.quantization.get_default_qconfig(engine)
        torch.quantization.fuse_modules(
            model, [["conv0", "relu0"], ["conv1", "relu1"], ["conv2", "relu2"],
                    ["conv3", "relu3"]], inplace=True)
        torch.quantization.prepare(model, inplace=True)
        with torch.no_grad():
            model(calib)
        torch.quantization.convert(model, inplace=True)
        with torch.no_grad():
            top1 = model(test_x).argmax(1).numpy()
        line = (f"pytorch int8 {engine}: top-1 "
                f"{100 * (top1 == test_y).mean():.2f}%")
        if qopt_top1 is not None:
            line += (f", top-1 agreement with qopt int8 "
                     f"{100 * (top1 == qopt_top1).mean():.2f}% "
                     f"({int((top1 == qopt_top1).sum())}/{len(top1)})")
        print(line)


if __name__ == "__main__":
    main()
