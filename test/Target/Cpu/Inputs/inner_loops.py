"""Static instruction counts of the innermost loops of an assembly file
that contain a given instruction: for each loop (a label and the branch
back to it with no other label between), its instruction count and a
histogram by mnemonic.

  inner_loops.py FILE.s MNEMONIC

prints one line per such loop:
  loop .LBB0_3: 30 instructions, 16 sdot | sdot 16, add 5, ld1r 4, ...
"""
import collections
import re
import sys

path, key = sys.argv[1], sys.argv[2]
lines = [line.rstrip() for line in open(path)]
labels = {}
for i, line in enumerate(lines):
    m = re.match(r"^(\.LBB\w+):", line)
    if m:
        labels[m.group(1)] = i
for i, line in enumerate(lines):
    m = re.match(r"^\s+(b\.\w+|b|cbnz|cbz|tbnz|tbz)\s+.*?(\.LBB\w+)$", line)
    if not m:
        continue
    start = labels.get(m.group(2))
    if start is None or start > i:
        continue
    between = lines[start + 1:i]
    if any(re.match(r"^\.LBB", x) for x in between):
        continue
    ops = [x.split()[0] for x in lines[start + 1:i + 1]
           if x.startswith("\t") and not x.strip().startswith((".", "//"))]
    counts = collections.Counter(ops)
    if counts[key]:
        print(f"loop {m.group(2)}: {len(ops)} instructions, {counts[key]} {key} | " +
              ", ".join(f"{op} {n}" for op, n in counts.most_common()))
