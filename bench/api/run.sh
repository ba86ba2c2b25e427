#!/usr/bin/env bash
# The HTTP API under load, on SQLite and on PostgreSQL side by side: CLAIMS claims submitted
# over loopback (POST /api/v1/claims, every check) by CLIENTS clients at once, then QUERIES
# one-query yente-style /match requests, each database fresh, `verify` after; printed by
# `clearhouse benchmark api`, with the PostgreSQL/SQLite ratios. The load generator runs in
# the same process as the server, on the same machine (2 cores in CI): it takes its share.
#
#   bench/api/run.sh [CLAIMS] [CLIENTS] [QUERIES] [PARTICIPANTS]
#
# PostgreSQL: CLEARHOUSE_BENCH_POSTGRES_URL (default the CI server's `test` database, in a
# fresh schema dropped afterwards).
set -euo pipefail
claims=${1:-20000}
clients=${2:-16}
queries=${3:-20000}
participants=${4:-200}
root=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --release -q -p cli --manifest-path "$root/Cargo.toml"
bin="$root/target/release/clearhouse"
work=$(mktemp -d)
base=${CLEARHOUSE_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
schema="bench_api_$$"
trap 'psql "$base" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
args=(benchmark api --participants "$participants" --claims "$claims" --clients "$clients" --queries "$queries")
echo "== SQLite"
(cd "$work" && "$bin" --json --database-url "sqlite://$work/bench.db" "${args[@]}") | tee "$work/sqlite.json"
psql "$base" -qc "CREATE SCHEMA $schema" >/dev/null
echo "== PostgreSQL"
(cd "$work" && "$bin" --json --database-url "$base?options=-csearch_path%3D$schema" "${args[@]}") | tee "$work/pg.json"
python3 - "$work/sqlite.json" "$work/pg.json" <<'PY'
import json, sys
def load(path):
    for line in open(path):
        line = json.loads(line)
        if line.get("type") == "benchmark_api":
            return line["data"]
    sys.exit(f"{path}: no benchmark_api line")
s, p = load(sys.argv[1]), load(sys.argv[2])
print(f"{'':28}{'SQLite':>12}{'PostgreSQL':>12}{'PG/SQLite':>11}")
for phase, label in (("claims", "claims"), ("match", "/match")):
    for key, unit in (("per_second", "/s"), ("p50_ms", " ms p50"), ("p99_ms", " ms p99")):
        a, b = s[phase].get(key), p[phase].get(key)
        if a is None or b is None:
            continue
        ratio = f"{b / a:.2f}" if a else "-"
        print(f"{label + unit:28}{a:>12.1f}{b:>12.1f}{ratio:>11}")
print(f"verify: SQLite {'ok' if s['verify_ok'] else 'FAILED'}, PostgreSQL {'ok' if p['verify_ok'] else 'FAILED'}")
PY
