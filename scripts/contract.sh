#!/usr/bin/env bash
# The outside-in contract checks: does the API do what its OpenAPI document
# says, and can a client generated from that document use it?
#
#  1. schemathesis runs every check it has (status codes, content types,
#     response schemas and headers, negative and positive data, missing
#     headers, ignored auth, unsupported methods, …) against the spec the
#     server serves, twice: as a region admin and as a provider. Each run gets
#     a fresh `api --demo` server on a temporary SQLite file, and
#     scripts/contract/seed.py first creates one object of every kind with an
#     id in its path, so those operations are tested with real ids
#     (scripts/contract/schemathesis.toml).
#  2. openapi-python-client generates a client from the committed
#     openapi/openapi.json, and scripts/contract/walk.py walks the README's
#     flow with it against another fresh server.
#
# Exits non-zero on any finding. Python tools are installed from PyPI into
# target/contract-venv (pinned in scripts/contract/requirements.txt) when
# missing. Runs target/debug/api, built by scripts/test.sh; builds it when
# absent. CONTRACT_MAX_EXAMPLES (default 25) bounds the generated cases per
# operation and phase.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "contract: $*" >&2; }

venv=${CONTRACT_VENV:-$PWD/target/contract-venv}
requirements=scripts/contract/requirements.txt
api_bin=${API_BIN:-$PWD/target/debug/api}
max_examples=${CONTRACT_MAX_EXAMPLES:-25}
region=centraal-gelderland

# --- tools -------------------------------------------------------------------
if [ ! -x "$venv/bin/st" ] || ! cmp -s "$requirements" "$venv/zorgregie-requirements.txt"; then
  log "installing schemathesis and openapi-python-client into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 keeps ensurepip in python3-venv.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      log "python3 -m venv failed: install python3-venv"
      exit 1
    fi
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$venv/zorgregie-requirements.txt"
fi
export PATH="$venv/bin:$PATH"
python="$venv/bin/python"

if [ ! -x "$api_bin" ]; then
  log "building the api binary"
  cargo build -p api --bin api --locked
fi

# --- servers -----------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/zorgregie-contract.XXXXXX")
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Test secrets, never the built-in development ones; no Redis: the server
# runs the worker itself, so report and indexation jobs finish.
export JWT_SECRET=zorgregie-contract-checks-jwt-secret
export CLIENT_KEY_SECRET=zorgregie-contract-checks-client-key
# Warnings, and one line per request (kept when a check fails).
export RUST_LOG=${CONTRACT_RUST_LOG:-warn,actix_web::middleware::logger=info}
unset QUEUE_URL EMBEDDED_WORKER JWT_JWKS_FILE JWT_ISSUER JWT_AUDIENCE

# Starts a fresh `api --demo` on a free port and a new SQLite file; sets $base.
start_server() {
  local name=$1 port
  port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  DATABASE_URL="sqlite://$work/$name.db?mode=rwc" BIND_ADDR="127.0.0.1:$port" \
    "$api_bin" serve --demo >"$work/$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if "$python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
      "$base/api/v1/openapi.json" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  log "the api did not start; its log:"
  cat "$work/$name.log" >&2
  exit 1
}

token() { "$api_bin" token --region "$region" --sub contract-checks "$@"; }
ZR_ADMIN_TOKEN=$(token --role region-admin)
ZR_TEAM_TOKEN=$(token --role access-team --municipality GM0274)
# 98010001 holds the BW contract in every municipality (api/src/demo.rs);
# seed.py gives it an allocation and a declaration batch.
ZR_PROVIDER_TOKEN=$(token --role provider --agb 98010001)
export ZR_ADMIN_TOKEN ZR_TEAM_TOKEN ZR_PROVIDER_TOKEN

failures=()
started=$SECONDS

# --- 1. schemathesis, as a region admin and as a provider -------------------
run_schemathesis() {
  local role=$1 token=$2 status=0
  start_server "st-$role"
  local ids
  ids=$("$python" scripts/contract/seed.py "$base" "$role")
  eval "$ids"
  log "schemathesis as $role ($max_examples examples per operation and phase)"
  # One worker: the stateful phase deletes what it lists, and a second
  # worker's scenario would delete the first one's objects mid-scenario.
  # The iWmo message endpoint is left out: its body's rules are the
  # standard's XSDs, which OpenAPI cannot state (any XML the schema allows
  # is "valid"); tests/e2e/iwmo.rs checks it against the XSDs instead.
  st --config-file scripts/contract/schemathesis.toml run "$base/api/v1/openapi.json" \
    --url "$base" \
    --exclude-operation-id receive_message \
    --checks all \
    --continue-on-failure \
    --header "Authorization: Bearer $token" \
    --max-examples "$max_examples" \
    --workers 1 \
    --no-color \
    --report junit --report-dir "${CONTRACT_REPORT_DIR:-$work/reports}/$role" \
    || status=$?
  stop_server
  if [ "$status" != 0 ]; then
    failures+=("schemathesis as $role")
    # The server's request log (method, path, status), to trace a finding.
    mkdir -p target/contract-logs
    cp "$work/st-$role.log" "target/contract-logs/st-$role.log"
    log "the server's request log is in target/contract-logs/st-$role.log"
  fi
}
run_schemathesis region-admin "$ZR_ADMIN_TOKEN"
run_schemathesis provider "$ZR_PROVIDER_TOKEN"

# --- 2. a generated client walks the README ---------------------------------
log "generating a Python client from openapi/openapi.json"
mkdir -p "$work/client"
status=0
# client.yaml: XML bodies (the iWmo messages) come through as raw bytes.
openapi-python-client generate --path openapi/openapi.json --meta none \
  --config scripts/contract/client.yaml \
  --output-path "$work/client/zorgregie_client" >"$work/generate.log" 2>&1 || status=$?
if [ "$status" != 0 ] || grep -qi 'warning' "$work/generate.log"; then
  # A warning means part of the spec did not make it into the client.
  cat "$work/generate.log" >&2
  failures+=("openapi-python-client generate")
fi
if [ -d "$work/client/zorgregie_client" ]; then
  start_server walk
  log "walking the README with the generated client"
  ZR_BASE_URL=$base ZR_CLIENT_DIR="$work/client" "$python" scripts/contract/walk.py \
    || failures+=("the README walk")
  stop_server
fi

log "finished in $((SECONDS - started)) s"
if [ "${#failures[@]}" != 0 ]; then
  for failure in "${failures[@]}"; do
    log "FAILED: $failure"
  done
  exit 1
fi
log "all contract checks passed"
