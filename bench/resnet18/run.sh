#!/usr/bin/env bash
# Whole-model latency of a ResNet-18 (random weights) at batch 1, single
# thread: qopt's float reference, qopt's int8 graph (qopt-ptq) through the
# reference lowering and through --codegen=x86 (on the host's best kernels,
# and with AMX disabled), and PyTorch's own float and int8 (FX PTQ,
# onednn, which uses AMX where the CPU has it). The fast configurations
# run in turns, `rounds` times (default 5), and each prints its median and
# range over the rounds, so that the machine's noise hits all of them
# alike. qopt's numbers exclude compilation; the x86 and reference int8
# outputs are checked byte-identical.
#   bench/resnet18/run.sh [build dir] [rounds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${1:-$root/build}"
rounds="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1

/usr/bin/python3 "$root/bench/resnet18/resnet18.py" export "$work" 2>/dev/null
"$build/bin/qopt-import" "$work/resnet18.onnx" -o "$work/float.mlir"
"$build/bin/qopt" "$work/float.mlir" --qopt-ptq="data=$work/data.npz:calib" \
  -o "$work/int8.mlir"
per_image() { awk '/samples in/ {printf "%.1f\n", 1000 * $5 / $2}'; }
echo "qopt float (reference lowering): $("$build/bin/qopt-run" "$work/float.mlir" \
  --input "$work/data.npz:test" 2>&1 | per_image) ms/image"
echo "qopt int8 (reference lowering):  $("$build/bin/qopt-run" "$work/int8.mlir" \
  --input "$work/data.npz:test" --output "$work/ref.npy" 2>&1 | per_image) ms/image"
"$build/bin/qopt-run" "$work/int8.mlir" --codegen=x86 \
  --input "$work/data.npz:test" --output "$work/x86.npy" 2>&1 | grep target
cmp "$work/ref.npy" "$work/x86.npy" && echo "x86 and reference int8 outputs: identical"

declare -A times
for ((r = 0; r < rounds; ++r)); do
  times[host]+="$("$build/bin/qopt-run" "$work/int8.mlir" --codegen=x86 \
    --input "$work/data.npz:test" 2>&1 | per_image) "
  times[noamx]+="$("$build/bin/qopt-run" "$work/int8.mlir" --codegen=x86 \
    --target=host,-amx-int8 --input "$work/data.npz:test" 2>&1 | per_image) "
  out="$(/usr/bin/python3 "$root/bench/resnet18/resnet18.py" pytorch "$work" 2>/dev/null)"
  times[torch_float]+="$(sed -n 's/pytorch float: \([0-9.]*\).*/\1/p' <<<"$out") "
  times[torch_int8]+="$(sed -n 's/pytorch int8 (onednn): \([0-9.]*\).*/\1/p' <<<"$out") "
done
summary() {
  /usr/bin/python3 -c "import statistics, sys; v = [float(x) for x in sys.argv[2:]]; print(f'{sys.argv[1]:34s} median {statistics.median(v):7.1f} ms/image  (range {min(v):.1f}-{max(v):.1f})')" "$@"
}
summary "qopt int8 --codegen=x86 (host)" ${times[host]}
summary "qopt int8 --target=host,-amx-int8" ${times[noamx]}
summary "PyTorch int8 (FX PTQ, onednn)" ${times[torch_int8]}
summary "PyTorch float" ${times[torch_float]}
