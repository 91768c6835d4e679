"""Compares the activation noise qopt-measure-sensitivity recorded for the
model input (on the first layer, which reads it) with the one measured by
running the float model on PyTorch-quantized inputs:
sum((y_b - y)^2) / sum(y^2) for b = 8, 16.

usage: compare_activation_noise.py measured.mlir y.npy y8.npy y16.npy"""
import re
import sys

import numpy as np

text = open(sys.argv[1]).read()
recorded = [list(map(float, m.group(1).split(", "))) for m in re.finditer(
    r"activation_bits = \[8, 16\], activation_noise = \[([^]]*)\]", text)]
print("activations measured on %d layers" % len(recorded))
y, y8, y16 = (np.load(f).astype(np.float64) for f in sys.argv[2:5])
signal = np.sum(y * y)
for bits, yb, mine in [(8, y8, recorded[0][0]), (16, y16, recorded[0][1])]:
    reference = np.sum((yb - y) ** 2) / signal
    print("input at %d bits: relative difference %s" %
          (bits, "below 1e-6" if abs(mine - reference) <= 1e-6 * reference
           else "%.3g (qopt %g, reference %g)" % (abs(mine - reference) / reference, mine, reference)))
for i, (n8, n16) in enumerate(recorded):
    print("layer %d: 0 < noise16 < noise8 / 1000: %s" % (i, 0 < n16 < n8 / 1000))
