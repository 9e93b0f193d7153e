#!/usr/bin/env bash
# A/B of node builds or JVM options by CPU per operation: for each round and each variant, a fresh
# local 3-node cluster (N=3 R=2 W=2, ring 64) from the variant's jar, a 20 s PUT preload, a 40 s
# mixed warm-up, then 30 s each of PUT, mixed and GET with the shared wrk workload against n1.
# Besides wrk's ops/s and latencies it reports the nodes' CPU time (utime + stime of the three
# JVMs from /proc) per request served: "cpu_us_per_op", cluster-wide — steadier than ops/s on a
# noisy machine. It also reports the nodes' voluntary context switches per request ("vcsw_per_op":
# how often a thread ran out of work and slept). Variants alternate within each round; the table
# gives medians over the rounds.
# Each RESULT line and the table also give "steal": the share of the machine's CPU time the
# hypervisor gave to other guests during the run (scripts/bench/steal.sh); it slows every figure.
# The preload writes random keys, so a few may be missing: their GETs count as errors (404).
#
# INTERLEAVE=1: every variant's cluster runs at once (each on its own ports, idle while another
# is measured); each is preloaded and warmed up once, then every round runs each workload for
# DURATION seconds on each variant in turn (the order reversed every other round), so that the
# machine's slow and fast phases fall on all variants alike. The table then adds, per workload,
# the median over the rounds of each variant's cpu_us/op relative to the first variant's in the
# same round ("cpu_vs_first"). Use more, shorter rounds (e.g. ROUNDS=6 DURATION=15).
#
# Usage: scripts/bench-ab.sh LABEL=JAR[@JAVA_OPTS] ...
#   e.g. scripts/bench-ab.sh base=/tmp/base/mini-dynamo.jar new=target/mini-dynamo.jar
#        scripts/bench-ab.sh fj8=target/mini-dynamo.jar \
#          'fj2=target/mini-dynamo.jar@-Dpekko.actor.default-dispatcher.fork-join-executor.parallelism-max=2'
# Environment: ROUNDS (2), DURATION (30), WARMUP (40), PRELOAD (20), INTERLEAVE (0), BASE_JAVA_OPTS
#   (-Xms1g -Xmx1g -XX:+UseParallelGC; a variant's options are added), HTTP_PORT (9401, 9402,
#   9403 for the nodes; variant i of an interleaved run adds 10 i), REMOTE_PORT (2851..2853),
#   BENCH_TMP (temp dir root: a real disk).
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
  sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'
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
INTERLEAVE="${INTERLEAVE:-0}"

# use_variant I: point cluster.sh and the load at variant I's cluster (its own config, ports and
# state dirs when interleaved; one shared set otherwise)
use_variant() {
  local slot=0
  [ "$INTERLEAVE" = 1 ] && slot="$1"
  local http=$((HTTP_PORT + 10 * slot)) remote=$((REMOTE_PORT + 10 * slot))
  export CONFIG="$TMP/v$slot/nodes.conf" RUN_DIR="$TMP/v$slot/run" DATA_ROOT="$TMP/v$slot/data"
  export JAR="${JARS[$1]}" JAVA_OPTS="$BASE_JAVA_OPTS ${OPTS[$1]}"
  URL="http://127.0.0.1:$http"
  if [ ! -f "$CONFIG" ]; then
    mkdir -p "$TMP/v$slot"
    scripts/bench/nodes-conf.sh 3 2 2 127.0.0.1 "$http:$remote" \
      "$((http + 1)):$((remote + 1))" "$((http + 2)):$((remote + 2))" >"$CONFIG"
  fi
}

cleanup() {
  local dir
  for dir in "$TMP"/v*; do
    [ -f "$dir/nodes.conf" ] || continue
    CONFIG="$dir/nodes.conf" RUN_DIR="$dir/run" scripts/cluster.sh down >/dev/null 2>&1 || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TICKS="$(getconf CLK_TCK)"
# shellcheck source=bench/steal.sh
source "$ROOT/scripts/bench/steal.sh"

node_cpu_ticks() {
  local sum=0 pid f
  for pid in $(cat "$RUN_DIR"/pids/*.pid); do
    read -r -a f <"/proc/$pid/stat"
    sum=$((sum + f[13] + f[14]))
  done
  echo "$sum"
}

# The voluntary context switches of all the nodes' threads: each is a thread that ran out of work
# (or waited for I/O) and went to sleep. Per request, a count of thread hand-offs that steal
# affects much less than CPU time. A thread that ends during a run takes its count with it (the
# nodes' pools keep their threads under load).
node_voluntary_switches() {
  local pid
  for pid in $(cat "$RUN_DIR"/pids/*.pid); do
    cat /proc/"$pid"/task/*/status 2>/dev/null
  done | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s + 0 }'
}

# run_wrk WRITE_PCT SECONDS -> the RESULT line of mixed.lua plus cpu_us_per_op, vcsw_per_op and
# steal_pct
run_wrk() {
  local before after switches line rps times ops
  switches="$(node_voluntary_switches)"
  before="$(node_cpu_ticks)"
  times="$(cpu_times)"
  line="$(KEYS=10000 WRITE_PCT="$1" VALUE_BYTES=100 wrk -t2 -c32 -d"$2"s -s "$LUA" "$URL" | grep '^RESULT')"
  after="$(node_cpu_ticks)"
  switches=$(( $(node_voluntary_switches) - switches ))
  rps="$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$line")"
  ops=$(( rps * $2 > 0 ? rps * $2 : 1 ))
  echo "$line cpu_us_per_op=$(( (after - before) * 1000000 / TICKS / ops ))" \
    "vcsw_per_op=$(awk -v s="$switches" -v n="$ops" 'BEGIN { printf "%.2f", s / n }')" \
    "steal_pct=$(steal_pct "$times" "$(cpu_times)")"
}

# start_variant I: a fresh cluster of variant I, preloaded and warmed up
start_variant() {
  use_variant "$1"
  rm -rf "$DATA_ROOT" "$RUN_DIR"
  scripts/cluster.sh up >/dev/null
  run_wrk 100 "$PRELOAD" >/dev/null
  run_wrk 50 "$WARMUP" >/dev/null
}

# measure ROUND I WRITE_PCT: one measured run of variant I's (running) cluster
measure() {
  use_variant "$2"
  local line
  line="$(run_wrk "$3" "$DURATION")"
  echo "round=$1 variant=${LABELS[$2]} write_pct=$3 $line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RESULTS"
}

if [ "$INTERLEAVE" = 1 ]; then
  for i in "${!LABELS[@]}"; do
    start_variant "$i"
  done
  for round in $(seq 1 "$ROUNDS"); do
    order=("${!LABELS[@]}")
    if [ $((round % 2)) = 0 ]; then
      order=(); for ((i = ${#LABELS[@]} - 1; i >= 0; i--)); do order+=("$i"); done
    fi
    for w in 100 50 0; do
      for i in "${order[@]}"; do
        measure "$round" "$i" "$w"
      done
    done
  done
else
  for round in $(seq 1 "$ROUNDS"); do
    for i in "${!LABELS[@]}"; do
      start_variant "$i"
      for w in 100 50 0; do
        measure "$round" "$i" "$w"
      done
      scripts/cluster.sh down >/dev/null
    done
  done
fi

echo
printf '%-12s %-8s %9s %9s %9s %12s %13s %10s %7s\n' variant workload ops/s p50_ms p99_ms cpu_us/op cpu_vs_first vcsw/op steal%
for label in "${LABELS[@]}"; do
  for w in 100 50 0; do
    name=$([ "$w" = 100 ] && echo put || { [ "$w" = 50 ] && echo mixed || echo get; })
    python3 -c '
import sys, statistics, re
label, name, w, first, path = sys.argv[1:]
rows = [dict(re.findall(r"(\w+)=([0-9.]+)", line)) | {"variant": re.search(r"variant=(\S+)", line).group(1)}
        for line in open(path) if f" write_pct={w} " in line]
mine = [r for r in rows if r["variant"] == label]
med = lambda k: statistics.median(float(r[k]) for r in mine)
base = {r["round"]: float(r["cpu_us_per_op"]) for r in rows if r["variant"] == first}
ratios = [float(r["cpu_us_per_op"]) / base[r["round"]] for r in mine if base.get(r["round"])]
vs = "%.2f" % statistics.median(ratios) if ratios else "-"
print("%-12s %-8s %9.0f %9.2f %9.2f %12.0f %13s %10.2f %7.1f" % (label, name, med("rps"), med("p50_ms"), med("p99_ms"), med("cpu_us_per_op"), vs, med("vcsw_per_op"), med("steal_pct")))
' "$label" "$name" "$w" "${LABELS[0]}" "$RESULTS"
  done
done
