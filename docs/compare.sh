#!/usr/bin/env bash
# Two versions of the product, the Redis bus and the bare stack, in one run on one machine:
# what docs/benchmarks.md's "before and after" tables come from.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && make install)
#   BEFORE=/tmp/before bash docs/compare.sh OUTDIR 30
# Each point meets a freshly started server; every report goes to OUTDIR as JSON and text.
#   TARGETS="before after baseline redis"  which to run (redis: this checkout on a local
#                                           redis-server, port 6390, its CPU counted too)
#   SPECS="direct:2000:500:direct-500 ..."  scenario:users:rate:label
#   WORKERS=2  WINDOW=0 (SOCIALNET_WRITER_WINDOW_MS)  NOSEED=1 (reuse the seeded databases)
set -uo pipefail
OUT=${1:-/tmp/socialnet-compare}; DUR=${2:-30}
mkdir -p "$OUT"
HERE=$(cd "$(dirname "$0")/.." && pwd)
LOAD=$HERE/.venv/bin/socialnet
WORK=${WORK:-/tmp/socialnet-compare-data}
mkdir -p "$WORK"
export SOCIALNET_RATE_LIMITS=off  # thousands of users from one address (README, Security notes)
declare -A ROOT=( [before]=${BEFORE:-} [after]=$HERE [redis]=$HERE )
TARGETS=${TARGETS:-"before after baseline"}
SPECS=${SPECS:-"direct:2000:200:direct-200 direct:2000:500:direct-500 direct:2000:1000:direct-1000 direct:2000:2000:direct-2000 group:1000:5:group-1000"}
WORKERS=${WORKERS:-2}
WINDOW=${WINDOW:-0}
seed() {  # name
  local name=$1 root=${ROOT[$1]} data=$WORK/data-$1
  rm -rf "$data"; mkdir -p "$data"
  (cd "$root" && SOCIALNET_RATE_LIMITS=off .venv/bin/socialnet seed --users 2000 --posts 1000 --data-dir "$data" --sessions "$data/sessions.json" > "$data/seed.log" 2>&1)
}
start() {  # name -> SERVER pid
  local name=$1 root=${ROOT[$1]} data=$WORK/data-$1
  local bus=postgres
  if [[ $name == redis ]]; then bus=redis://127.0.0.1:6390; data=$WORK/data-after; fi
  (cd "$root" && SOCIALNET_BUS=$bus SOCIALNET_WRITER_WINDOW_MS=$WINDOW SOCIALNET_RATE_LIMITS=off SOCIALNET_LOG_LEVEL=warning exec .venv/bin/socialnet serve --workers $WORKERS --port 8150 --data-dir "$data" --log-format json > "$data/server-$name.log" 2>&1) &
  SERVER=$!
  until curl -sf http://127.0.0.1:8150/api/health >/dev/null; do sleep 0.5; done
  PG=$(pgrep -o -f "postgres -D $(realpath $data)/postgres" || pgrep -o -f "postgres -D $data/postgres")
  CPUS=(--cpu-pid $SERVER --cpu-pid $PG)
  if [[ $name == redis ]]; then CPUS+=(--cpu-pid $REDIS); fi
}
stop() { kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; sleep 2; }
run() {  # target scenario users rate label
  local target=$1 scenario=$2 users=$3 rate=$4 label=$5
  if [[ $target == baseline ]]; then
    (cd "$HERE" && exec .venv/bin/socialnet baseline --port 8151 --sessions $WORK/data-after/sessions.json > $WORK/baseline.log 2>&1) &
    local B=$!
    until curl -sf http://127.0.0.1:8151/api/health >/dev/null; do sleep 0.5; done
    $LOAD load "$scenario" --url http://127.0.0.1:8151 --users "$users" --rate "$rate" --duration "$DUR" --sessions $WORK/data-after/sessions.json --cpu-pid $B --json "$OUT/$label-baseline.json" --quiet > "$OUT/$label-baseline.txt" 2>&1
    kill $B; wait $B 2>/dev/null; sleep 2
  else
    start "$target"
    local sessions=$WORK/data-$target/sessions.json
    if [[ $target == redis ]]; then sessions=$WORK/data-after/sessions.json; fi
    $LOAD load "$scenario" --url http://127.0.0.1:8150 --users "$users" --rate "$rate" --duration "$DUR" --sessions $sessions "${CPUS[@]}" --json "$OUT/$label-$target.json" --quiet > "$OUT/$label-$target.txt" 2>&1
    stop
  fi
}
if [[ " $TARGETS " == *" redis "* ]]; then
  mkdir -p $WORK/redis; (cd $WORK/redis && exec redis-server --port 6390 --save "" --appendonly no > redis.log 2>&1) & REDIS=$!
fi
if [[ " $TARGETS " == *" before "* && -z "${BEFORE:-}" ]]; then
  echo "BEFORE= names a checkout of the earlier commit, installed (make install)" >&2; exit 2
fi
# The baseline and the Redis target read the sessions seeded for "after".
[[ -n "${NOSEED:-}" ]] || { [[ " $TARGETS " != *" before "* ]] || seed before; seed after; }
for spec in $SPECS; do
  IFS=: read -r scenario users rate label <<< "$spec"
  for t in $TARGETS; do echo "== $label $t $(uptime | sed 's/.*load/load/')"; run $t $scenario $users $rate $label; done
done
[[ -n "${REDIS:-}" ]] && kill $REDIS
echo done
