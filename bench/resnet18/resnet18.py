#!/usr/bin/env python3
"""A ResNet-18 (torchvision's architecture, written out; random weights and
batch-norm statistics) for whole-model int8 latency at batch 1.

  resnet18.py export <dir>      writes <dir>/resnet18.onnx and
                                <dir>/data.npz (calib: 16 images, test: 8)
  resnet18.py pytorch <dir>     PyTorch's own float and int8 (FX graph mode
                                PTQ, onednn engine, one thread) latency,
                                median ms per image at batch 1

Run with Debian's python3 (python3-torch, python3-onnx).
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (self.down(x) if self.down else x))


class ResNet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False),
                                  nn.BatchNorm2d(64), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, 1))
        layers, cin = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        x = self.pool(self.layers(self.stem(x)))
        return self.fc(torch.flatten(x, 1))


def model():
    torch.manual_seed(18)
    m = ResNet18()
    for mod in m.modules():  # plausible BN statistics
        if isinstance(mod, nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.1, 0.1)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.data.uniform_(0.5, 1.5)
    return m.eval()


def median_ms(f, x, reps=10):
    for _ in range(2):
        f(x)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f(x)
        times.append(time.perf_counter() - t)
    return 1e3 * sorted(times)[len(times) // 2]


def main():
    what, out = sys.argv[1], sys.argv[2]
    m = model()
    rng = np.random.default_rng(0)
    if what == "export":
        os.makedirs(out, exist_ok=True)
        x = torch.rand(1, 3, 224, 224)
        torch.onnx.export(m, x, os.path.join(out, "resnet18.onnx"),
                          opset_version=13, input_names=["image"],
                          output_names=["logits"])
        np.savez(os.path.join(out, "data.npz"),
                 calib=rng.random((16, 3, 224, 224), dtype=np.float32),
                 test=rng.random((8, 3, 224, 224), dtype=np.float32))
        return
    torch.set_num_threads(1)
    data = np.load(os.path.join(out, "data.npz"))
    x = torch.from_numpy(data["test"][:1])
    with torch.no_grad():
        print(f"pytorch float: {median_ms(m, x):.1f} ms/image")
        torch.backends.quantized.engine = "onednn"
        from torch.ao.quantization import get_default_qconfig_mapping
        from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
        prepared = prepare_fx(m, get_default_qconfig_mapping("onednn"), (x,))
        prepared(torch.from_numpy(data["calib"]))
        q = convert_fx(prepared)
        print(f"pytorch int8 (onednn): {median_ms(q, x):.1f} ms/image")


if __name__ == "__main__":
    main()
