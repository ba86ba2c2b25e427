#!/usr/bin/env bash
# Settlement at scale, on SQLite and on PostgreSQL: a cycle of CLAIMS claims among PARTICIPANTS
# participants (every check at submission), its payment requests, the banks' camt.054 of CREDITS
# credits matched, the claims posted and the pay-outs made, and verify; the time and the peak
# memory of each step, printed by `clearhouse benchmark house`.
#
#   bench/settlement/run.sh [CLAIMS] [PARTICIPANTS] [CREDITS]
#
# Defaults are the figures of the settlement issue: 100,000 claims, 10,000 participants,
# 100,000 credits. PostgreSQL: CLEARHOUSE_BENCH_POSTGRES_URL (default the CI server's `test`
# database, in a fresh schema that is dropped afterwards).
set -euo pipefail
claims=${1:-100000}
participants=${2:-10000}
credits=${3:-100000}
per_zone=$((participants / 2))
root=$(cd "$(dirname "$0")/../.." && pwd)
cargo build --release -q -p cli --manifest-path "$root/Cargo.toml"
bin="$root/target/release/clearhouse"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== SQLite"
(cd "$work" && "$bin" --database-url "sqlite://$work/bench.db" benchmark house \
    --participants "$per_zone" --claims "$claims" --credits "$credits" --out "$work/sqlite-files")
base=${CLEARHOUSE_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
schema="bench_settlement_$$"
psql "$base" -qc "CREATE SCHEMA $schema" >/dev/null
trap 'psql "$base" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null; rm -rf "$work"' EXIT
echo "== PostgreSQL"
(cd "$work" && "$bin" --database-url "$base?options=-csearch_path%3D$schema" benchmark house \
    --participants "$per_zone" --claims "$claims" --credits "$credits" --out "$work/pg-files")
