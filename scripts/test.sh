#!/usr/bin/env bash
# The test command: unit tests and the end-to-end tests on SQLite and on
# PostgreSQL. When TEST_DATABASE_URL is not set and this runs as root on
# Debian, it installs and starts PostgreSQL and Redis first
# (scripts/services.sh); otherwise the PostgreSQL runs are skipped, except
# under CI=true, where they are required.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    eval "$(scripts/services.sh)"
  elif [ "${CI:-}" = "true" ]; then
    echo "CI=true needs PostgreSQL: run as root on Debian or set TEST_DATABASE_URL" >&2
    exit 1
  else
    echo "note: TEST_DATABASE_URL is not set; PostgreSQL tests will be skipped" >&2
  fi
fi

# The bench smoke test drives the api and worker binaries.
cargo build --workspace --bins --locked
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The outside-in contract checks against the built api (scripts/contract.sh):
# schemathesis on the served spec, and a generated client walking the README.
# Skipped when cargo test was given a filter; CONTRACT=0 skips them too.
contract_status=0
if [ "$#" = 0 ] && [ "${CONTRACT:-1}" != 0 ]; then
  scripts/contract.sh
  contract_status=$?
fi
set -e
# One closing line over every test binary (cargo prints one per binary).
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) s += $i } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
if [ "$contract_status" != 0 ]; then
  echo "contract checks failed (scripts/contract.sh)" >&2
  [ "$status" != 0 ] || status=$contract_status
fi
exit "$status"
