#!/usr/bin/env bash
# TEST ONLY: exercises scripts/cluster.sh (and scripts/smoke.sh) against the
# fake stand-in node scripts/testing/fake-node.py, on loopback ports 19101-19103
# / 19201-19203, with state in a temp dir. Needs python3 and curl; no Java.
#
#   scripts/testing/test-cluster.sh
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$ROOT" || exit 1
T="$(mktemp -d)"
export CONFIG="$T/nodes.conf" RUN_DIR="$T/run" DATA_ROOT="$T/data"
export NODE_CMD="python3 scripts/testing/fake-node.py"
export HEALTH_TIMEOUT=15 STOP_TIMEOUT=5
C=scripts/cluster.sh
cat >"$CONFIG" <<'CONF'
mini-dynamo {
  n = 3
  r = 2
  w = 2
  nodes = [
    { id = "n1", http = "127.0.0.1:19101", remote = "127.0.0.1:19201" }
    { id = "n2", http = "127.0.0.1:19102", remote = "127.0.0.1:19202" }
    { id = "n3", http = "127.0.0.1:19103", remote = "127.0.0.1:19203" }
  ]
}
CONF

passed=0 failed=0
declare -a decoys=()
ok() { echo "PASS $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
pidof_node() { cat "$RUN_DIR/pids/$1.pid" 2>/dev/null; }
alive() { kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
dead() { ! alive "$1"; }
healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$1/health" | grep -q '"status": *"ok"'; }
# Processes started for this run: their command line names this run's unique temp dir.
leftovers() {
  local d
  for d in /proc/[0-9]*; do
    [[ "${d#/proc/}" == "$$" ]] && continue
    { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -q "fake-node.py .*$T/" && echo "${d#/proc/}"
  done
  return 0
}
cleanup() {
  $C down >/dev/null 2>&1 || true
  local p
  for p in "${decoys[@]+"${decoys[@]}"}"; do kill "$p" 2>/dev/null || true; done
  for p in $(leftovers); do kill "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT

# --- usage
$C >/dev/null 2>&1; check "no command -> exit 2" test $? -eq 2
$C frobnicate >/dev/null 2>&1; check "unknown command -> exit 2" test $? -eq 2
$C start >/dev/null 2>&1; check "start without id -> exit 2" test $? -eq 2
$C start n9 >/dev/null 2>&1; check "unknown id -> exit 1" test $? -eq 1
CONFIG=/nonexistent $C status >/dev/null 2>&1; check "missing config -> exit 1" test $? -eq 1

# --- up / status
$C up >"$T/up.out" 2>&1; rc=$?
check "up exits 0" test $rc -eq 0
check "up prints the stop command" grep -q 'scripts/cluster.sh down' "$T/up.out"
check "up prints the URLs" grep -q 'http://127.0.0.1:19103' "$T/up.out"
for i in 1 2 3; do
  p="$(pidof_node n$i)"
  check "n$i pid recorded and alive" alive "$p"
  check "n$i recorded pid is the node (cmdline has --id n$i)" grep -qa -- "--id.n$i" "/proc/$p/cmdline"
  check "n$i healthy" healthy 1910$i
  check "n$i log exists" test -s "$RUN_DIR/logs/n$i.log"
done
$C status >"$T/status.out"
check "status shows 3 alive" test "$(grep -c ' alive ' "$T/status.out")" -eq 3
check "status shows health answer" grep -q '"node": "n2"' "$T/status.out"
p1="$(pidof_node n1)"
$C up >/dev/null 2>&1
check "second up is idempotent (same n1 pid)" test "$(pidof_node n1)" = "$p1"

# --- smoke script against the stand-in
SMOKE_PORTS="19101 19102 19103" scripts/smoke.sh >/dev/null 2>&1
check "smoke.sh passes on the stand-in" test $? -eq 0

# --- kill -9 / start / restart
p2="$(pidof_node n2)"
$C kill n2 >/dev/null
sleep 0.3
check "kill n2: process gone" dead "$p2"
check "kill n2: pid file removed" test ! -e "$RUN_DIR/pids/n2.pid"
check "status: n2 down" grep -q '^n2 .* down ' <<<"$($C status)"
check "n1 untouched by kill n2" alive "$p1"
$C start n2 >/dev/null 2>&1; check "start n2 exits 0" test $? -eq 0
check "n2 healthy again" healthy 19102
p2b="$(pidof_node n2)"
$C restart n2 >/dev/null 2>&1; check "restart n2 exits 0" test $? -eq 0
check "restart n2: new pid" test "$(pidof_node n2)" != "$p2b"
check "restart n2: old pid gone" dead "$p2b"
check "restart n2: graceful (SIGTERM seen in log)" grep -q 'SIGTERM, shutting down' "$RUN_DIR/logs/n2.log"

# --- pause / resume
p3="$(pidof_node n3)"
$C pause n3 >/dev/null
check "pause n3: state T" test "$(awk '{print $3}' /proc/"$p3"/stat)" = T
check "status: n3 paused" grep -q '^n3 .* paused ' <<<"$($C status)"
$C resume n3 >/dev/null
check "resume n3: healthy" healthy 19103
$C pause n3 >/dev/null
$C stop n3 >/dev/null 2>&1
check "stop of a paused node works (SIGTERM+SIGCONT)" dead "$p3"
check "stop of a paused node was graceful" test "$(grep -c 'SIGTERM, shutting down' "$RUN_DIR/logs/n3.log")" -eq 1
check "stop n3: pid file removed" test ! -e "$RUN_DIR/pids/n3.pid"
$C start n3 >/dev/null 2>&1

# --- never kill by name: decoys
# a process with the same '--id n2' args but another working directory
(cd /tmp && exec python3 -c 'import time; time.sleep(300)' --id n2 --config x --data-dir y) &
decoy=$!; decoys+=("$decoy")
sleep 0.3
real2="$(pidof_node n2)"
echo "$decoy" >"$RUN_DIR/pids/n2.pid"
$C stop n2 >"$T/decoy.out" 2>&1
check "decoy with --id n2 in another cwd not killed" alive "$decoy"
check "decoy: warning printed" grep -q 'is not node n2' "$T/decoy.out"
check "real n2 (not recorded) left alone" alive "$real2"
# an unrelated process in this very directory
sleep 300 & unrelated=$!; decoys+=("$unrelated")
echo "$unrelated" >"$RUN_DIR/pids/n1.pid"
real1="$p1"
$C kill n1 >/dev/null 2>&1
check "unrelated 'sleep' behind n1.pid not killed" alive "$unrelated"
check "real n1 untouched" alive "$real1"
# give the real pids back
echo "$real1" >"$RUN_DIR/pids/n1.pid"; echo "$real2" >"$RUN_DIR/pids/n2.pid"

# --- port busy: refuse to start over someone else's listener
$C kill n3 >/dev/null
python3 -c 'import socket,time; s=socket.create_server(("127.0.0.1",19103)); time.sleep(300)' & squatter=$!; decoys+=("$squatter")
sleep 0.5
$C start n3 >"$T/busy.out" 2>&1; rc=$?
check "start n3 on a busy port fails" test $rc -ne 0
check "busy port: clear message" grep -q 'already in use' "$T/busy.out"
kill "$squatter"; wait "$squatter" 2>/dev/null

# --- startup failure and health timeout print the log tail
FAKE_EXIT_AT_START=1 $C start n3 >"$T/fail.out" 2>&1; rc=$?
check "node dying at startup: exit 1" test $rc -eq 1
check "node dying at startup: log tail shown" grep -q 'failing at startup' "$T/fail.out"
check "node dying at startup: pid file dropped" test ! -e "$RUN_DIR/pids/n3.pid"
HEALTH_TIMEOUT=2 FAKE_START_DELAY=30 $C start n3 >"$T/slow.out" 2>&1; rc=$?
check "health deadline: exit 1" test $rc -eq 1
check "health deadline: message" grep -q "did not answer .*within 2s" "$T/slow.out" || cat "$T/slow.out"
$C stop n3 >/dev/null 2>&1

# --- SIGKILL escalation when SIGTERM is ignored
FAKE_IGNORE_TERM=1 $C start n3 >/dev/null 2>&1
p3="$(pidof_node n3)"
t0=$SECONDS
STOP_TIMEOUT=2 $C stop n3 >"$T/esc.out" 2>&1
sleep 0.3
check "ignored SIGTERM -> SIGKILL after deadline" dead "$p3"
check "escalation message" grep -q 'SIGKILL' "$T/esc.out"
check "escalation took about STOP_TIMEOUT" test $((SECONDS - t0)) -le 5

# --- down
pids=("$(pidof_node n1)" "$(pidof_node n2)")
$C down >/dev/null 2>&1; check "down exits 0" test $? -eq 0
for p in "${pids[@]}"; do check "down: pid $p gone" dead "$p"; done
check "down: no pid files left" test -z "$(ls -A "$RUN_DIR/pids")"
check "decoys survived everything" bash -c "kill -0 ${decoys[0]} && kill -0 ${decoys[1]}"
$C down >/dev/null 2>&1; check "down when already down exits 0" test $? -eq 0

# --- wipe
$C wipe </dev/null >/dev/null 2>&1; check "wipe without tty and without -y refuses" test $? -ne 0
check "refused wipe kept data" test -d "$DATA_ROOT"
$C wipe -y >/dev/null 2>&1; check "wipe -y exits 0" test $? -eq 0
check "wipe removed data and run" bash -c "test ! -e '$DATA_ROOT' && test ! -e '$RUN_DIR'"

$C up >/dev/null 2>&1
$C down >/dev/null 2>&1
check "no stand-in process leaked by the whole run" test -z "$(leftovers)"

echo "$passed passed, $failed failed"
((failed == 0))
