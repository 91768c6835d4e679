#!/usr/bin/env python3
"""Where JIT-compiled qopt code spends its time, by loop.

perf cannot name the JIT's code (no perf map): this records a command with
QOPT_DUMP_OBJ set (JitKernel then writes the object it loaded), finds where
the object's .text was loaded (the base at which the most samples fall on
instruction starts), and sums the samples per innermost loop (a backward
branch's range), printing each hot loop's share and its first instructions.

  scripts/profile-jit.py [--top N] -- qopt-run model.mlir --codegen=x86 ...
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile


def record(command, scratch):
    obj = os.path.join(scratch, "jit.o")
    data = os.path.join(scratch, "perf.data")
    env = dict(os.environ, QOPT_DUMP_OBJ=obj)
    subprocess.run(["perf", "record", "-q", "-o", data, "--"] + command,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    script = subprocess.run(["perf", "script", "-i", data, "-F", "ip,dso"],
                            capture_output=True, text=True, check=True).stdout
    total, jit = 0, []
    for line in script.splitlines():
        fields = line.split(None, 1)
        if not fields:
            continue
        total += 1
        # perf names the JIT's pages "[JIT] tid N" or "/tmp/perf-N.map".
        if len(fields) > 1 and re.search(r"\[JIT\]|/perf-\d+\.map",
                                         fields[1]):
            jit.append(int(fields[0], 16))
    return obj, total, jit


def disassemble(obj):
    """[(offset, text)] of the object's code section: .text, or .ltext
    (the large code model the JIT uses for models with big constants)."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", obj],
                         capture_output=True, text=True, check=True).stdout
    sections = collections.defaultdict(list)
    section = None
    for line in out.splitlines():
        if m := re.match(r"Disassembly of section (\S+):", line):
            section = m.group(1)
        elif m := re.match(r"\s*([0-9a-f]+):\s+(.*)", line):
            sections[section].append((int(m.group(1), 16),
                                      m.group(2).strip()))
    return max(sections.values(), key=len, default=[])


def find_base(samples, offsets):
    """The load address of .text: of the page-aligned candidates below the
    lowest sample, the one putting most samples on instruction starts."""
    starts = set(offsets)
    low = min(samples) & ~0xFFF
    best, best_hits = low, -1
    for page in range(0, (offsets[-1] >> 12) + 2):
        base = low - (page << 12)
        hits = sum(1 for s in samples[:2000] if s - base in starts)
        if hits > best_hits:
            best, best_hits = base, hits
    return best


def loops(insns):
    """[(start, end)] of backward branches' ranges."""
    ranges = []
    for offset, text in insns:
        m = re.match(r"j\w+\s+([0-9a-f]+)\s", text + " ")
        if m and int(m.group(1), 16) <= offset:
            ranges.append((int(m.group(1), 16), offset))
    return ranges


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to profile")
    with tempfile.TemporaryDirectory() as scratch:
        obj, total, samples = record(command, scratch)
        if not samples:
            sys.exit("profile-jit: no samples in JIT code")
        insns = disassemble(obj)
        if not insns:
            sys.exit("profile-jit: no code in the dumped object")
    offsets = [o for o, _ in insns]
    base = find_base(samples, offsets)
    ranges = loops(insns)
    by_loop = collections.Counter()
    outside = 0
    for s in samples:
        offset = s - base
        inner = [r for r in ranges if r[0] <= offset <= r[1]]
        if inner:
            by_loop[min(inner, key=lambda r: r[1] - r[0])] += 1
        else:
            outside += 1
    jit = len(samples)
    print(f"{jit} of {total} samples in JIT code ({100 * jit / total:.1f}%); "
          f"shares below are of the JIT samples")
    print(f"outside any loop: {100 * outside / jit:.1f}%")
    for (start, end), count in by_loop.most_common(args.top):
        first = bisect.bisect_left(offsets, start)
        body = [t for o, t in insns[first:first + 6] if o <= end]
        print(f"{100 * count / jit:5.1f}%  loop {start:#x}-{end:#x} "
              f"({bisect.bisect_right(offsets, end) - first} insns): "
              + "; ".join(body))


if __name__ == "__main__":
    main()
