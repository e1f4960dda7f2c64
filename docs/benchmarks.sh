#!/usr/bin/env bash
# Runs every load scenario against the product and against the bare baseline, on this machine,
# and writes one JSON report per run to docs/results/. See docs/benchmarks.md.
#   bash docs/benchmarks.sh            # the full targets (about 10 minutes)
#   QUICK=1 bash docs/benchmarks.sh    # a short smoke run
#   WORKERS=1 bash docs/benchmarks.sh  # the product as one process (default: serve's own)
#   ONLY="direct-200 group-1000" bash docs/benchmarks.sh   # some scenarios only
# Each report has the server's CPU per message (its Postgres included for the product) and
# docs/benchmarks-table.py prints them side by side with the baseline's and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DATA=$(mktemp -d /tmp/socialnet-bench.XXXXXX)
OUT=docs/results
PORT=${PORT:-8100}
BASE_PORT=$((PORT + 1))
WORKERS_FLAG=()
if [[ -n "${WORKERS:-}" ]]; then WORKERS_FLAG=(--workers "$WORKERS"); fi
mkdir -p "$OUT"
# Thousands of simulated users from one address: the per-address budgets (and the per-user chat
# budget) would measure themselves, not the server (README, Security notes).
export SOCIALNET_RATE_LIMITS=off
if [[ -n "${QUICK:-}" ]]; then SCALE=10; LONG=5; else SCALE=1; LONG=${DURATION:-60}; fi

cleanup() { stop_servers; }
trap cleanup EXIT

start_servers() {
  SOCIALNET_RATE_LIMITS=off "$BIN/socialnet" serve "${WORKERS_FLAG[@]}" --port "$PORT" \
    --data-dir "$DATA" --log-format json --log-level warning >>"$DATA/server.log" 2>&1 &
  SERVER=$!
  "$BIN/socialnet" baseline --port "$BASE_PORT" --sessions "$DATA/sessions.json" \
    >>"$DATA/baseline.log" 2>&1 &
  BASELINE=$!
  until curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null \
    && curl -sf "http://127.0.0.1:$BASE_PORT/api/health" >/dev/null; do sleep 0.5; done
}

stop_servers() {
  kill "${SERVER:-}" "${BASELINE:-}" 2>/dev/null || true
  wait 2>/dev/null || true
}

# Seed once, on a first server (the baseline reads the sessions the seed writes).
"$BIN/socialnet" serve --port "$PORT" --data-dir "$DATA" --log-format json >"$DATA/server.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null; do sleep 0.5; done
"$BIN/socialnet" seed --users 10000 --posts 100000 --data-dir "$DATA" --sessions "$DATA/sessions.json"
stop_servers

postmaster() {  # the embedded Postgres's postmaster: its CPU is the product's too
  pgrep -o -f "postgres -D $DATA/postgres" || pgrep -o -f "postgres -D $(realpath "$DATA")/postgres"
}

run() {  # name scenario users rate duration
  # Each scenario meets freshly started servers, so that no figure depends on the runs before
  # it (thousands of sockets closed by an earlier run are garbage a later one would pay for).
  local name=$1 scenario=$2 users=$3 rate=$4 duration=$5
  if [[ -n "${ONLY:-}" && " $ONLY " != *" $name "* ]]; then return; fi
  start_servers
  for target in product baseline; do
    local url=http://127.0.0.1:$PORT pid=$SERVER cpu=(--cpu-pid "$SERVER" --cpu-pid "$(postmaster)")
    if [[ $target == baseline ]]; then
      url=http://127.0.0.1:$BASE_PORT; pid=$BASELINE; cpu=(--cpu-pid "$BASELINE")
    fi
    echo "== $name ($target)"
    "$BIN/socialnet" load "$scenario" --url "$url" --users "$users" --rate "$rate" \
      --duration "$duration" --sessions "$DATA/sessions.json" --server-pid "$pid" "${cpu[@]}" \
      --json "$OUT/$name-$target.json" --quiet || true
  done
  stop_servers
}

run direct-200 direct 2000 $((200 / SCALE)) "$LONG"
run direct-500 direct 2000 $((500 / SCALE)) "$LONG"
run direct-1000 direct 2000 $((1000 / SCALE)) "$LONG"
run direct-2000 direct 2000 $((2000 / SCALE)) "$LONG"
run group-1000 group $((1000 / SCALE)) 5 "$LONG"
run feed-50 feed 200 $((50 / SCALE)) "$LONG"
run feed-200 feed 200 $((200 / SCALE)) "$LONG"
run feed-live-50 feed-live 2000 $((50 / SCALE)) "$LONG"
run idle-10k idle $((10000 / SCALE)) 1 "$LONG"
echo "reports in $OUT"
"$BIN/python" docs/benchmarks-table.py "$OUT"
