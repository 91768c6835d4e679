"""Reads the qopt.sensitivity attributes qopt-measure-sensitivity attached
and checks what must hold for measured data: one entry per width, noise
finite and positive, and (for these random layers) more noise at fewer bits.
Prints one line per layer: its widths and whether the noise is monotone."""
import re
import sys

text = open(sys.argv[1]).read()
found = re.findall(r"#qopt\.sensitivity<bits = \[([^\]]*)\], noise = \[([^\]]*)\]>", text)
for bits, noise in found:
    bits = [int(b) for b in bits.split(",")]
    noise = [float(n) for n in noise.split(",")]
    assert len(bits) == len(noise)
    assert all(0 < n < float("inf") for n in noise), noise
    order = sorted(range(len(bits)), key=lambda i: -bits[i])
    monotone = all(noise[order[i]] < noise[order[i + 1]] for i in range(len(order) - 1))
    print("layer bits=%s monotone=%s" % (bits, monotone))
