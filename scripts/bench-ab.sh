#!/usr/bin/env bash
# A/B of node builds or JVM options by CPU per operation: for each round and each variant, a fresh
# local 3-node cluster (N=3 R=2 W=2, ring 64) from the variant's jar, a 20 s PUT preload, a 40 s
# mixed warm-up, then 30 s each of PUT, mixed and GET with the shared wrk workload against n1.
# Besides wrk's ops/s and latencies it reports the nodes' CPU time (utime + stime of the three
# JVMs from /proc) per request served: "cpu_us_per_op", cluster-wide — steadier than ops/s on a
# noisy machine. Variants alternate within each round; the table gives medians over the rounds.
# The preload writes random keys, so a few may be missing: their GETs count as errors (404).
#
# Usage: scripts/bench-ab.sh LABEL=JAR[@JAVA_OPTS] ...
#   e.g. scripts/bench-ab.sh base=/tmp/base/mini-dynamo.jar new=target/mini-dynamo.jar
#        scripts/bench-ab.sh fj8=target/mini-dynamo.jar \
#          'fj2=target/mini-dynamo.jar@-Dpekko.actor.default-dispatcher.fork-join-executor.parallelism-max=2'
# Environment: ROUNDS (2), DURATION (30), WARMUP (40), PRELOAD (20), BASE_JAVA_OPTS
#   (-Xms1g -Xmx1g -XX:+UseParallelGC; a variant's options are added), HTTP_PORT (9401, 9402,
#   9403 for the nodes), REMOTE_PORT (2851..2853), BENCH_TMP (temp dir root: a real disk).
# Only 127.0.0.1 is used; nodes are started and stopped through scripts/cluster.sh (by pid).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-40}"
PRELOAD="${PRELOAD:-20}"
BASE_JAVA_OPTS="${BASE_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
HTTP_PORT="${HTTP_PORT:-9401}"
REMOTE_PORT="${REMOTE_PORT:-2851}"
LUA="$ROOT/../shared/bench/mixed.lua"

if [ $# -lt 1 ] || [[ "$1" == -h || "$1" == --help ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -f "$LUA" ] || { echo "no workload at $LUA (../shared/bench)" >&2; exit 1; }

LABELS=(); JARS=(); OPTS=()
for spec in "$@"; do
  label="${spec%%=*}"; rest="${spec#*=}"
  jar="${rest%%@*}"; opts=""
  [[ "$rest" == *@* ]] && opts="${rest#*@}"
  [ -f "$jar" ] || { echo "$label: no jar at $jar" >&2; exit 2; }
  LABELS+=("$label"); JARS+=("$(cd "$(dirname "$jar")" && pwd -P)/$(basename "$jar")"); OPTS+=("$opts")
done

TMP="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/bench-ab.XXXXXX")"
RESULTS="$TMP/results"
export CONFIG="$TMP/nodes.conf" RUN_DIR="$TMP/run" DATA_ROOT="$TMP/data"
scripts/bench/nodes-conf.sh 3 2 2 127.0.0.1 "$HTTP_PORT:$REMOTE_PORT" \
  "$((HTTP_PORT + 1)):$((REMOTE_PORT + 1))" "$((HTTP_PORT + 2)):$((REMOTE_PORT + 2))" >"$CONFIG"

cleanup() {
  scripts/cluster.sh down >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

URL="http://127.0.0.1:$HTTP_PORT"
TICKS="$(getconf CLK_TCK)"

node_cpu_ticks() {
  local sum=0 pid f
  for pid in $(cat "$RUN_DIR"/pids/*.pid); do
    read -r -a f <"/proc/$pid/stat"
    sum=$((sum + f[13] + f[14]))
  done
  echo "$sum"
}

# run_wrk WRITE_PCT SECONDS -> the RESULT line of mixed.lua plus cpu_us_per_op
run_wrk() {
  local before after line rps
  before="$(node_cpu_ticks)"
  line="$(KEYS=10000 WRITE_PCT="$1" VALUE_BYTES=100 wrk -t2 -c32 -d"$2"s -s "$LUA" "$URL" | grep '^RESULT')"
  after="$(node_cpu_ticks)"
  rps="$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$line")"
  echo "$line cpu_us_per_op=$(( (after - before) * 1000000 / TICKS / (rps * $2 > 0 ? rps * $2 : 1) ))"
}

for round in $(seq 1 "$ROUNDS"); do
  for i in "${!LABELS[@]}"; do
    rm -rf "$DATA_ROOT" "$RUN_DIR"
    JAR="${JARS[$i]}" JAVA_OPTS="$BASE_JAVA_OPTS ${OPTS[$i]}" scripts/cluster.sh up >/dev/null
    run_wrk 100 "$PRELOAD" >/dev/null
    run_wrk 50 "$WARMUP" >/dev/null
    for w in 100 50 0; do
      line="$(run_wrk "$w" "$DURATION")"
      echo "round=$round variant=${LABELS[$i]} write_pct=$w $line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
    done
    scripts/cluster.sh down >/dev/null
  done
done

echo
printf '%-12s %-8s %9s %9s %9s %12s\n' variant workload ops/s p50_ms p99_ms cpu_us/op
for label in "${LABELS[@]}"; do
  for w in 100 50 0; do
    name=$([ "$w" = 100 ] && echo put || { [ "$w" = 50 ] && echo mixed || echo get; })
    grep " variant=$label write_pct=$w " "$RESULTS" | python3 -c '
import sys, statistics, re
rows = [dict(re.findall(r"(\w+)=([0-9.]+)", line)) for line in sys.stdin]
med = lambda k: statistics.median(float(r[k]) for r in rows)
print("%-12s %-8s %9.0f %9.2f %9.2f %12.0f" % (sys.argv[1], sys.argv[2], med("rps"), med("p50_ms"), med("p99_ms"), med("cpu_us_per_op")))
' "$label" "$name"
  done
done
