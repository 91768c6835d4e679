#!/usr/bin/env python3
"""Float execution check: qopt-import + qopt-run against PyTorch on the same
inputs. PyTorch modules are exported to ONNX by torch.onnx; ONNX models
built with onnx.helper (Inputs/make_model.py) are checked against the
equivalent torch.nn.functional computation. Passes when every output
matches within 1e-4 relative to the output's largest magnitude.

    compare_with_pytorch.py QOPT_RUN WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_model  # noqa: E402
from onnx import numpy_helper  # noqa: E402

qopt_run, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
torch.manual_seed(0)
failures = 0


def run_qopt(onnx_path, x):
    np.save(os.path.join(work, "x.npy"), x.astype(np.float32))
    out = os.path.join(work, "y.npy")
    r = subprocess.run([qopt_run, onnx_path, "--input", os.path.join(work, "x.npy"),
                        "--output", out], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr)
    return np.load(out)


EXACT = {"helper:qlinear_conv", "helper:qlinear_matmul", "helper:integer_ops",
         "helper:matmul_integer"}


def report(name, got, ref):
    global failures
    err = float(np.abs(got - ref).max() / max(np.abs(ref).max(), 1e-12))
    # Integer pipelines must match ONNX's definitions bit for bit.
    ok = got.shape == ref.shape and (err == 0.0 if name in EXACT else err <= 1e-4)
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name}: relative error {err:.2e}")


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(4, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.b = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        return torch.relu(self.b(torch.relu(self.bn(self.a(x)))) + x)


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 1)
        self.b = nn.Conv2d(3, 2, 3, padding=1)

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], dim=1)


MODULES = {
    "conv_groups": (nn.Conv2d(4, 8, 3, padding=1, groups=2), (3, 4, 9, 9)),
    "conv_depthwise": (nn.Conv2d(4, 8, 3, padding=1, groups=4), (3, 4, 9, 9)),
    "conv_dilation": (nn.Conv2d(2, 3, 3, padding=2, dilation=2), (2, 2, 9, 9)),
    "conv_stride_odd": (nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 9, 9)),
    "conv_bn_relu": (nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU()), (2, 2, 8, 8)),
    "pooling": (nn.Sequential(nn.MaxPool2d(3, 2, 1), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1)), (2, 3, 10, 10)),
    "gemm": (nn.Sequential(nn.Flatten(), nn.Linear(48, 7), nn.ReLU6(), nn.Linear(7, 3)), (4, 3, 4, 4)),
    "concat": (Branches(), (2, 3, 6, 6)),
    "residual_add": (Residual(), (2, 4, 6, 6)),
    "sigmoid_leaky_softmax": (nn.Sequential(nn.Linear(6, 6), nn.Sigmoid(), nn.Linear(6, 6),
                                            nn.LeakyReLU(0.1), nn.Softmax(dim=1)), (5, 6)),
}

for name, (module, shape) in MODULES.items():
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            nn.init.uniform_(m.weight, 0.5, 1.5)
    module.eval()
    x = torch.randn(*shape)
    path = os.path.join(work, name + ".onnx")
    torch.onnx.export(module, x[:1], path, opset_version=13, input_names=["x"],
                      output_names=["y"], dynamic_axes={"x": {0: "N"}, "y": {0: "N"}})
    with torch.no_grad():
        report(name, run_qopt(path, x.numpy()), module(x).numpy())


def params(model_proto):
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
            for t in model_proto.graph.initializer}


def qdq_conv_reference(x, p):
    """ONNX's QuantizeLinear / DequantizeLinear definitions (float32
    division, round half to even, saturate), then the float convolution."""
    xs = np.float32(p["xs"].item())
    xn = x.numpy()
    q = np.clip(np.rint(xn / xs) + 128, 0, 255)
    xd = torch.from_numpy(((q - 128) * xs).astype(np.float32))
    w = (p["wq"].numpy().astype(np.float32) * p["ws"].numpy()[:, None, None, None])
    b = (p["bq"].numpy().astype(np.float32) * p["bs"].numpy())
    return F.conv2d(xd, torch.from_numpy(w), torch.from_numpy(b.astype(np.float32)), padding=1)


def onnx_quantize(x, scale, zp, lo, hi):
    """ONNX QuantizeLinear: float32 division, round half to even, saturate."""
    return np.clip(np.rint(x / np.float32(scale)) + zp, lo, hi).astype(np.int64)


def onnx_requantize(acc, factor, zp, lo, hi):
    """ONNX Runtime's QLinear output: float32(acc) * float32 factor, round
    half to even, saturate."""
    return np.clip(np.rint(acc.astype(np.float32) * factor) + zp, lo, hi).astype(np.int64)


def int_conv(q, w, **kw):
    # Integer-valued float64 convolution is exact here (sums < 2^53).
    return F.conv2d(torch.from_numpy(q.astype(np.float64)),
                    torch.from_numpy(w.astype(np.float64)), **kw).numpy().astype(np.int64)


def qlinear_conv_reference(x, p):
    p = {k: v.numpy() for k, v in p.items()}
    q = onnx_quantize(x.numpy(), p["xs"], 128, 0, 255)
    acc = int_conv(q - 128, p["w"].astype(np.int64), stride=2, padding=1)
    acc += p["b"][None, :, None, None]
    factor = (np.float32(p["xs"]) * p["ws"].astype(np.float32)) / np.float32(p["ys"])
    yq = onnx_requantize(acc, factor[None, :, None, None], 100, 0, 255)
    return torch.from_numpy(((yq - 100) * np.float32(p["ys"])).astype(np.float32))


def qlinear_matmul_reference(x, p):
    p = {k: v.numpy() for k, v in p.items()}
    q = onnx_quantize(x.numpy(), p["xs"], -3, -128, 127)
    acc = (q + 3) @ p["w"].astype(np.int64)
    factor = np.float32(p["xs"]) * np.float32(p["ws"]) / np.float32(p["ys"])
    yq = onnx_requantize(acc, factor, 5, -128, 127)
    return torch.from_numpy(((yq - 5) * np.float32(p["ys"])).astype(np.float32))


def integer_ops_reference(x, p):
    p = {k: v.numpy() for k, v in p.items()}
    q = onnx_quantize(x.numpy(), p["xs"], 120, 0, 255)
    acc = int_conv(q - 120, p["w"].astype(np.int64) - 128, padding=1)
    return torch.from_numpy(acc.astype(np.float32) * np.float32(p["scale"]))


def matmul_integer_reference(x, p):
    p = {k: v.numpy() for k, v in p.items()}
    q = onnx_quantize(x.numpy(), p["xs"], 7, -128, 127)
    return torch.from_numpy(((q - 7) @ p["w"].astype(np.int64)).astype(np.float32))


HELPER_REFERENCES = {
    "qlinear_conv": qlinear_conv_reference,
    "qlinear_matmul": qlinear_matmul_reference,
    "integer_ops": integer_ops_reference,
    "matmul_integer": matmul_integer_reference,
    "qdq_conv": qdq_conv_reference,
    "batchnorm": lambda x, p: F.batch_norm(x, p["mean"], p["var"], p["s"], p["bias"], eps=1e-3),
    "clip": lambda x, p: torch.clamp(x, -1.5, 6.0),
    "leaky_relu": lambda x, p: F.leaky_relu(x, 0.2),
    "avgpool_count_pad": lambda x, p: F.avg_pool2d(x, 3, 1, 1, count_include_pad=True),
    "maxpool": lambda x, p: F.max_pool2d(x, 3, 2, 1),
    "global_avgpool": lambda x, p: F.adaptive_avg_pool2d(x, 1),
    "gemm": lambda x, p: 0.5 * x @ p["w"].T + 2.0 * p["c"],
    "pad": lambda x, p: F.pad(x, (0, 1, 1, 1), value=0.5),
    "softmax_opset11": lambda x, p: F.softmax(x.reshape(2, 12), 1).reshape(2, 3, 4),
    "conv_same_upper": lambda x, p: F.conv2d(F.pad(x, (0, 1, 0, 1)), p["w"], stride=2),
    "conv_strided_dilated": lambda x, p: F.conv2d(x, p["w"], stride=2, padding=2, dilation=2),
    "transpose": lambda x, p: x.permute(0, 2, 1),
    "reshape": lambda x, p: x.reshape(1, 6, 4),
}

for name, reference in HELPER_REFERENCES.items():
    proto = make_model.MODELS[name]()
    path = os.path.join(work, name + ".onnx")
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())
    dims = [d.dim_value or 1 for d in proto.graph.input[0].type.tensor_type.shape.dim]
    x = torch.randn(*dims) * 2
    if name == "qdq_conv":
        # Include exact quantization ties (x / 0.05 = k + 0.5) and values
        # beyond the uint8 range.
        x.view(-1)[:20] = (torch.arange(20) - 10 + 0.5) * 0.05
        x.view(-1)[20:24] = torch.tensor([10.0, -10.0, 7.0, -7.0])
    with torch.no_grad():
        report("helper:" + name, run_qopt(path, x.numpy()), reference(x, params(proto)).numpy())

# A model quantized by PyTorch itself (eager-mode post-training
# quantization, qnnpack) and exported by torch.onnx as QDQ (with
# ConstantOfShape / Cast / Constant scaffolding). ONNX's QDQ semantics (float
# conv of dequantized values, then QuantizeLinear) and PyTorch's integer
# kernel may round differently: require agreement within one quantization
# step everywhere and exact agreement on at least 99% of the outputs.
class PTQNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.dq = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dq(self.relu(self.conv(self.q(x))))


torch.backends.quantized.engine = "qnnpack"
ptq = PTQNet().eval()
ptq.qconfig = torch.ao.quantization.get_default_qconfig("qnnpack")
torch.ao.quantization.prepare(ptq, inplace=True)
for _ in range(4):
    ptq(torch.randn(8, 2, 6, 6))
torch.ao.quantization.convert(ptq, inplace=True)
x = torch.randn(16, 2, 6, 6)
path = os.path.join(work, "pytorch_ptq.onnx")
torch.onnx.export(ptq, x[:1], path, opset_version=13, input_names=["x"],
                  output_names=["y"])
got, ref = run_qopt(path, x.numpy()), ptq(x).numpy()
step = float(ptq.conv.scale)
exact = float((got == ref).mean())
worst = float(np.abs(got - ref).max())
ok = exact >= 0.99 and worst <= step * 1.0001
failures += not ok
print(f"{'ok  ' if ok else 'FAIL'} pytorch_ptq_qdq: {exact * 100:.2f}% identical, "
      f"max difference {worst / step:.2f} quantization step(s)")

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
