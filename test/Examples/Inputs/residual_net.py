"""Writes a small random-weight CNN with the op mix of real networks --
grouped convolution, residual add, concat, a squeeze-excitation gate
(sigmoid, mul), average pooling, a classifier -- as ONNX, with random
calibration and test inputs, to test qopt-ptq end to end.

Usage: residual_net.py <out_dir>   (writes net.onnx, data.npz)
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.grouped = nn.Conv2d(16, 16, 3, padding=1, groups=4)
        self.branch = nn.Conv2d(16, 8, 1)
        self.squeeze = nn.Conv2d(24, 24, 1)
        self.classifier = nn.Linear(24, 10)

    def forward(self, x):
        x = torch.relu(self.stem(x))
        y = torch.relu(self.grouped(x) + x)            # residual add
        z = torch.cat([y, torch.relu(self.branch(y))], 1)  # concat
        gate = torch.sigmoid(self.squeeze(nn.functional.avg_pool2d(z, 8)))
        z = z * gate                                   # SE gate: mul
        z = nn.functional.avg_pool2d(z, 8)
        return self.classifier(torch.flatten(z, 1))


model = Net().eval()
x = torch.rand(1, 3, 8, 8)
torch.onnx.export(model, x, os.path.join(out, "net.onnx"), opset_version=13,
                  input_names=["image"], output_names=["logits"],
                  dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
rng = np.random.default_rng(1)
np.savez(os.path.join(out, "data.npz"),
         calib=rng.random((64, 3, 8, 8), dtype=np.float32),
         test=rng.random((128, 3, 8, 8), dtype=np.float32))
