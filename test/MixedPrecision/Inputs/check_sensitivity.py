"""Reads the qopt.sensitivity attributes qopt-measure-sensitivity (and
qopt-measure-latency) attached and checks what must hold for measured data:
one entry per width, noise finite and positive, and (for these random
layers) more noise at fewer bits. Prints one line per layer: its widths and
whether the noise is monotone; with latencies, also whether they are all
positive and whether widths stored alike (2 bits; 3-4 bits as int4; 5-8
bits as int8) got the same time, as they run the same code. With
activation widths (8 and 16), also those, whether the 16-bit noise is far
below the 8-bit one, and the sharing per activation width."""
import re
import sys

text = open(sys.argv[1]).read()
found = re.findall(r"#qopt\.sensitivity<bits = \[([^\]]*)\], noise = \[([^\]]*)\]"
                   r"(?:, activation_bits = \[([^\]]*)\], activation_noise = \[([^\]]*)\])?"
                   r"(?:, latency = \[([^\]]*)\])?>", text)
for bits, noise, activations, activation_noise, latency in found:
    bits = [int(b) for b in bits.split(",")]
    noise = [float(n) for n in noise.split(",")]
    assert len(bits) == len(noise)
    assert all(0 < n < float("inf") for n in noise), noise
    order = sorted(range(len(bits)), key=lambda i: -bits[i])
    monotone = all(noise[order[i]] < noise[order[i + 1]] for i in range(len(order) - 1))
    line = "layer bits=%s monotone=%s" % (bits, monotone)
    # Latencies are per (weight width, activation width) pair.
    activations = [int(a) for a in activations.split(",")] if activations else [8]
    if activation_noise:
        activation_noise = [float(n) for n in activation_noise.split(",")]
        line += " activations=%s quieter-at-16=%s" % (
            activations, activation_noise[activations.index(16)] <
            activation_noise[activations.index(8)] / 1000)
    if latency:
        latency = [float(t) for t in latency.split(",")]
        assert len(latency) == len(bits) * len(activations)
        by_storage = {}
        pairs = [(b, a) for b in bits for a in activations]
        for (b, a), t in zip(pairs, latency):
            by_storage.setdefault((2 if b <= 2 else 4 if b <= 4 else 8, a), set()).add(t)
        line += " latency positive=%s storage-shared=%s" % (
            all(0 < t < 1e6 for t in latency),
            all(len(times) == 1 for times in by_storage.values()))
    print(line)
