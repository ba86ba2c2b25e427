#!/usr/bin/env bash
# Set-off side by side with OR-tools SimpleMinCostFlow on the 1M- and 10M-invoice instances.
# Usage: bench/netting/run.sh [1m] [10m] [wc1m] [wc10m]   (default: 1m 10m; wc*: weakly cyclic).
# Needs: pip install numpy ortools
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -p cli
python3 -c "import numpy, ortools" 2>/dev/null || {
    echo "bench: needs numpy and ortools: pip install numpy ortools" >&2
    exit 1
}
work="${CLEARHOUSE_BENCH_DIR:-${TMPDIR:-/tmp}/clearhouse-netting-bench}"
python3 bench/netting/compare.py target/release/clearhouse "$work" "$@"
