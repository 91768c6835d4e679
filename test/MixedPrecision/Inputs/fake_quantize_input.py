"""Quantizes the model input the way an activation width stands for, with
PyTorch as the reference: reads the input's calibrated range from the
measured IR, derives scale and zero point with PyTorch's MinMaxObserver
(int8 affine for width 8, the activation-policy's default; int16 symmetric
for width 16) and applies torch.fake_quantize_per_tensor_affine (round half
to even) to the first `count` samples.

usage: fake_quantize_input.py measured.mlir x.npy count outdir
writes outdir/x.npy (the samples) and outdir/x8.npy, outdir/x16.npy."""
import os
import re
import sys

import numpy as np
import torch

ir, samples, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
text = open(ir).read()
m = re.search(r"func\.func @\w+\(%arg0: [^{]*\{[^}]*qopt\.range = #qopt\.range<min = ([^,]+), max = ([^>,]+)", text)
lo, hi = float(m.group(1)), float(m.group(2))
x = torch.from_numpy(np.load(samples)[:count])
np.save(os.path.join(out, "x.npy"), x.numpy())
for bits, dtype, qmin, qmax, scheme in [
        (8, torch.qint8, -128, 127, torch.per_tensor_affine),
        (16, torch.qint32, -32768, 32767, torch.per_tensor_symmetric)]:
    observer = torch.ao.quantization.MinMaxObserver(
        dtype=dtype, quant_min=qmin, quant_max=qmax, qscheme=scheme)
    observer(torch.tensor([lo, hi]))
    scale, zero_point = observer.calculate_qparams()
    q = torch.fake_quantize_per_tensor_affine(
        x, float(scale), int(zero_point), qmin, qmax)
    np.save(os.path.join(out, "x%d.npy" % bits), q.numpy())
