#!/usr/bin/env bash
# Recovery benchmark (docs/benchmarks.md, "Recovery"): one node (N=1, ring-size 64) is loaded with
# KEYS keys of VALUE_BYTES-byte values (one PUT each, with wrk and scripts/bench/load-sequential.lua,
# durability none for loading speed), stopped with SIGTERM, then started RUNS times on that data
# dir (durability fsync, the default). Each start is timed from the fork of the JVM until /health
# answers 200, which it does only once every partition has recovered; the JVM's CPU time
# (utime + stime from /proc/<pid>/stat) is read at that moment. /debug/persist gives the breakdown.
#
#   scripts/bench-recovery.sh                     # KEYS=1000000 VALUE_BYTES=100 RUNS=3
#   KEYS=100000 RUNS=1 scripts/bench-recovery.sh  # a quick check
#   COLD=1 scripts/bench-recovery.sh              # drop the page cache before each start (root)
#   DATA=/path/to/dir scripts/bench-recovery.sh   # reuse a loaded data dir (skips the load; kept)
#   KEEP=1 ...                                    # keep the temp dir (prints where it is)
#   JAR=/path/to/other.jar ...                    # another build (default target/mini-dynamo.jar)
#
# Only 127.0.0.1 is used (HTTP port PORT, default 9501; remoting 2961). Every process it starts is
# stopped by its pid. Needs wrk. The temp dir is under BENCH_TMP (default /tmp; use a real disk).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=class-archive.sh
source scripts/class-archive.sh

KEYS="${KEYS:-1000000}"
VALUE_BYTES="${VALUE_BYTES:-100}"
RUNS="${RUNS:-3}"
PORT="${PORT:-9501}"
REMOTE_PORT="${REMOTE_PORT:-2961}"
JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
JAR="${JAR:-target/mini-dynamo.jar}"
URL="http://127.0.0.1:$PORT"

[ -f "$JAR" ] || mvn -B -o -q package -DskipTests
WORK="$(mktemp -d "${BENCH_TMP:-/tmp}/mini-dynamo-recovery.XXXXXX")"
PID=""
WRK=""
cleanup() {
  if [ -n "$WRK" ]; then kill -TERM "$WRK" 2>/dev/null || true; fi
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

scripts/bench/nodes-conf.sh 1 1 1 127.0.0.1 "$PORT:$REMOTE_PORT" >"$WORK/nodes.conf"
DATA_DIR="${DATA:-$WORK/data}"
loaded=0   # keys acknowledged by the load (0 with DATA=...)
first=""   # records recovered by the first start
mkdir -p "$DATA_DIR"

start_node() { # extra java options...
  local -a jopts=()
  read -r -a jopts <<<"$JAVA_OPTS"
  add_class_archive_opt jopts "$JAR"
  java "${jopts[@]}" "$@" -jar "$JAR" --id n1 --config "$WORK/nodes.conf" --data-dir "$DATA_DIR" \
    >>"$WORK/node.log" 2>&1 &
  PID=$!
}
stop_node() {
  kill -TERM "$PID"
  for _ in $(seq 1 600); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then echo "node did not stop in 60 s" >&2; exit 1; fi
  wait "$PID" 2>/dev/null || true
  PID=""
}
healthy() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$URL/health")" = 200 ]; }
cpu_seconds() { # utime + stime of $PID in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$PID/stat"
}

echo "date: $(date -u '+%F %T') UTC  commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+dirty')"
echo "jar: $JAR, built $(date -u -r "$JAR" '+%F %T') UTC"
echo "settings: KEYS=$KEYS VALUE_BYTES=$VALUE_BYTES RUNS=$RUNS COLD=${COLD:-0} JAVA_OPTS=$JAVA_OPTS"
echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ -z "${DATA:-}" ]; then
  start_node -Dmini-dynamo.durability=none
  for _ in $(seq 1 600); do healthy && break; sleep 0.1; done
  healthy || { echo "node not healthy; log:"; tail -50 "$WORK/node.log"; exit 1; }
  WRK_THREADS=2 KEYS="$KEYS" VALUE_BYTES="$VALUE_BYTES" \
    wrk -t2 -c32 -d3600s --timeout 10s -s scripts/bench/load-sequential.lua "$URL" \
    >"$WORK/wrk.txt" 2>&1 &
  WRK=$!
  # wrk's threads stop sending once every key of theirs is answered, but wrk itself runs out its
  # -d: it is interrupted (it then prints its summary) once the journal holds an event per key and
  # has not grown for 5 s, or, should some PUTs fail, once it has not grown for 60 s
  last=-1; still=0
  while kill -0 "$WRK" 2>/dev/null; do
    sleep 5
    events=$(curl -s --max-time 5 "$URL/debug/persist" | python3 -c 'import json,sys; print(json.load(sys.stdin)["journal"]["events"])' 2>/dev/null || echo -1)
    if [ "$events" = "$last" ]; then still=$((still + 5)); else still=0; last=$events; fi
    if [ "$still" -ge 60 ] || { [ "$events" -ge "$KEYS" ] && [ "$still" -ge 5 ]; }; then
      kill -INT "$WRK" 2>/dev/null || true
    fi
  done
  wait "$WRK" || true
  grep LOADED "$WORK/wrk.txt" | tee "$WORK/load.txt"
  # a few PUTs may fail on a loaded machine (each failure is reported); more than 0.1 % is a failed load
  loaded=$(sed -n 's/.*puts_204=\([0-9]*\).*/\1/p' "$WORK/load.txt")
  [ "$loaded" -ge $((KEYS - KEYS / 1000)) ] || { echo "load incomplete: $loaded of $KEYS"; exit 1; }
  stop_node
fi
echo "data dir: $(du -sm "$DATA_DIR/journal" | cut -f1) MB journal ($(ls "$DATA_DIR/journal" | grep -c segment) segments), $(du -sm "$DATA_DIR/snapshots" | cut -f1) MB snapshots ($(ls "$DATA_DIR/snapshots" | wc -l) files)"
echo "journal bytes per key: $(( $(du -sb "$DATA_DIR/journal" | cut -f1) / KEYS )), snapshot bytes per key: $(( $(du -sb "$DATA_DIR/snapshots" | cut -f1) / KEYS ))"

for run in $(seq 1 "$RUNS"); do
  if [ "${COLD:-0}" = 1 ]; then sync; echo 3 >/proc/sys/vm/drop_caches; fi
  load_before="$(cut -d' ' -f1 /proc/loadavg)"
  t0=$(date +%s%N)
  start_node
  until healthy; do
    kill -0 "$PID" 2>/dev/null || { echo "node exited; log:"; tail -50 "$WORK/node.log"; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  cpu=$(cpu_seconds)
  persist=$(curl -s "$URL/debug/persist")
  # every start recovers the same records, at least as many as were acknowledged
  recovered=$(echo "$persist" | python3 -c 'import json,sys; print(json.load(sys.stdin)["recovery"]["records"])')
  [ "$recovered" -ge "$loaded" ] || { echo "recovered $recovered records, fewer than $loaded loaded"; exit 1; }
  [ -z "$first" ] || [ "$recovered" = "$first" ] || { echo "recovered $recovered records, run 1 $first"; exit 1; }
  first="$recovered"
  echo "RESULT run=$run wall_s=$(echo "scale=2; ($t1 - $t0) / 1000000000" | bc) cpu_s=$cpu loadavg_before=$load_before loadavg_after=$(cut -d' ' -f1 /proc/loadavg)"
  echo "  /debug/persist: $persist"
  stop_node
done
