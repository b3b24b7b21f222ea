#!/usr/bin/env bash
# Installs (when missing) and starts PostgreSQL and Redis on loopback for the
# tests (and installs Chromium for the dashboard's browser tests), from Debian packages, and prints the URLs to export. Idempotent.
# Needs root (apt-get); a developer with their own services can skip it and
# set TEST_DATABASE_URL / TEST_QUEUE_URL themselves.
set -euo pipefail

log() { echo "services: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1 \
   || ! command -v wrk >/dev/null 2>&1 || ! command -v xmllint >/dev/null 2>&1 \
   || ! command -v chromedriver >/dev/null 2>&1; then
  # wrk drives the benchmark's API reads (pgbench comes with postgresql);
  # xmllint (libxml2-utils) checks the iWmo messages against the XSDs;
  # Chromium and its WebDriver drive the dashboard's browser tests.
  log "installing postgresql, redis-server, wrk, xmllint, chromium and chromedriver"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server wrk libxml2-utils \
    chromium chromium-driver >&2
fi
# DuckDB is the benchmark's reference for the monitoring report.
if command -v python3 >/dev/null 2>&1 && ! python3 -c "import duckdb" 2>/dev/null; then
  log "installing duckdb (pip)"
  python3 -m pip install -q duckdb >&2 || log "duckdb could not be installed; the bench will skip that reference"
fi

pg_version=$(ls /etc/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
  # Tests open many short-lived pools in parallel.
  conf="/etc/postgresql/${pg_version}/main/postgresql.conf"
  grep -q '^max_connections = 400' "$conf" || echo 'max_connections = 400' >> "$conf"
  log "starting PostgreSQL ${pg_version}"
  pg_ctlcluster "$pg_version" main start >&2
fi
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'zorgregie_test'\"" | grep -q 1 \
  || su postgres -c "createdb zorgregie_test" >&2

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  # No snapshots: test data need not survive, and no dump.rdb lands in the checkout.
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --dir /tmp >&2
fi
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
  sleep 1
done

echo "export TEST_DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/zorgregie_test"
echo "export TEST_QUEUE_URL=redis://127.0.0.1:6379/"
