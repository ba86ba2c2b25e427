#!/usr/bin/env bash
# Builds the release CLI, then runs the evaluation, the nomenklatura side-by-side benchmark, the
# perturbation benchmark and the labelled pairs.
# Usage: bench/screening/run.sh [--quick]   (--quick: 1,000 negatives in eval.py, 50/50/300 in the side by side)
# Output: printed tables; inputs/outputs and eval_summary.json in bench/screening/out/.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BIN="$ROOT/target/release/clearhouse"

EVAL_ARGS=()
SBS_ARGS=()
if [[ "${1:-}" == "--quick" ]]; then
  EVAL_ARGS=(--negatives 1000)
  SBS_ARGS=(--positives 50 --negatives 300)
fi

(cd "$ROOT" && cargo build --release -p cli)

if [[ ! -x "$HERE/.venv/bin/python" ]] || ! "$HERE/.venv/bin/python" -c 'import nomenklatura' 2>/dev/null; then
  python3 -m venv "$HERE/.venv"
  "$HERE/.venv/bin/pip" install --quiet nomenklatura
fi

cd "$HERE"
python3 eval.py --clearhouse "$BIN" "${EVAL_ARGS[@]}"
echo
"$HERE/.venv/bin/python" nomenklatura_side_by_side.py --clearhouse "$BIN" "${SBS_ARGS[@]}"
echo
python3 perturb.py --clearhouse "$BIN"
echo
"$HERE/.venv/bin/python" pairs.py --clearhouse "$BIN"
