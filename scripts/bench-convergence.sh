#!/usr/bin/env bash
# Convergence benchmarks (docs/benchmarks.md, "Convergence"):
#   1. hinted handoff: n2 is down while KEYS writes go through n1; after n2 restarts, the time until
#      n1 holds no more hints (every missed write delivered and fsynced on n2), and from the logs
#      when n2 served HTTP and when delivery to it resumed and finished (bench/handoff-timeline.py);
#   2. anti-entropy alone (hinted handoff off): n3 is down while KEYS cold keys are written; after
#      n3 restarts, the time until n3 holds every key (checked on a sample) with no reads;
#   3. anti-entropy traffic when in sync: Merkle hashes compared per round, empty vs KEYS keys.
# Uses scripts/cluster.sh on a generated nodes.conf (loopback ports 9401-9403 / 2951-2953) with
# state in a temp dir; stops everything it started (cluster.sh stops nodes by their pids).
#
#   scripts/bench-convergence.sh            # KEYS=10000
#   KEYS=2000 scripts/bench-convergence.sh
#   SKIP_HANDOFF=1 scripts/bench-convergence.sh   # only the anti-entropy parts
#   SKIP_ANTIENTROPY=1 scripts/bench-convergence.sh   # only the hinted handoff part
#   KEEP_LOGS=1 scripts/bench-convergence.sh      # keep the nodes' logs in run/bench/convergence-<time>-logs
#   JAR=/path/to.jar scripts/bench-convergence.sh # nodes from another jar (e.g. a baseline build)
# The load phase retries a PUT answered 503 (a loaded machine); only the convergence phases are timed.
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS="${KEYS:-10000}"
PARALLEL="${PARALLEL:-16}"
WORK="$(mktemp -d /tmp/mini-dynamo-convergence.XXXXXX)"
export RUN_DIR="$WORK/run" DATA_ROOT="$WORK/data" CONFIG="$WORK/nodes.conf"
export JAVA_OPTS_BASE="${JAVA_OPTS:--Xms512m -Xmx512m -XX:+UseParallelGC}"
scripts/bench/nodes-conf.sh 3 2 2 127.0.0.1 9401:2951 9402:2952 9403:2953 >"$CONFIG"
cleanup() {
  scripts/cluster.sh down >/dev/null 2>&1 || true
  if [ "${KEEP_LOGS:-0}" = 1 ] && [ -d "$RUN_DIR/logs" ]; then
    local keep; keep="run/bench/convergence-$(date +%Y%m%d-%H%M%S)-logs"
    mkdir -p "$keep" && cp -r "$RUN_DIR/logs/." "$keep/" && echo "logs kept in $keep"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
json() { curl -fsS --max-time 5 "http://127.0.0.1:$1$2" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d$3)"; }
put_keys() { # port prefix
  seq 1 "$KEYS" | xargs -P "$PARALLEL" -I{} curl -fsS -o /dev/null --max-time 10 --retry 5 --retry-delay 1 \
    -X PUT --data-binary "value-{}" "http://127.0.0.1:$1/kv/$2{}"
}
sample_present() { # port prefix: 200 random keys of the KEYS written, plus the first and the last
  python3 scripts/bench/keys-present.py "$1" "$2" "$KEYS"
}
poll_started=0
timed_sample_present() { # same, remembering when the poll started (the convergence time's resolution)
  poll_started=$(now); sample_present "$@"
}
wait_until() { # deadline-seconds command...
  local deadline=$1; shift
  local start; start=$(now)
  until "$@"; do
    if (( $(echo "$(since "$start") > $deadline" | bc) )); then return 1; fi
    sleep 0.2
  done
}
hints_on_n1() { json 9401 /debug/hints "['count']"; }
ae_rounds() { json 9401 /debug/ae "['rounds']"; }
ae_rounds_at_least() { [ "$(ae_rounds)" -ge "$1" ]; }
no_hints_on_n1() { [ "$(hints_on_n1)" = "0" ]; }
n1_hints_at_least() { [ "$(hints_on_n1)" -ge "$1" ]; }

if [ "${SKIP_HANDOFF:-0}" != 1 ]; then
echo "== 1. hinted handoff: $KEYS writes missed by n2"
JAVA_OPTS="$JAVA_OPTS_BASE" scripts/cluster.sh up >/dev/null
scripts/cluster.sh kill n2 >/dev/null
start=$(now); put_keys 9401 h; echo "wrote $KEYS keys via n1 in $(since "$start") s"
wait_until 60 n1_hints_at_least "$KEYS" || { echo "only $(hints_on_n1) hints on n1"; exit 1; }
start=$(now)
JAVA_OPTS="$JAVA_OPTS_BASE" scripts/cluster.sh start n2 >/dev/null
up=$(since "$start")
wait_until 120 no_hints_on_n1 || { echo "hints left on n1: $(hints_on_n1)"; exit 1; }
echo "RESULT handoff keys=$KEYS loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" n2_start_s=$up all_delivered_after_start_s=$(since "$start")"
sample_present 9402 h && echo "sample of 200 keys present on n2's own replica"
scripts/bench/handoff-timeline.py "$RUN_DIR/logs/n1.log" "$RUN_DIR/logs/n2.log" n2 || true
scripts/cluster.sh down >/dev/null
fi

if [ "${SKIP_ANTIENTROPY:-0}" = 1 ]; then exit 0; fi
echo "== 2. anti-entropy alone: $KEYS cold keys missed by n3 (hinted handoff off)"
rm -rf "$DATA_ROOT" "$RUN_DIR"
JAVA_OPTS="$JAVA_OPTS_BASE -Dmini-dynamo.hints.enabled=off" scripts/cluster.sh up >/dev/null
h0=$(json 9401 /debug/ae "['hashes_compared']"); r0=$(json 9401 /debug/ae "['rounds']")
wait_until 30 ae_rounds_at_least $((r0 + 2))
h1=$(json 9401 /debug/ae "['hashes_compared']"); r1=$(json 9401 /debug/ae "['rounds']")
scripts/cluster.sh stop n3 >/dev/null
start=$(now); put_keys 9401 c; echo "wrote $KEYS keys via n1 in $(since "$start") s"
start=$(now)
JAVA_OPTS="$JAVA_OPTS_BASE -Dmini-dynamo.hints.enabled=off" scripts/cluster.sh start n3 >/dev/null
up=$(since "$start")
wait_until 120 timed_sample_present 9403 c || { echo "n3 did not converge"; exit 1; }
converged=$(since "$start"); last_poll=$(since "$poll_started")
echo "RESULT antientropy keys=$KEYS loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" n3_start_s=$up converged_after_start_s=$converged (sample of 200 + first/last key; that poll took ${last_poll} s)"
echo "full check of n3's own replica: $(python3 scripts/bench/keys-present.py 9403 c "$KEYS" --all)"
echo "n3 /debug/ae: keys_repaired_in=$(json 9403 /debug/ae "['keys_repaired_in']")"

echo "== 3. anti-entropy traffic when in sync (node n1, hashes compared per round)"
r2=$(json 9401 /debug/ae "['rounds']")
wait_until 60 ae_rounds_at_least $((r2 + 3))
h2=$(json 9401 /debug/ae "['hashes_compared']"); r2=$(json 9401 /debug/ae "['rounds']")
wait_until 60 ae_rounds_at_least $((r2 + 2))
h3=$(json 9401 /debug/ae "['hashes_compared']"); r3=$(json 9401 /debug/ae "['rounds']")
echo "RESULT ae_in_sync empty: $(( (h1 - h0) / (r1 - r0) )) hashes/round; with $KEYS keys: $(( (h3 - h2) / (r3 - r2) )) hashes/round (128 (partition, peer) pairs per round)"
