#!/usr/bin/env bash
# The benchmark command: builds the release binaries, then generates (or
# reuses) the data set and measures every figure beside its reference,
# writing BENCHMARKS.md. Arguments go to zorgregie-bench, e.g.
#   scripts/bench.sh --scale region --database postgres
# As root on Debian it first installs and starts PostgreSQL and Redis
# (scripts/services.sh) and the tools the references need (wrk, pgbench,
# DuckDB).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  eval "$(scripts/services.sh)"
fi
cargo build --release --locked -p api -p worker -p bench
exec target/release/zorgregie-bench "$@"
