"""Writes one MLIR function computing many int8 GEMM cases at once, a C
driver for it and its input bytes, so that one qopt-compile per target
covers every case; outputs of different targets are then compared byte for
byte.

  gemm_cases.py OUT_DIR  ->  OUT_DIR/cases.mlir, driver.c, inputs.bin

The cases are those of the x86 execution tests (unittests/Conversion/
Int8MatMulToKernels): odd M/N/K (K = 1, M = 1), the int8 extremes with
extreme zero points (|sum| up to 128 * 127 * 600), convolutions (padding,
stride, dilation, C = 3, C = 80, pointwise), int4, int2 and per-group int4
weights, and requantizations fused into the kernels' stores (fp32_rne per channel; double_round and single_round
dyadic rescales with shifts 12..40: on AArch64 the sqrdmulh / srshl and
smull / srshl / sqxtn forms).
"""
import os
import random
import sys

out_dir = sys.argv[1]
rng = random.Random(20261122)


def hexbytes(values):
    return '"0x' + bytes(v & 0xFF for v in values).hex().upper() + '"'


def tensor(shape, element):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + element + ">"


def const(name, shape, element, text):
    t = tensor(shape, element)
    return f'  %{name} = "tosa.const"() {{values = dense<{text}> : {t}}} : () -> {t}\n'


args, results, body, inputs = [], [], [], []


def add_input(shape, kind):
    """kind: 'random', 'min' (-128) or 'max' (127)."""
    n = 1
    for d in shape:
        n *= d
    values = {"random": lambda: rng.randint(-128, 127), "min": lambda: -128,
              "min128": lambda: -128, "max": lambda: 127}[kind]
    inputs.append([values() for _ in range(n)])
    args.append(tensor(shape, "i8"))
    return f"%arg{len(args) - 1}"


# The values int4 weights take: all of int4, or [-2, 1] for 2-bit / ternary
# weights (still TOSA int4, which the kernels pack four per byte).
i4_range = (-8, 7)


def weights(count, kind, element="i8"):
    if element == "i4":
        lo, hi = i4_range
        low, high = {"min": (lo, lo), "max": (hi, hi)}.get(kind, (lo, hi))
        return [rng.randint(low, high) for _ in range(count)]
    if kind == "min":
        return [-127] * count
    if kind == "min128":
        return [-128] * count
    if kind == "max":
        return [127] * count
    return [rng.randint(-127, 127) for _ in range(count)]


def group_scaled(values, group_of, kind):
    """int8 weights m * q from int4 `values` q: one m in [1, 16] (16 for
    the extremes) per group, `group_of(index)` naming an element's group,
    as per-group int4 layers reach the kernels."""
    multipliers = {}
    scaled = []
    for j, q in enumerate(values):
        g = group_of(j)
        if g not in multipliers:
            multipliers[g] = rng.randint(1, 16) if kind == "random" else 16
        scaled.append(q * multipliers[g])
    return scaled


def matmul(m, k, n, zp, kind="random", element="i8", group=0):
    """`element` i4: TOSA int4 weights (packed two per byte by the kernels;
    one byte per value in the hex literal). `group`: int8 weights m * q with
    int4 q and one m per column and group of `group` depths."""
    i = len(results)
    a = add_input([1, m, k], "min" if kind == "min" else
                  "max" if kind == "max" else "random")
    values = weights(k * n, kind, "i4" if group else element)
    if group:
        values = group_scaled(values, lambda j: (j // n // group, j % n), kind)
    body.append(const(f"w{i}", [1, k, n], element, hexbytes(values)))
    body.append(const(f"zp{i}", [1], "i8", str(zp)))
    body.append(const(f"wzp{i}", [1], element, "0"))
    r = tensor([1, m, n], "i32")
    body.append(f"  %r{i} = tosa.matmul {a}, %w{i}, %zp{i}, %wzp{i} : "
                f"({tensor([1, m, k], 'i8')}, {tensor([1, k, n], element)}, "
                f"tensor<1xi8>, tensor<1x{element}>) -> {r}\n")
    results.append((f"%r{i}", r))


def conv(n, h, w, c, o, kh, kw, stride, pad, dilation, zp, requant=None,
         shift_base=31, depthwise=False, element="i8", group=0):
    """tosa.conv2d, or with `depthwise` tosa.depthwise_conv2d (multiplier
    1, o == c). `group`: int8 weights m * q with int4 q and one m per
    output channel, tap and group of `group` input channels."""
    i = len(results)
    x = add_input([n, h, w, c], "random")
    ho = (h + 2 * pad - dilation * (kh - 1) - 1) // stride + 1
    wo = (w + 2 * pad - dilation * (kw - 1) - 1) // stride + 1
    wt = [kh, kw, c, 1] if depthwise else [o, kh, kw, c]
    count = kh * kw * c * (1 if depthwise else o)
    values = weights(count, "random", "i4" if group else element)
    if group:
        values = group_scaled(values, lambda j: j // group, "random")
    body.append(const(f"w{i}", wt, element, hexbytes(values)))
    bias = ", ".join(str(rng.randint(-128, 127) * 50) for _ in range(o))
    body.append(const(f"b{i}", [o], "i32", f"[{bias}]"))
    body.append(const(f"zp{i}", [1], "i8", str(zp)))
    body.append(const(f"wzp{i}", [1], element, "0"))
    acc = tensor([n, ho, wo, o], "i32")
    body.append(
        f"  %y{i} = tosa.{'depthwise_conv2d' if depthwise else 'conv2d'} {x}, %w{i}, %b{i}, %zp{i}, %wzp{i} {{acc_type = i32, "
        f"dilation = array<i64: {dilation}, {dilation}>, pad = array<i64: {pad}, {pad}, "
        f"{pad}, {pad}>, stride = array<i64: {stride}, {stride}>}} : "
        f"({tensor([n, h, w, c], 'i8')}, {tensor(wt, element)}, tensor<{o}xi32>, "
        f"tensor<1xi8>, tensor<1x{element}>) -> {acc}\n")
    if requant is None:
        results.append((f"%y{i}", acc))
        return
    out = tensor([n, ho, wo, o], "i8")
    dims = f"{n}x{ho}x{wo}x{o}"
    if requant == "fp32_rne":
        scales = ", ".join(repr(1e-4 * (1 + j % 7) * (10 if j % 2 else 1)) for j in range(o))
        acc_q = f"tensor<{dims}x!quant.uniform<i32:f32:3, {{{scales}}}>>"
        out_q = f"tensor<{dims}x!quant.uniform<i8:f32, 0.05:-7>>"
        body.append(f"  %q{i} = quant.scast %y{i} : {acc} to {acc_q}\n")
        body.append(f"  %rq{i} = qopt.requantize %q{i} rounding fp32_rne : {acc_q} -> {out_q}\n")
        body.append(f"  %s{i} = quant.scast %rq{i} : {out_q} to {out}\n")
    else:
        mults = ", ".join(str(rng.randint(1 << 30, (1 << 31) - 1)) for _ in range(o))
        shifts = ", ".join(str(shift_base + j % 10) for j in range(o))
        body.append(f"  %s{i} = qopt.rescale %y{i} multiplier [{mults}] shift [{shifts}] "
                    f"axis 3 rounding {requant} {{output_zp = -7 : i64}} : {acc} -> {out}\n")
    results.append((f"%s{i}", out))


# Odd shapes (x86 tests' OddShapes), K blocks, extremes.
for m, k, n, zp in [(1, 1, 1, 0), (1, 64, 64, 3), (7, 5, 18, -3), (13, 33, 47, 100),
                    (6, 4, 64, -128), (25, 130, 97, 127), (64, 64, 64, 1),
                    (3, 1, 200, -7), (9, 602, 40, 17)]:
    matmul(m, k, n, zp)
for kind in ["min", "max"]:
    for zp in [-128, 0, 127]:
        matmul(7, 600, 35, zp, kind)
# Weights of -128 against -128: adjacent products sum to 2^15, past int16
# (NEON without sdot must not add them in int16 here).
matmul(7, 600, 35, 0, "min128")
# Convolutions (the x86 tests' kConvCases).
for case in [(1, 8, 8, 16, 32, 3, 3, 1, 1, 1, -3), (1, 9, 9, 8, 24, 3, 3, 2, 1, 1, 5),
             (2, 6, 5, 32, 20, 1, 1, 1, 0, 1, 0), (1, 9, 9, 16, 16, 1, 1, 2, 0, 1, 7),
             (1, 10, 10, 3, 17, 3, 3, 1, 1, 1, -128), (1, 7, 7, 80, 12, 3, 3, 1, 1, 1, 127),
             (1, 11, 11, 8, 8, 3, 3, 1, 2, 2, 1)]:
    conv(*case)
# Requantizations fused into the stores.
conv(1, 6, 5, 64, 48, 1, 1, 1, 0, 1, 9, "fp32_rne")
conv(1, 6, 5, 600, 37, 1, 1, 1, 0, 1, 9, "fp32_rne")
conv(1, 6, 5, 600, 37, 1, 1, 1, 0, 1, 9, "double_round")
conv(1, 6, 5, 20, 16, 1, 1, 1, 0, 1, 9, "single_round")
# Small shifts: products far past int32 (single_round's saturating narrow)
# and double_round's left shifts.
conv(1, 6, 5, 64, 24, 1, 1, 1, 0, 1, -5, "single_round", shift_base=12)
conv(1, 6, 5, 64, 24, 1, 1, 1, 0, 1, -5, "double_round", shift_base=22)
# Depthwise 3x3 (the vector kernel), plain and with a fused rescale.
conv(1, 9, 9, 20, 20, 3, 3, 1, 1, 1, 3, depthwise=True)
conv(1, 9, 9, 20, 20, 3, 3, 2, 1, 1, -9, "double_round", depthwise=True)

# int4 weights (packed two per byte, unpacked in registers): odd shapes,
# -8 / 7 everywhere, a 3x3 and a pointwise convolution, a depthwise one
# (unpacked at compile time) and a fused requantization.
for m, k, n, zp in [(1, 1, 1, 0), (7, 5, 18, -3), (13, 33, 47, 100), (9, 602, 40, 17)]:
    matmul(m, k, n, zp, element="i4")
for kind, zp in [("min", -128), ("max", 127)]:
    matmul(7, 600, 35, zp, kind, element="i4")
conv(1, 8, 8, 16, 32, 3, 3, 1, 1, 1, -3, element="i4")
conv(2, 6, 5, 32, 20, 1, 1, 1, 0, 1, 0, element="i4")
conv(1, 9, 9, 20, 20, 3, 3, 1, 1, 1, 3, depthwise=True, element="i4")
conv(1, 6, 5, 600, 37, 1, 1, 1, 0, 1, 9, "double_round", element="i4")

# Per-group int4 weights (int8 m * q, stored as packed q plus one m per
# group and column): M = 1, odd shapes, -128 = 16 x -8 everywhere, a 3x3
# convolution with groups of 16 channels per tap, a fused requantization.
matmul(1, 64, 64, 3, group=32)
matmul(13, 96, 47, 100, group=32)
matmul(7, 640, 35, -128, "min", group=32)
conv(1, 8, 8, 32, 24, 3, 3, 1, 1, 1, -3, group=16)
conv(1, 6, 5, 64, 37, 1, 1, 1, 0, 1, 9, "double_round", group=32)

# 2-bit / ternary weights (values in [-2, 1], packed four per byte): odd
# shapes, K = 1, -2 everywhere, a 3x3 convolution.
i4_range = (-2, 1)
for m, k, n, zp in [(1, 1, 1, 0), (7, 5, 18, -3), (9, 602, 40, 17)]:
    matmul(m, k, n, zp, element="i4")
matmul(7, 600, 35, -128, "min", element="i4")
conv(1, 8, 8, 16, 32, 3, 3, 1, 1, 1, -3, element="i4")

with open(os.path.join(out_dir, "cases.mlir"), "w") as f:
    f.write("func.func @cases(" + ", ".join(f"%arg{j}: {t}" for j, t in enumerate(args)) +
            ") -> (" + ", ".join(t for _, t in results) + ") {\n")
    f.writelines(body)
    f.write("  return " + ", ".join(v for v, _ in results) + " : " +
            ", ".join(t for _, t in results) + "\n}\n")

with open(os.path.join(out_dir, "inputs.bin"), "wb") as f:
    for values in inputs:
        f.write(bytes(v & 0xFF for v in values))


def count(t):
    n = 1
    for d in t[len("tensor<"):].split("x")[:-1]:
        n *= int(d)
    return n


def ctype(t):
    return "int32_t" if t.endswith("xi32>") else "int8_t"


with open(os.path.join(out_dir, "driver.c"), "w") as f:
    f.write('/* Generated by gemm_cases.py. */\n#include "cases.h"\n\n#include <stdio.h>\n\n')
    for j, t in enumerate(args):
        f.write(f"static int8_t in{j}[{count(t)}];\n")
    for j, (_, t) in enumerate(results):
        f.write(f"static {ctype(t)} out{j}[{count(t)}];\n")
    f.write("\nint main(int argc, char **argv) {\n"
            "  if (argc != 3) {\n"
            '    fprintf(stderr, "usage: %s inputs.bin outputs.bin\\n", argv[0]);\n'
            "    return 2;\n  }\n"
            '  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");\n'
            "#ifdef QOPT_CASES_USES_AMX\n"
            "  if (cases_request_amx() != 0) {\n"
            '    perror("arch_prctl(ARCH_REQ_XCOMP_PERM)");\n'
            "    return 1;\n  }\n#endif\n"
            "  if (!in || !out) {\n    perror(\"fopen\");\n    return 1;\n  }\n")
    for j, _ in enumerate(args):
        f.write(f"  if (fread(in{j}, sizeof in{j}, 1, in) != 1) return 1;\n")
    f.write("  cases(" + ", ".join([f"in{j}" for j in range(len(args))] +
                                   [f"out{j}" for j in range(len(results))]) + ");\n")
    for j, _ in enumerate(results):
        f.write(f"  fwrite(out{j}, sizeof out{j}, 1, out);\n")
    f.write(f'  fclose(in);\n  fclose(out);\n  printf("cases: {len(results)} outputs\\n");\n'
            "  return 0;\n}\n")
