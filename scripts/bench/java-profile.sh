#!/usr/bin/env bash
# Where each node's CPU goes, Java and kernel together: a system-wide `perf record` (software
# cpu-clock at 999 Hz, call graphs) for SECONDS while a load runs, the nodes' JIT-compiled code
# named through perf map files that `jcmd <pid> Compiler.perfmap` writes, then per node the share
# of all samples by component (journal writer, persistence, partition log, coordinators, HTTP,
# Artery, Pekko IO's TCP, thread pool, ...) and by kernel entry point (scripts/bench/java-profile.py
# says how samples are charged). kernel-profile.sh gives the machine-wide kernel view; this one
# says which part of a node a cost belongs to.
#
#   scripts/bench/java-profile.sh SECONDS [--requests N] [OUT.data]   (start the load first)
#
# The nodes are those of $RUN_DIR/pids/<id>.pid (default run/, as scripts/cluster.sh keeps them).
# Start them with frame pointers, or the stacks through compiled code break and most samples stay
# unattributed:  JAVA_OPTS="-XX:+PreserveFramePointer" scripts/cluster.sh up  (about 1-3 % slower).
# --requests N: the requests served during the recording (wrk's rps x SECONDS), for CPU
# microseconds per request per node. Needs `perf` (Debian: linux-perf), `jcmd` and root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
RUN_DIR="${RUN_DIR:-$ROOT/run}"
SECONDS_TO_RECORD="${1:?usage: $0 SECONDS [--requests N] [OUT.data]}"
shift
REQUESTS=()
if [[ "${1:-}" == --requests ]]; then
  REQUESTS=(--requests "${2:?--requests needs a count}")
  shift 2
fi
OUT="${1:-$(mktemp /tmp/java-profile.XXXXXX.data)}"
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
command -v jcmd >/dev/null || { echo "jcmd is missing (a JDK's bin/)" >&2; exit 1; }

labels=()
for file in "$RUN_DIR"/pids/*.pid; do
  [[ -f "$file" ]] || continue
  pid="$(cat "$file")"
  [[ -d "/proc/$pid" ]] || continue
  id="$(basename "$file" .pid)"
  # a test of the whole command line, not `| grep -q`: with pipefail, grep's early exit can fail
  # the pipe and give a false warning
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == *-XX:+PreserveFramePointer* ]] ||
    echo "warning: $id (pid $pid) runs without -XX:+PreserveFramePointer: its Java stacks break" >&2
  labels+=("$pid=$id")
done
((${#labels[@]})) || { echo "no running node in $RUN_DIR/pids" >&2; exit 1; }

RATE_HZ=999
perf record -q -a -g -e cpu-clock -F "$RATE_HZ" -o "$OUT" -- sleep "$SECONDS_TO_RECORD" 2>/dev/null
# The maps name the code as compiled now; code compiled and freed during the recording is
# missing from them, so record after the warm-up.
for label in "${labels[@]}"; do
  jcmd "${label%%=*}" Compiler.perfmap >/dev/null
done
perf script -i "$OUT" -F pid,tid,comm,ip,sym 2>/dev/null |
  python3 "$ROOT/scripts/bench/java-profile.py" --hz "$RATE_HZ" "${REQUESTS[@]}" "${labels[@]}"
echo "(perf data: $OUT; perf maps: /tmp/perf-<pid>.map)"
