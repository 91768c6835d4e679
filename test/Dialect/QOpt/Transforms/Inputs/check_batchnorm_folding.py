#!/usr/bin/env python3
"""BN folding on real models: PyTorch modules with BatchNorm exported with
BN kept (TrainingMode.PRESERVE in eval mode), imported, run before and after
qopt-fold-batchnorm; outputs must agree within 1e-5 relative to their
magnitude, and the folded graph must have fewer multiplies/adds.

    check_batchnorm_folding.py TOOLS_DIR WORK_DIR
"""
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

tools, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)


def tool(name, *args):
    r = subprocess.run([os.path.join(tools, name), *args], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return r.stdout


def randomize_bn(module):
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            nn.init.uniform_(m.weight, -1.5, 1.5)
            nn.init.uniform_(m.bias, -0.5, 0.5)
    return module.eval()


MODELS = {
    "conv_bn": (nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8)), (4, 3, 8, 8)),
    "conv_bn_relu": (nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.BatchNorm2d(8), nn.ReLU()), (4, 3, 9, 9)),
    "depthwise_bn_relu": (nn.Sequential(nn.Conv2d(4, 8, 3, padding=1, groups=4), nn.BatchNorm2d(8), nn.ReLU()), (4, 4, 6, 6)),
    "linear_bn": (nn.Sequential(nn.Linear(12, 6), nn.BatchNorm1d(6)), (5, 12)),
}

failures = 0
for name, (module, shape) in MODELS.items():
    randomize_bn(module)
    x = torch.randn(*shape)
    onnx_path = os.path.join(work, name + ".onnx")
    torch.onnx.export(module, x[:1], onnx_path, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE)
    plain = os.path.join(work, name + ".mlir")
    folded = os.path.join(work, name + ".folded.mlir")
    tool("qopt-import", onnx_path, "-o", plain)
    tool("qopt", plain, "--qopt-fold-batchnorm", "-o", folded)
    np.save(os.path.join(work, "x.npy"), x.numpy())
    outs = []
    for path in (plain, folded):
        out = os.path.join(work, "y.npy")
        tool("qopt-run", path, "--input", os.path.join(work, "x.npy"), "--output", out)
        outs.append(np.load(out))
    err = float(np.abs(outs[0] - outs[1]).max() / np.abs(outs[0]).max())
    count = lambda p: len(re.findall(r"tosa\.(mul|add) ", open(p).read()))
    ok = err <= 1e-5 and count(folded) < count(plain)
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: relative difference {err:.2e}, "
          f"mul/add {count(plain)} -> {count(folded)}")
print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
