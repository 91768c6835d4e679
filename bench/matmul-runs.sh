#!/usr/bin/env bash
# Runs qopt-bench-matmul `runs` times (default 5, each `reps` alternating
# rounds, default 51) and prints, per shape, the median of the runs'
# qopt/oneDNN ratios and their range. On a shared VM the ratio of one run
# moves by +-5% from run to run (buffer placement, neighbours), more than
# within a run; the median over runs is what the notes report. Extra
# environment (QOPT_BENCH_KERNEL=amx, QOPT_BENCH_SHAPES=...) passes through.
#   bench/matmul-runs.sh [build dir] [runs] [reps]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
runs="${2:-5}"
reps="${3:-51}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# The benchmark exits non-zero when the two libraries' results differ
# (oneDNN's AVX2 kernels saturate with QOPT_BENCH_FULL_WEIGHTS=1): still
# summarize, and say so.
differ=0
for ((r = 0; r < runs; ++r)); do
  "$build/bench/qopt-bench-matmul" "$reps" >>"$out" || differ=1
done
grep -m1 "^qopt kernel" "$out"
/usr/bin/python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
ratios, peaks = {}, []
for line in open(sys.argv[1]):
    if m := re.match(r".* peak \(measured, 1 core\): ([\d.]+)", line):
        peaks.append(float(m.group(1)))
    elif m := re.match(r"sum of layers\s+\S+\s+\S+\s+([\d.]+)", line):
        ratios.setdefault("sum of ResNet layers", []).append(float(m.group(1)))
    elif m := re.match(r"(\S+(?: \S+)?)\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s", line):
        ratios.setdefault(m.group(1), []).append(float(m.group(2)))
print(f"qopt/oneDNN over {sys.argv[2]} runs (peak {min(peaks):.0f}-{max(peaks):.0f} GOPS)")
for name, values in ratios.items():
    print(f"{name:22s} median {statistics.median(values):.2f}  "
          f"range {min(values):.2f}-{max(values):.2f}")
PY
if [ "$differ" -ne 0 ]; then
  echo "results differed (RESULTS DIFFER) on:"
  grep "RESULTS DIFFER" "$out" | sed 's/ \+[0-9.]\+ \+[0-9.]\+ .*//; s/^/  /' | sort -u
  exit 1
fi
