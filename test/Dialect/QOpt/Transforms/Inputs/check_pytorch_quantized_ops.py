"""Bit-exactness of qopt's integer conv2d, linear and add.

For random quantized tensors, qopt compiles the QDQ form of each op with
qopt-convert-qdq-to-integer and executes it (qopt-run, JIT). Its stored
output integers are compared with:

* PyTorch's quantized ops (torch.nn.quantized.Conv2d / Linear,
  torch.ops.quantized.add) on the qnnpack and onednn engines, with qopt's
  fp32_rne profile (float32 multiplier fl(fl(s_x * s_w) / s_y), round half
  to even) and the same scales and zero points. PyTorch's qnnpack add is
  fixed point with ties away from zero, so it is compared with the
  double_round profile instead;
* TFLite's reference integer kernels, written out below from their
  definition (QuantizeMultiplier, SaturatingRoundingDoublingHighMul,
  RoundingDivideByPOT, the 8-bit add with a left shift of 20), with qopt's
  dyadic double_round profile.

PyTorch's onednn engine is a reference for conv2d and linear only on CPUs
with VNNI: without it, oneDNN sums adjacent byte products in saturating
int16 (vpmaddubsw), which full-range weights overflow (outputs off by up
to 12 were seen on an AVX2 Zen 3). There, `--onednn=saturating` (the test
passes it from lit's host features) skips those comparisons with a "skip"
line; the add does not multiply and is always compared.

Usage: check_pytorch_quantized_ops.py <qopt tools dir> <scratch dir>
           [--onednn=exact|saturating]
Prints one line per comparison: "ok", "FAIL" or "skip", the op, the
reference and the number of differing outputs (or why it was skipped).
"""
import math
import os
import subprocess
import sys

import numpy as np
import torch

tools, scratch = sys.argv[1], sys.argv[2]
onednn_mode = sys.argv[3] if len(sys.argv) > 3 else "--onednn=exact"
if onednn_mode not in ("--onednn=exact", "--onednn=saturating"):
    sys.exit(f"unknown option {onednn_mode}")
os.makedirs(scratch, exist_ok=True)
failed = False


def f32(x):
    return float(np.float32(x))


def fmt(values):
    return ", ".join(repr(float(v)) for v in np.asarray(values).ravel())


def report(what, reference, got, expected):
    global failed
    bad = int(np.count_nonzero(got != expected))
    status = "ok  " if bad == 0 else "FAIL"
    failed |= bad != 0
    print(f"{status} {what} vs {reference}: {bad} of {got.size} differ")


def gemm_engines(what):
    """The PyTorch engines whose int8 conv2d / linear are exact on this CPU
    (see the module's docstring), in the order of the report; says so, in
    its place, for the one that is not."""
    yield "qnnpack"
    if onednn_mode == "--onednn=exact":
        yield "onednn"
    else:
        print(f"skip {what} vs PyTorch onednn: this CPU has no VNNI, and "
              "oneDNN's int8 without it saturates int16 pair sums")


def run_qopt(name, mlir, inputs, profile):
    """Compiles `mlir` with the integer conversion of `profile` and runs it
    on `inputs` (float arrays); returns the float output."""
    src = os.path.join(scratch, f"{name}.mlir")
    with open(src, "w") as f:
        f.write(mlir)
    if profile == "fp32_rne":
        passes = "--qopt-convert-qdq-to-integer"
        extra = []
    else:
        passes = "--qopt-convert-qdq-to-integer=rounding=half_away_from_zero"
        extra = ["--qopt-requant-to-dyadic=rounding=double_round"]
    out_mlir = os.path.join(scratch, f"{name}.{profile}.int.mlir")
    subprocess.run([os.path.join(tools, "qopt"), src, passes, *extra,
                    "-o", out_mlir], check=True)
    with open(out_mlir) as f:
        text = f.read()
    # The op must have become integer: no float convolution/matmul/add left.
    assert "xf32>) -> tensor" not in text.split("qopt.quantize", 1)[-1] \
        .split("qopt.dequantize %")[0], f"{name}: not all integer"
    args = []
    for i, x in enumerate(inputs):
        path = os.path.join(scratch, f"{name}.in{i}.npy")
        np.save(path, x.astype(np.float32))
        args += ["--input", path]
    out = os.path.join(scratch, f"{name}.{profile}.out.npy")
    subprocess.run([os.path.join(tools, "qopt-run"), out_mlir, *args,
                    "--output", out], check=True, stdout=subprocess.DEVNULL)
    return np.load(out)


def stored(y, scale, zp):
    """The stored integers of a dequantized qopt output."""
    return np.rint(y.astype(np.float64) / scale).astype(np.int64) + zp


def dequantized_input(q, scale, zp):
    """Float values that quantize back to exactly `q`."""
    return (np.float32(scale) * (q.astype(np.float32) - np.float32(zp)))


# TFLite's reference requantization (tensorflow/lite/kernels/internal/
# common.h, quantization_util.cc), for int64 numpy arrays.
def quantize_multiplier(m):
    if m == 0:
        return 0, 0
    mant, exp = math.frexp(m)
    q = int(math.floor(abs(mant) * (1 << 31) + 0.5)) * (1 if mant > 0 else -1)
    if q == (1 << 31):
        q //= 2
        exp += 1
    if exp < -31:
        return 0, 0
    return q, exp


def srdhm(a, b):
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    s = ab + nudge
    return np.where(s >= 0, s // (1 << 31), -((-s) // (1 << 31)))


def rdbpot(x, e):
    mask = (1 << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (remainder > threshold)


def tflite_requantize(acc, multipliers, zp, qmin, qmax):
    out = np.empty_like(acc)
    for c, m in enumerate(multipliers):
        q, shift = quantize_multiplier(m)
        x = acc[..., c] * (1 << max(shift, 0))
        out[..., c] = rdbpot(srdhm(x, q), max(-shift, 0))
    return np.clip(out + zp, qmin, qmax)


rng = np.random.default_rng(7)
torch.manual_seed(7)


def quantized_type(scale, zp, unsigned=True):
    return f"!quant.uniform<{'u8' if unsigned else 'i8'}:f32, {scale!r}:{zp}>"


def per_channel_type(scales, axis):
    return f"!quant.uniform<i8:f32:{axis}, {{{fmt(scales)}}}>"


def dense_int(values):
    """An int8 dense literal (hex, in row-major order)."""
    return '"0x' + np.ascontiguousarray(values).astype(np.int8).tobytes() \
        .hex().upper() + '"'


# --- conv2d ---------------------------------------------------------------
for name, (C, H, W, O, K, stride, pad) in {
    "conv2d_3x3_pad1": (16, 9, 9, 24, 3, 1, 1),
    "conv2d_3x3_stride2": (8, 9, 9, 12, 3, 2, 1),
    "conv2d_1x1": (8, 5, 7, 12, 1, 1, 0),
}.items():
    sx, zx = f32(rng.uniform(0.005, 0.05)), int(rng.integers(0, 256))
    so, zo = f32(rng.uniform(0.02, 0.2)), int(rng.integers(0, 256))
    xq = rng.integers(0, 256, size=(1, C, H, W))
    wf = torch.randn(O, C, K, K) * 0.3
    sw = (wf.abs().amax(dim=(1, 2, 3)) / 127).float()
    w = torch.quantize_per_channel(wf, sw, torch.zeros(O, dtype=torch.long),
                                   0, torch.qint8)
    bias = (torch.randn(O) * 0.5).float()
    wq = w.int_repr().numpy().astype(np.int64)  # OIHW
    Ho = (H + 2 * pad - K) // stride + 1
    Wo = (W + 2 * pad - K) // stride + 1
    ohwi = np.transpose(wq, (0, 2, 3, 1))
    sws = [f32(s) for s in sw.tolist()]
    mlir = f"""
func.func @{name}(%x: tensor<1x{H}x{W}x{C}xf32>) -> tensor<1x{Ho}x{Wo}x{O}xf32> {{
  %xq = qopt.quantize %x rounding half_to_even : tensor<1x{H}x{W}x{C}xf32> -> tensor<1x{H}x{W}x{C}x{quantized_type(sx, zx)}>
  %xd = qopt.dequantize %xq : tensor<1x{H}x{W}x{C}x{quantized_type(sx, zx)}> -> tensor<1x{H}x{W}x{C}xf32>
  %wq = qopt.constant dense<{dense_int(ohwi)}> : tensor<{O}x{K}x{K}x{C}xi8> -> tensor<{O}x{K}x{K}x{C}x{per_channel_type(sws, 0)}>
  %w = qopt.dequantize %wq : tensor<{O}x{K}x{K}x{C}x{per_channel_type(sws, 0)}> -> tensor<{O}x{K}x{K}x{C}xf32>
  %b = "tosa.const"() {{values = dense<[{fmt(bias.numpy())}]> : tensor<{O}xf32>}} : () -> tensor<{O}xf32>
  %zp = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
  %y = tosa.conv2d %xd, %w, %b, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: {pad}, {pad}, {pad}, {pad}>, stride = array<i64: {stride}, {stride}>}} : (tensor<1x{H}x{W}x{C}xf32>, tensor<{O}x{K}x{K}x{C}xf32>, tensor<{O}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{Ho}x{Wo}x{O}xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x{Ho}x{Wo}x{O}xf32> -> tensor<1x{Ho}x{Wo}x{O}x{quantized_type(so, zo)}>
  %yd = qopt.dequantize %yq : tensor<1x{Ho}x{Wo}x{O}x{quantized_type(so, zo)}> -> tensor<1x{Ho}x{Wo}x{O}xf32>
  return %yd : tensor<1x{Ho}x{Wo}x{O}xf32>
}}
"""
    x_nhwc = dequantized_input(np.transpose(xq, (0, 2, 3, 1)), sx, zx)
    ours = {p: stored(run_qopt(name, mlir, [x_nhwc], p), so, zo)
            for p in ("fp32_rne", "double_round")}
    for engine in gemm_engines(f"{name} fp32_rne"):
        torch.backends.quantized.engine = engine
        conv = torch.nn.quantized.Conv2d(C, O, K, stride=stride, padding=pad)
        conv.set_weight_bias(w, bias)
        conv.scale, conv.zero_point = so, zo
        x = torch.quantize_per_tensor(
            torch.from_numpy(dequantized_input(xq, sx, zx)), sx, zx,
            torch.quint8)
        assert (x.int_repr().numpy() == xq).all()
        expected = np.transpose(conv(x).int_repr().numpy().astype(np.int64),
                                (0, 2, 3, 1))
        report(f"{name} fp32_rne", f"PyTorch {engine}", ours["fp32_rne"],
               expected)
    # TFLite reference: exact int32 accumulator (+ bias rounded to even at
    # s_x * s_w), MultiplyByQuantizedMultiplier, zero point, clamp.
    acc = torch.nn.functional.conv2d(
        torch.from_numpy(xq - zx).double(), torch.from_numpy(wq).double(),
        stride=stride, padding=0)
    if pad:
        padded = np.pad(xq - zx, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        acc = torch.nn.functional.conv2d(torch.from_numpy(padded).double(),
                                         torch.from_numpy(wq).double(),
                                         stride=stride)
    acc = np.transpose(acc.numpy().round().astype(np.int64), (0, 2, 3, 1))
    acc_scales = [sx * s for s in sws]
    bq = np.array([np.round(float(b) / s) for b, s in
                   zip(bias.numpy().astype(np.float64), acc_scales)],
                  dtype=np.int64)
    expected = tflite_requantize(acc + bq, [s / so for s in acc_scales], zo,
                                 0, 255)
    report(f"{name} double_round", "TFLite reference", ours["double_round"],
           expected)

def linear_mlir(name, M, K, N, sx, zx, so, zo, weights, storage, wtype, bias):
    """A QDQ fully-connected layer (matmul + bias add) with the weights
    `weights` (a dense literal of `storage` integers, [1, K, N]) of type
    `wtype`."""
    xt, wt, yt = (f"tensor<1x{M}x{K}", f"tensor<1x{K}x{N}",
                  f"tensor<1x{M}x{N}")
    return f"""
func.func @{name}(%x: {xt}xf32>) -> {yt}xf32> {{
  %xq = qopt.quantize %x rounding half_to_even : {xt}xf32> -> {xt}x{quantized_type(sx, zx)}>
  %xd = qopt.dequantize %xq : {xt}x{quantized_type(sx, zx)}> -> {xt}xf32>
  %wq = qopt.constant dense<{weights}> : {wt}x{storage}> -> {wt}x{wtype}>
  %w = qopt.dequantize %wq : {wt}x{wtype}> -> {wt}xf32>
  %b = "tosa.const"() {{values = dense<[[[{fmt(bias.numpy())}]]]> : tensor<1x1x{N}xf32>}} : () -> tensor<1x1x{N}xf32>
  %zp = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
  %mm = tosa.matmul %xd, %w, %zp, %zp : ({xt}xf32>, {wt}xf32>, tensor<1xf32>, tensor<1xf32>) -> {yt}xf32>
  %y = tosa.add %mm, %b : ({yt}xf32>, tensor<1x1x{N}xf32>) -> {yt}xf32>
  %yq = qopt.quantize %y rounding half_to_even : {yt}xf32> -> {yt}x{quantized_type(so, zo)}>
  %yd = qopt.dequantize %yq : {yt}x{quantized_type(so, zo)}> -> {yt}xf32>
  return %yd : {yt}xf32>
}}
"""


# --- linear ---------------------------------------------------------------
M, K, N = 7, 64, 19
sx, zx = f32(0.0371), 101
so, zo = f32(0.0913), 140
xq = rng.integers(0, 256, size=(M, K))
wf = torch.randn(N, K) * 0.2
sw = (wf.abs().amax(dim=1) / 127).float()
w = torch.quantize_per_channel(wf, sw, torch.zeros(N, dtype=torch.long), 0,
                               torch.qint8)
bias = (torch.randn(N) * 0.5).float()
wq = w.int_repr().numpy().astype(np.int64)
sws = [f32(s) for s in sw.tolist()]
mlir = linear_mlir("linear", M, K, N, sx, zx, so, zo, dense_int(wq.T[None]),
                   "i8", per_channel_type(sws, 2), bias)
ours = {p: stored(run_qopt("linear", mlir,
                           [dequantized_input(xq, sx, zx)[None]], p)[0],
                  so, zo)
        for p in ("fp32_rne", "double_round")}
for engine in gemm_engines("linear fp32_rne"):
    torch.backends.quantized.engine = engine
    lin = torch.nn.quantized.Linear(K, N)
    lin.set_weight_bias(w, bias)
    lin.scale, lin.zero_point = so, zo
    x = torch.quantize_per_tensor(
        torch.from_numpy(dequantized_input(xq, sx, zx)), sx, zx, torch.quint8)
    report("linear fp32_rne", f"PyTorch {engine}", ours["fp32_rne"],
           lin(x).int_repr().numpy().astype(np.int64))
acc = (xq - zx) @ wq.T
acc_scales = [sx * s for s in sws]
bq = np.array([np.round(float(b) / s) for b, s in
               zip(bias.numpy().astype(np.float64), acc_scales)],
              dtype=np.int64)
report("linear double_round", "TFLite reference", ours["double_round"],
       tflite_requantize(acc + bq, [s / so for s in acc_scales], zo, 0, 255))

# --- per-group int4 weights ------------------------------------------------
# Weights u[c] * m * q: int4 q, groups of G along the summed axis (linear:
# K; conv2d: the input channels), integer sub-scales m in [1, 16] of one
# unit u[c] per output channel (the form qopt-insert-qdq gives them; each
# channel's largest group has m = 16). qopt gets them as a sub-channel
# type; PyTorch and the TFLite reference get the dequantized float weights
# quantized per channel at u[c], which is exactly m * q.
G = 8


def group_units(count):
    """Units with 14 significant bits, so that u * m * q is exact in f32."""
    return rng.integers(2000, 10000, size=count) / float(1 << 20)


def group_multipliers(channels, groups):
    m = rng.integers(1, 17, size=(channels, groups))
    m[:, 0] = 16
    return m


def nested(a):
    """A dense literal of a float array of any rank, nested braces."""
    if a.ndim == 0:
        return repr(float(a))
    return "{" + ", ".join(nested(x) for x in a) + "}"


def check_per_group(name, mlir, x_qopt, x_torch, module, wf, u, bias, sx, acc,
                    so, zo, to_qopt_layout):
    ours = {p: stored(run_qopt(name, mlir, [x_qopt], p), so, zo)
            for p in ("fp32_rne", "double_round")}
    w = torch.quantize_per_channel(wf, torch.from_numpy(u),
                                   torch.zeros(len(u), dtype=torch.long), 0,
                                   torch.qint8)
    for engine in gemm_engines(f"{name} fp32_rne"):
        torch.backends.quantized.engine = engine
        module.set_weight_bias(w, bias)
        module.scale, module.zero_point = so, zo
        report(f"{name} fp32_rne", f"PyTorch {engine}", ours["fp32_rne"],
               to_qopt_layout(module(x_torch).int_repr().numpy())
               .astype(np.int64))
    acc_scales = [sx * s for s in u]
    bq = np.array([np.round(float(b) / s) for b, s in
                   zip(bias.numpy().astype(np.float64), acc_scales)],
                  dtype=np.int64)
    report(f"{name} double_round", "TFLite reference", ours["double_round"],
           tflite_requantize(acc + bq, [s / so for s in acc_scales], zo, 0,
                             255))


# Linear: weights [1, K, N], groups {1: G}, scales [1, K / G, N].
M, K, N = 5, 64, 19
sx, zx = f32(0.0297), 117
so, zo = f32(0.0611), 133
xq = rng.integers(0, 256, size=(M, K))
q = rng.integers(-8, 8, size=(N, K))
u = group_units(N)
m = group_multipliers(N, K // G)
wf = torch.from_numpy(u[:, None] * np.repeat(m, G, axis=1) * q).float()
bias = (torch.randn(N) * 0.5).float()
scales = (u[None, :] * m.T)[None]  # [1, K / G, N]
wtype = f"!quant.uniform<i4:f32:{{1:{G}, 2:1}}, {nested(scales)}>"
q_literal = ", ".join("[" + ", ".join(str(v) for v in row) + "]"
                      for row in q.T)
mlir = linear_mlir("linear_per_group", M, K, N, sx, zx, so, zo,
                   f"[[{q_literal}]]", "i4", wtype, bias)
x = dequantized_input(xq, sx, zx)
check_per_group("linear_per_group", mlir, x[None],
                torch.quantize_per_tensor(torch.from_numpy(x), sx, zx,
                                          torch.quint8),
                torch.nn.quantized.Linear(K, N), wf, u, bias, sx,
                (xq - zx) @ (np.repeat(m, G, axis=1) * q).T, so, zo,
                lambda y: y)

# conv2d 3x3, pad 1: weights OHWI, groups {0: 1, 3: G} shared by the taps,
# scales [O, 1, 1, C / G].
C, H, W, O = 32, 7, 7, 12
sx, zx = f32(0.0213), 98
so, zo = f32(0.0877), 121
xq = rng.integers(0, 256, size=(1, C, H, W))
q = rng.integers(-8, 8, size=(O, C, 3, 3))
u = group_units(O)
m = group_multipliers(O, C // G)
wint = np.repeat(m, G, axis=1)[:, :, None, None] * q  # OIHW, m * q
wf = torch.from_numpy(u[:, None, None, None] * wint).float()
bias = (torch.randn(O) * 0.5).float()
scales = (u[:, None] * m)[:, None, None, :]
wtype = f"!quant.uniform<i4:f32:{{0:1, 3:{G}}}, {nested(scales)}>"
ohwi = np.transpose(q, (0, 2, 3, 1))
xt, wt = f"tensor<1x{H}x{W}x{C}", f"tensor<{O}x3x3x{C}"
mlir = f"""
func.func @conv2d_per_group(%x: {xt}xf32>) -> tensor<1x{H}x{W}x{O}xf32> {{
  %xq = qopt.quantize %x rounding half_to_even : {xt}xf32> -> {xt}x{quantized_type(sx, zx)}>
  %xd = qopt.dequantize %xq : {xt}x{quantized_type(sx, zx)}> -> {xt}xf32>
  %wq = qopt.constant dense<{nested(ohwi).replace("{", "[").replace("}", "]").replace(".0", "")}> : {wt}xi4> -> {wt}x{wtype}>
  %w = qopt.dequantize %wq : {wt}x{wtype}> -> {wt}xf32>
  %b = "tosa.const"() {{values = dense<[{fmt(bias.numpy())}]> : tensor<{O}xf32>}} : () -> tensor<{O}xf32>
  %zp = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
  %y = tosa.conv2d %xd, %w, %b, %zp, %zp {{acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}} : ({xt}xf32>, {wt}xf32>, tensor<{O}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{H}x{W}x{O}xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<1x{H}x{W}x{O}xf32> -> tensor<1x{H}x{W}x{O}x{quantized_type(so, zo)}>
  %yd = qopt.dequantize %yq : tensor<1x{H}x{W}x{O}x{quantized_type(so, zo)}> -> tensor<1x{H}x{W}x{O}xf32>
  return %yd : tensor<1x{H}x{W}x{O}xf32>
}}
"""
padded = np.pad(xq - zx, ((0, 0), (0, 0), (1, 1), (1, 1)))
acc = torch.nn.functional.conv2d(torch.from_numpy(padded).double(),
                                 torch.from_numpy(wint).double())
acc = np.transpose(acc.numpy().round().astype(np.int64), (0, 2, 3, 1))
check_per_group("conv2d_per_group", mlir,
                dequantized_input(np.transpose(xq, (0, 2, 3, 1)), sx, zx),
                torch.quantize_per_tensor(
                    torch.from_numpy(dequantized_input(xq, sx, zx)), sx, zx,
                    torch.quint8),
                torch.nn.quantized.Conv2d(C, O, 3, padding=1), wf, u, bias,
                sx, acc, so, zo, lambda y: np.transpose(y, (0, 2, 3, 1)))

# --- add ------------------------------------------------------------------
# Random scales, then power-of-two scales where many outputs are exact
# ties: there float addition with ties to even and fixed-point addition with
# ties away from zero disagree, and each qopt profile must side with its
# reference.
L = 4096
for name, (sa, za, sb, zb, so, zo) in {
    "add": (f32(0.0313), 121, f32(0.0177), 137, f32(0.0429), 126),
    "add_ties": (0.25, 128, 0.125, 120, 0.5, 130),
}.items():
    aq = rng.integers(0, 256, size=(L,))
    bq_ = rng.integers(0, 256, size=(L,))
    ta, tb, to = (quantized_type(sa, za), quantized_type(sb, zb),
                  quantized_type(so, zo))
    mlir = f"""
func.func @add(%a: tensor<{L}xf32>, %b: tensor<{L}xf32>) -> tensor<{L}xf32> {{
  %aq = qopt.quantize %a rounding half_to_even : tensor<{L}xf32> -> tensor<{L}x{ta}>
  %ad = qopt.dequantize %aq : tensor<{L}x{ta}> -> tensor<{L}xf32>
  %bq = qopt.quantize %b rounding half_to_even : tensor<{L}xf32> -> tensor<{L}x{tb}>
  %bd = qopt.dequantize %bq : tensor<{L}x{tb}> -> tensor<{L}xf32>
  %s = tosa.add %ad, %bd : (tensor<{L}xf32>, tensor<{L}xf32>) -> tensor<{L}xf32>
  %sq = qopt.quantize %s rounding half_to_even : tensor<{L}xf32> -> tensor<{L}x{to}>
  %sd = qopt.dequantize %sq : tensor<{L}x{to}> -> tensor<{L}xf32>
  return %sd : tensor<{L}xf32>
}}
"""
    inputs = [dequantized_input(aq, sa, za), dequantized_input(bq_, sb, zb)]
    ours = {p: stored(run_qopt(name, mlir, inputs, p), so, zo)
            for p in ("fp32_rne", "double_round")}
    pytorch = {}
    for engine in ("qnnpack", "onednn"):
        torch.backends.quantized.engine = engine
        a = torch.quantize_per_tensor(torch.from_numpy(inputs[0]), sa, za,
                                      torch.quint8)
        b = torch.quantize_per_tensor(torch.from_numpy(inputs[1]), sb, zb,
                                      torch.quint8)
        pytorch[engine] = torch.ops.quantized.add(a, b, so, zo).int_repr() \
            .numpy().astype(np.int64)
    # PyTorch's onednn engine adds in float32 and rounds ties to even (the
    # fp32_rne profile); its qnnpack engine adds in fixed point and rounds
    # ties away from zero, as TFLite does (the double_round profile).
    report(f"{name} fp32_rne", "PyTorch onednn", ours["fp32_rne"],
           pytorch["onednn"])
    report(f"{name} double_round", "PyTorch qnnpack", ours["double_round"],
           pytorch["qnnpack"])
    # TFLite's reference add (kernels/add.cc, 8-bit): left shift 20, inputs
    # rescaled to twice the larger scale, summed, output rescaled.
    twice_max = 2 * max(sa, sb)
    left = 1 << 20
    a_m = quantize_multiplier(sa / twice_max)
    b_m = quantize_multiplier(sb / twice_max)
    a_s = rdbpot(srdhm((aq - za) * left, a_m[0]), -a_m[1])
    b_s = rdbpot(srdhm((bq_ - zb) * left, b_m[0]), -b_m[1])
    tflite = tflite_requantize((a_s + b_s)[:, None],
                               [twice_max / (left * so)], zo, 0, 255)[:, 0]
    report(f"{name} double_round", "TFLite reference", ours["double_round"],
           tflite)
    print(f"     {name}: PyTorch's engines differ on "
          f"{int(np.count_nonzero(pytorch['onednn'] != pytorch['qnnpack']))}"
          " outputs")

# --- sigmoid, tanh (lookup tables) ----------------------------------------
# All 256 int8 inputs through tosa.table; the reference quantizes numpy's
# float64 function values (round half to even).
codes = np.arange(-128, 128)
for fn, numpy_fn, (si, zi, so, zo) in [
        ("sigmoid", lambda v: 1 / (1 + np.exp(-v)), (0.05, 3, 1 / 255, -128)),
        ("tanh", np.tanh, (0.02, -7, 2 / 255, 0))]:
    ti, to = quantized_type(si, zi, False), quantized_type(so, zo, False)
    mlir = f"""
func.func @{fn}(%x: tensor<256xf32>) -> tensor<256xf32> {{
  %q = qopt.quantize %x rounding half_to_even : tensor<256xf32> -> tensor<256x{ti}>
  %d = qopt.dequantize %q : tensor<256x{ti}> -> tensor<256xf32>
  %y = tosa.{fn} %d : (tensor<256xf32>) -> tensor<256xf32>
  %yq = qopt.quantize %y rounding half_to_even : tensor<256xf32> -> tensor<256x{to}>
  %yd = qopt.dequantize %yq : tensor<256x{to}> -> tensor<256xf32>
  return %yd : tensor<256xf32>
}}
"""
    ours = stored(run_qopt(fn, mlir, [dequantized_input(codes, si, zi)],
                           "fp32_rne"), so, zo)
    x = np.float32(si) * (codes - zi).astype(np.float32)
    expected = np.clip(np.rint(numpy_fn(x.astype(np.float64)) / so) + zo,
                       -128, 127).astype(np.int64)
    report(f"{fn} table", "numpy float64", ours, expected)

sys.exit(1 if failed else 0)
