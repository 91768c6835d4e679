#!/usr/bin/env bash
# Installs what is missing, builds qopt and runs every test: the lit/FileCheck
# suite (every qopt invocation with --verify-roundtrip) and the GoogleTest
# unit tests. Exits non-zero if anything fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${QOPT_BUILD_DIR:-$root/build}"

"$root/scripts/build.sh"

log="$build/check-qopt.log"
status=0
LIT_OPTS="${LIT_OPTS:-} -sv" ninja -C "$build" check-qopt 2>&1 | tee "$log" || status=$?

passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
echo "qopt: ${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
  exit 1
fi
