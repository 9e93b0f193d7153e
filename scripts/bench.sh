#!/usr/bin/env bash
# Side-by-side benchmark of Mini Dynamo against two references on this machine
# (docs/benchmarks.md explains the method and how to read the table).
#
#   scripts/bench.sh            # full run: 60 s warm-up, 3 workloads x 30 s, per system
#   scripts/bench.sh --quick    # smoke check: 3 s warm-up, 3 s per workload (NOT representative)
#   REPEAT=5 scripts/bench.sh   # 5 rounds of the 3 workloads, medians reported
#
# Systems, each run alone on the machine, one after the other, each on a fresh
# key space preloaded with k1..k$KEYS:
#   mini-dynamo  a fresh 3-node cluster (N=3, R=2, W=2) from target/mini-dynamo.jar,
#                its own nodes.conf and data dirs in a temp dir
#   in-memory    io.minidynamo.bench.InMemoryKvServer: one JVM, Pekko HTTP and a
#                ConcurrentHashMap, no replication, no disk (the ceiling)
#   etcd         a 3-member etcd cluster (Debian etcd-server) through its v3 JSON
#                gateway, driven by scripts/bench/etcd.lua (same workload)
# Workloads (wrk -t$THREADS -c$CONNECTIONS, ../shared/bench/mixed.lua against the
# first node): mixed (WRITE_PCT=50), put (100), get (0), after a warm-up of the
# mixed workload that is not reported.
#
# Installs wrk, etcd-server and etcd-client with apt-get if missing (root), builds
# the jar if missing. Everything it starts is stopped by its recorded pid on exit
# (also on Ctrl-C); the temp dir is removed. Only loopback addresses are used.
# Output: a table on stdout; the same table, the raw RESULT lines and the machine
# and settings in run/bench/bench-<timestamp>.txt. Each run also records "steal": the share of
# the machine's CPU time the hypervisor gave to other guests meanwhile (scripts/bench/steal.sh),
# and the results start and end with what an fsync and a wake-up cost on the machine right then
# (scripts/bench/machine-probe.py): both vary by 2x within minutes on a shared host.
#
# Options:
#   --quick          WARMUP=3 ETCD_WARMUP=3 DURATION=3 (overrides the environment)
#   --build          rebuild the jar first (mvn -B -q package -Dmaven.test.skip=true)
#   -h, --help       this text
# Environment (defaults in brackets):
#   WARMUP [60]        seconds of mixed load before measuring mini-dynamo and in-memory
#   ETCD_WARMUP [20]   the same for etcd (a Go server needs no JIT warm-up)
#   DURATION [30]      seconds per measured run
#   REPEAT [1]         rounds of the three measured runs; the table shows medians
#   KEYS [10000]  VALUE_BYTES [100]  THREADS [2]  CONNECTIONS [32]
#   JAVA_OPTS ["-Xms1g -Xmx1g -XX:+UseParallelGC"]  for the nodes and the in-memory server
#   DURABILITY [fsync] fsync | none (-Dmini-dynamo.durability=none; etcd always fsyncs)
#                      | nojournal: UNSAFE, the journal acknowledges without writing
#                      (-Dmini-dynamo.test.unsafe-skip-persist=on): what the rest of the
#                      request path costs: the bound for any change to how the journal
#                      writes, never a result
#   TARGET [n1]        n1: one wrk against the first node / member;
#                      all: one wrk per node (-t1, connections split), results summed
#                      (p50 = mean, p99 = max of the three); in-memory has one target
#   NO_ETCD=1          skip etcd          NO_INMEM=1   skip the in-memory reference
#   BENCH_LUA          workload script [<repo>/../shared/bench/mixed.lua]
#   ETCD_LUA           [scripts/bench/etcd.lua]
#   JAR                [target/mini-dynamo.jar]
#   BENCH_TMP          parent of the temp dir [${TMPDIR:-/tmp}]; not a tmpfs, or fsync is free
#   HEALTH_TIMEOUT [120]  STOP_TIMEOUT [20]   seconds
#   KEEP_LOGS=1        keep the servers' logs in run/bench/<timestamp>-logs (always kept on failure)
# Ports (127.0.0.1; a busy one is replaced by the next free one above it):
#   nodes HTTP 9001-9003, remoting 2551-2553; in-memory 9101;
#   etcd clients 2379 22379 32379, peers 2380 22380 32380.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
ME="scripts/bench.sh"
# shellcheck source=bench/steal.sh
source "$ROOT/scripts/bench/steal.sh"
# shellcheck source=class-archive.sh
source "$ROOT/scripts/class-archive.sh"

usage() { sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

QUICK=0
BUILD=0
while (($#)); do
  case "$1" in
    --quick) QUICK=1 ;;
    --build) BUILD=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

WARMUP="${WARMUP:-60}"
ETCD_WARMUP="${ETCD_WARMUP:-20}"
DURATION="${DURATION:-30}"
if ((QUICK)); then WARMUP=3; ETCD_WARMUP=3; DURATION=3; fi
REPEAT="${REPEAT:-1}"
KEYS="${KEYS:-10000}"
VALUE_BYTES="${VALUE_BYTES:-100}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseParallelGC}"
DURABILITY="${DURABILITY:-fsync}"
TARGET="${TARGET:-n1}"
NO_ETCD="${NO_ETCD:-0}"
NO_INMEM="${NO_INMEM:-0}"
KEEP_LOGS="${KEEP_LOGS:-0}"
BENCH_LUA="${BENCH_LUA:-$ROOT/../shared/bench/mixed.lua}"
ETCD_LUA="${ETCD_LUA:-$ROOT/scripts/bench/etcd.lua}"
JAR="${JAR:-$ROOT/target/mini-dynamo.jar}"
BENCH_TMP="${BENCH_TMP:-${TMPDIR:-/tmp}}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-120}"
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"
HOST=127.0.0.1

die() { echo "$ME: $*" >&2; exit 1; }
log() { echo "==> $*"; }

for v in WARMUP ETCD_WARMUP DURATION REPEAT KEYS VALUE_BYTES THREADS CONNECTIONS HEALTH_TIMEOUT STOP_TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
((DURATION > 0 && REPEAT > 0 && KEYS > 0 && THREADS > 0)) || die "DURATION, REPEAT, KEYS and THREADS must be > 0"
((CONNECTIONS >= THREADS)) || die "CONNECTIONS ($CONNECTIONS) must be >= THREADS ($THREADS)"
[[ "$DURABILITY" =~ ^(fsync|none|nojournal)$ ]] || die "DURABILITY must be fsync, none or nojournal"
[[ "$TARGET" == n1 || "$TARGET" == all ]] || die "TARGET must be n1 or all"
if [[ "$TARGET" == all ]] && ((CONNECTIONS < 3)); then die "TARGET=all needs CONNECTIONS >= 3"; fi
[[ -f "$BENCH_LUA" ]] || die "workload script not found: $BENCH_LUA (set BENCH_LUA=)"
BENCH_LUA="$(cd "$(dirname "$BENCH_LUA")" && pwd -P)/$(basename "$BENCH_LUA")"
if [[ "$NO_ETCD" != 1 ]]; then
  [[ -f "$ETCD_LUA" ]] || die "etcd workload script not found: $ETCD_LUA"
fi

# ------------------------------------------------------------- tools ---

APT_UPDATED=0
apt_install() { # package...
  [[ "$(id -u)" == 0 ]] || die "missing $*: install with 'sudo apt-get install $*' (or run as root)"
  command -v apt-get >/dev/null || die "missing $* and no apt-get here: install them by hand"
  log "apt-get install $*"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; then
    ((APT_UPDATED)) && die "apt-get install $* failed"
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
      || die "apt-get install $* failed"
  fi
}

need_tools() {
  local -a missing=()
  command -v curl >/dev/null || missing+=(curl)
  command -v wrk >/dev/null || missing+=(wrk)
  if [[ "$NO_ETCD" != 1 ]]; then
    command -v etcd >/dev/null || missing+=(etcd-server)
    command -v etcdctl >/dev/null || missing+=(etcd-client)
  fi
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  command -v java >/dev/null || die "java (17+) not found"
  curl --help all 2>/dev/null | grep -q -- '--parallel-max' || die "curl is too old for --parallel (needs 7.66+)"
}

jar_stale() { [[ -n "$(find "$ROOT/pom.xml" "$ROOT/src/main" -newer "$JAR" -print -quit 2>/dev/null)" ]]; }

need_jar() {
  if ((BUILD)) || [[ ! -f "$JAR" ]]; then
    log "building $JAR (mvn -B -q package -Dmaven.test.skip=true)"
    mvn -B -q package -Dmaven.test.skip=true
    [[ -f "$JAR" ]] || die "build finished but $JAR is missing"
  elif jar_stale; then
    echo "$ME: warning: $JAR is older than pom.xml/src/main; measuring it anyway (--build rebuilds)" >&2
  fi
}

# --------------------------------------------------------- processes ---

WORK=""
RESULTS=""
STAMP="$(date +%Y%m%d-%H%M%S)"
PIDS=()   # every process this script started (and not yet stopped)
NAMES=()

# True if <pid> is alive and is one of ours: every command started here names $WORK.
ours() {
  [[ -r "/proc/$1/cmdline" ]] && tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$WORK"
}

alive() { ours "$1" && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

# start <name> <command...>: in the background, in its own session (a Ctrl-C here
# reaches only this script, whose trap stops it), log in $WORK/logs/<name>.log.
start() {
  local name="$1" pid
  shift
  setsid "$@" >"$WORK/logs/$name.log" 2>&1 </dev/null &
  pid=$!
  PIDS+=("$pid")
  NAMES+=("$name")
  echo "$pid $name" >>"$WORK/pids"
  log "$name started (pid $pid)"
}

pid_of() {
  local i
  for i in "${!NAMES[@]}"; do
    [[ "${NAMES[$i]}" == "$1" ]] && { echo "${PIDS[$i]}"; return 0; }
  done
  return 1
}

# stop <name>...: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL; by recorded pid only.
stop() {
  local name pid i deadline
  local -a pids=()
  for name in "$@"; do
    pid="$(pid_of "$name")" || continue
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    pids+=("$pid")
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  for pid in "${pids[@]}"; do
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then
      echo "$ME: pid $pid still alive after ${STOP_TIMEOUT}s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  for name in "$@"; do
    for i in "${!NAMES[@]}"; do
      if [[ "${NAMES[$i]}" == "$name" ]]; then unset 'NAMES[i]' 'PIDS[i]'; fi
    done
  done
  NAMES=("${NAMES[@]+"${NAMES[@]}"}")
  PIDS=("${PIDS[@]+"${PIDS[@]}"}")
  log "stopped: $*"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if ((${#NAMES[@]})); then stop "${NAMES[@]}"; fi
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if [[ "$rc" != 0 || "$KEEP_LOGS" == 1 ]] && [[ -d "$WORK/logs" ]]; then
      local keep
      keep="$ROOT/run/bench/$([[ "$rc" == 0 ]] || echo failed-)$STAMP-logs"
      mkdir -p "$keep" && cp -r "$WORK/logs/." "$keep/" && echo "$ME: logs kept in $keep" >&2
    fi
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}

port_busy() { timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null; }

TAKEN=" "
PORT=""
# pick_port <preferred>: sets PORT to the preferred port if nothing listens there and this
# run has not taken it, else to the next such port above it. (Not in $(...): TAKEN must stick.)
pick_port() {
  local p="$1"
  while port_busy "$p" || [[ "$TAKEN" == *" $p "* ]]; do
    p=$((p + 1))
    ((p < $1 + 500)) || die "no free port in $1..$p"
  done
  TAKEN+="$p "
  PORT="$p"
}

# wait_ready <name> <url>: until <url> answers 2xx; fail with the log tail if the process dies.
wait_ready() {
  local name="$1" url="$2" pid deadline=$((SECONDS + HEALTH_TIMEOUT))
  pid="$(pid_of "$name")"
  until curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; do
    if ! alive "$pid"; then
      echo "$ME: $name (pid $pid) exited during startup; last lines of its log:" >&2
      tail -n 30 "$WORK/logs/$name.log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "$ME: $name did not answer $url within ${HEALTH_TIMEOUT}s; last lines of its log:" >&2
      tail -n 30 "$WORK/logs/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  log "$name ready ($url)"
}

# ------------------------------------------------------------ preload ---

# Base64 of k1..k<n>, one a line (awk: no process per key).
key_base64() {
  awk -v n="$1" 'BEGIN {
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    for (i = 0; i < 256; i++) ord[sprintf("%c", i)] = i
    for (k = 1; k <= n; k++) {
      s = "k" k; out = ""
      for (i = 1; i <= length(s); i += 3) {
        b1 = ord[substr(s, i, 1)]; r = length(s) - i + 1
        b2 = r > 1 ? ord[substr(s, i + 1, 1)] : 0; b3 = r > 2 ? ord[substr(s, i + 2, 1)] : 0
        x = b1 * 65536 + b2 * 256 + b3
        out = out substr(a, int(x / 262144) % 64 + 1, 1) substr(a, int(x / 4096) % 64 + 1, 1)
        out = out (r > 1 ? substr(a, int(x / 64) % 64 + 1, 1) : "=") (r > 2 ? substr(a, x % 64 + 1, 1) : "=")
      }
      print out
    }
  }'
}

# preload <kv|etcd> <base url>: write every key once (curl, 16 transfers in parallel)
# and fail unless every write was acknowledged.
preload() {
  local kind="$1" url="$2" cfg="$WORK/preload.curl" value codes ok
  value="$(head -c "$VALUE_BYTES" /dev/zero | tr '\0' v)"
  if [[ "$kind" == kv ]]; then
    printf '%s' "$value" >"$WORK/value"
    awk -v n="$KEYS" -v url="$url" -v f="$WORK/value" 'BEGIN {
      for (k = 1; k <= n; k++) {
        if (k > 1) print "next"
        printf "url = \"%s/kv/k%d\"\nrequest = PUT\ndata-binary = \"@%s\"\n", url, k, f
        printf "header = \"Content-Type: application/octet-stream\"\noutput = /dev/null\n"
        printf "write-out = \"%%{http_code}\\n\"\n"
      }
    }' >"$cfg"
    ok=204
  else
    local v64
    v64="$(printf '%s' "$value" | base64 -w0)"
    key_base64 "$KEYS" | awk -v url="$url" -v v="$v64" '{
      if (NR > 1) print "next"
      printf "url = \"%s/v3/kv/put\"\nrequest = POST\n", url
      printf "data-binary = \"{\\\"key\\\":\\\"%s\\\",\\\"value\\\":\\\"%s\\\"}\"\n", $0, v
      printf "header = \"Content-Type: application/json\"\noutput = /dev/null\n"
      printf "write-out = \"%%{http_code}\\n\"\n"
    }' >"$cfg"
    ok=200
  fi
  local t0=$SECONDS
  # stderr to a file: curl 7.88 draws its parallel progress meter despite -s when the
  # transfers come from a config file
  codes="$(curl -sS --parallel --parallel-max 16 --max-time 10 --config "$cfg" 2>"$WORK/preload.err" \
    | sort | uniq -c | tr -s ' ' | sed 's/^ //')" || true
  local good
  good="$(awk -v ok="$ok" '$2 == ok { print $1 }' <<<"$codes")"
  if [[ "${good:-0}" != "$KEYS" ]]; then
    grep -o 'curl: ([0-9]*) [^0-9]*' "$WORK/preload.err" | sort | uniq -c | sort -rn | head -n 5 >&2 || true
    die "preload of $KEYS keys at $url: answers by status (count status): $(tr '\n' ' ' <<<"$codes")"
  fi
  log "preloaded k1..k$KEYS ($VALUE_BYTES-byte values) in $((SECONDS - t0))s: all $ok"
}

verify_kv() { # <base url>: the first and the last key read back with the preloaded value
  local url="$1" k got want
  want="$(head -c "$VALUE_BYTES" /dev/zero | tr '\0' v)"
  for k in 1 "$KEYS"; do
    got="$(curl -fsS --max-time 5 "$url/kv/k$k")" || die "GET $url/kv/k$k after the preload failed"
    [[ "$got" == "$want" ]] || die "GET $url/kv/k$k after the preload: unexpected value"
  done
  log "verified: GET k1 and k$KEYS answer 200 with the value"
}

verify_etcd() { # <base url>: the number of keys in [k, l) is KEYS
  local url="$1" body
  body="$(curl -fsS --max-time 5 -X POST -d '{"key":"aw==","range_end":"bA==","count_only":true}' "$url/v3/kv/range")" \
    || die "etcd count after the preload failed"
  [[ "$body" == *"\"count\":\"$KEYS\""* ]] || die "etcd holds a different number of keys than $KEYS: $body"
  log "verified: etcd holds exactly $KEYS keys in [k, l)"
}

# ------------------------------------------------------------ wrk runs ---

declare -A RPS P50 P99 ERR STEAL  # "<system>|<workload>" -> space-separated values, one per round

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<" $2"; }

# wrk_one <out> <lua> <write pct> <seconds> <threads> <connections> <url>
wrk_one() {
  KEYS="$KEYS" WRITE_PCT="$3" VALUE_BYTES="$VALUE_BYTES" \
    wrk -t"$5" -c"$6" -d"$4s" -s "$2" "$7" >"$1" 2>&1
}

# load <system> <label> <lua> <write pct> <seconds> <url>...: prints one RESULT line
load() {
  local system="$1" label="$2" lua="$3" pct="$4" secs="$5"
  shift 5
  local -a urls=("$@")
  local out="$WORK/wrk-$system-$label"
  if ((${#urls[@]} == 1)); then
    wrk_one "$out.0" "$lua" "$pct" "$secs" "$THREADS" "$CONNECTIONS" "${urls[0]}" \
      || { cat "$out.0" >&2; die "wrk failed ($system $label)"; }
    grep -m1 '^RESULT ' "$out.0" || { cat "$out.0" >&2; die "wrk printed no RESULT line ($system $label)"; }
    return
  fi
  # one wrk per target, one thread each, the connections split among them
  local i n=${#urls[@]} c
  local -a pids=()
  for i in "${!urls[@]}"; do
    c=$((CONNECTIONS / n + (i < CONNECTIONS % n ? 1 : 0)))
    wrk_one "$out.$i" "$lua" "$pct" "$secs" 1 "$c" "${urls[$i]}" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "$out.$i" >&2; die "wrk failed ($system $label, ${urls[$i]})"; }
  done
  for i in "${!urls[@]}"; do
    grep -m1 '^RESULT ' "$out.$i" || { cat "$out.$i" >&2; die "wrk printed no RESULT line ($system $label)"; }
  done | awk '{
      for (f = 2; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
      rps += v["rps"]; p50 += v["p50_ms"]; if (v["p99_ms"] > p99) p99 = v["p99_ms"]
      err += v["errors"]; to += v["non2xx_timeouts"]; n++
    }
    END { printf "RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx_timeouts=%d (sum of %d wrk: p50 mean, p99 max)\n",
      rps, p50 / n, p99, err, to, n }'
}

raw() { echo "$*" >>"$RESULTS"; }

# measure <system> <lua> <warm-up seconds> <url>...: warm-up, then REPEAT rounds of 3 workloads
measure() {
  local system="$1" lua="$2" warm="$3"
  shift 3
  local line round wl pct k times
  if ((warm > 0)); then
    log "$system: warm-up, ${warm}s of mixed load (not reported)"
    line="$(load "$system" warmup "$lua" 50 "$warm" "$@")"
    log "$system: warm-up $line"
    raw "$system warmup ${warm}s $line"
  fi
  for ((round = 1; round <= REPEAT; round++)); do
    for wl in mixed put get; do
      case "$wl" in mixed) pct=50 ;; put) pct=100 ;; get) pct=0 ;; esac
      times="$(cpu_times)"
      line="$(load "$system" "$wl-$round" "$lua" "$pct" "$DURATION" "$@")"
      line+=" steal_pct=$(steal_pct "$times" "$(cpu_times)")"
      log "$system: $wl (WRITE_PCT=$pct) round $round/$REPEAT: $line"
      raw "$system $wl round=$round ${DURATION}s loadavg=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /) $line"
      k="$system|$wl"
      RPS[$k]+="$(field rps "$line") "
      P50[$k]+="$(field p50_ms "$line") "
      P99[$k]+="$(field p99_ms "$line") "
      ERR[$k]+="$(field errors "$line") "
      STEAL[$k]+="$(field steal_pct "$line") "
    done
  done
}

# ------------------------------------------------------------- systems ---

run_mini_dynamo() {
  local -a ids=(n1 n2 n3) http=() remote=() urls=()
  local i
  for i in 0 1 2; do
    pick_port $((9001 + i)); http+=("$PORT")
    pick_port $((2551 + i)); remote+=("$PORT")
  done
  scripts/bench/nodes-conf.sh 3 2 2 "$HOST" \
    "${http[0]}:${remote[0]}" "${http[1]}:${remote[1]}" "${http[2]}:${remote[2]}" >"$WORK/nodes.conf"
  local -a jopts=()
  read -r -a jopts <<<"$JAVA_OPTS"
  case "$DURABILITY" in
    none) jopts+=(-Dmini-dynamo.durability=none) ;;
    nojournal) jopts+=(-Dmini-dynamo.test.unsafe-skip-persist=on) ;;
  esac
  add_class_archive_opt jopts "$JAR"
  log "mini-dynamo: 3 nodes, durability=$DURABILITY, JAVA_OPTS=$JAVA_OPTS"
  for i in 0 1 2; do
    mkdir -p "$WORK/data/${ids[$i]}"
    start "${ids[$i]}" java "${jopts[@]}" -jar "$JAR" \
      --id "${ids[$i]}" --config "$WORK/nodes.conf" --data-dir "$WORK/data/${ids[$i]}"
  done
  for i in 0 1 2; do
    wait_ready "${ids[$i]}" "http://$HOST:${http[$i]}/health"
    urls+=("http://$HOST:${http[$i]}")
  done
  preload kv "${urls[0]}"
  verify_kv "${urls[0]}"
  [[ "$TARGET" == all ]] || urls=("${urls[0]}")
  measure mini-dynamo "$BENCH_LUA" "$WARMUP" "${urls[@]}"
  stop n1 n2 n3
  rm -rf -- "$WORK/data"
}

run_in_memory() {
  local port url
  pick_port 9101; port="$PORT"
  url="http://$HOST:$port"
  local -a jopts=()
  read -r -a jopts <<<"$JAVA_OPTS"
  log "in-memory: one JVM, JAVA_OPTS=$JAVA_OPTS"
  # -Dbench.work names $WORK on the command line, so that stop() recognises the process
  start in-memory java "${jopts[@]}" "-Dbench.work=$WORK" -cp "$JAR" \
    io.minidynamo.bench.InMemoryKvServer --listen "$HOST:$port"
  wait_ready in-memory "$url/health"
  preload kv "$url"
  verify_kv "$url"
  measure in-memory "$BENCH_LUA" "$WARMUP" "$url"
  stop in-memory
}

run_etcd() {
  local -a names=(e1 e2 e3) client=() peer=() urls=() client_ports=(2379 22379 32379)
  local i cluster=""
  for i in 0 1 2; do
    pick_port "${client_ports[$i]}"; client+=("$PORT")
    pick_port $((client_ports[i] + 1)); peer+=("$PORT")
    cluster+="${cluster:+,}${names[$i]}=http://$HOST:${peer[$i]}"
  done
  log "etcd: 3 members ($(etcd --version | head -n 1))"
  for i in 0 1 2; do
    start "${names[$i]}" etcd --name "${names[$i]}" --data-dir "$WORK/etcd/${names[$i]}" \
      --listen-client-urls "http://$HOST:${client[$i]}" --advertise-client-urls "http://$HOST:${client[$i]}" \
      --listen-peer-urls "http://$HOST:${peer[$i]}" --initial-advertise-peer-urls "http://$HOST:${peer[$i]}" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$$" \
      --logger zap --log-level warn
  done
  for i in 0 1 2; do
    wait_ready "${names[$i]}" "http://$HOST:${client[$i]}/health"
    urls+=("http://$HOST:${client[$i]}")
  done
  preload etcd "${urls[0]}"
  verify_etcd "${urls[0]}"
  [[ "$TARGET" == all ]] || urls=("${urls[0]}")
  measure etcd "$ETCD_LUA" "$ETCD_WARMUP" "${urls[@]}"
  stop e1 e2 e3
  rm -rf -- "$WORK/etcd"
}

# --------------------------------------------------------------- table ---

median() { tr -s ' ' '\n' | awk NF | sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
total() { tr -s ' ' '\n' | awk NF | awk '{ s += $1 } END { print NR ? s : "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

table() {
  local -a systems=(mini-dynamo)
  [[ "$NO_INMEM" == 1 ]] || systems+=(in-memory)
  [[ "$NO_ETCD" == 1 ]] || systems+=(etcd)
  local wl s k label
  echo "Results: medians of $REPEAT round(s) of ${DURATION}s per workload (errors: total over the rounds)"
  echo "wrk -t$THREADS -c$CONNECTIONS, KEYS=$KEYS, VALUE_BYTES=$VALUE_BYTES, target=$TARGET, durability=$DURABILITY"
  echo
  printf '%-8s %-24s %10s %9s %9s %8s %7s\n' workload system ops/s p50_ms p99_ms errors steal%
  for wl in mixed put get; do
    for s in "${systems[@]}"; do
      k="$s|$wl"
      case "$s" in
        mini-dynamo) label="mini-dynamo ($DURABILITY)" ;;
        in-memory) label="in-memory (1 JVM)" ;;
        etcd) label="etcd (3 members)" ;;
      esac
      printf '%-8s %-24s %10s %9s %9s %8s %7s\n' "$wl" "$label" \
        "$(median <<<"${RPS[$k]:-}")" "$(median <<<"${P50[$k]:-}")" "$(median <<<"${P99[$k]:-}")" \
        "$(total <<<"${ERR[$k]:-}")" "$(median <<<"${STEAL[$k]:-}")"
    done
  done
  echo
  printf '%-8s %22s %17s\n' workload "mini-dynamo/in-memory" "mini-dynamo/etcd"
  local md inmem et k
  for wl in mixed put get; do
    k="mini-dynamo|$wl"; md="$(median <<<"${RPS[$k]:-}")"
    k="in-memory|$wl"; inmem="$(median <<<"${RPS[$k]:-}")"
    k="etcd|$wl"; et="$(median <<<"${RPS[$k]:-}")"
    printf '%-8s %22s %17s\n' "$wl" "$(ratio "$md" "$inmem")" "$(ratio "$md" "$et")"
  done
  echo "(ratios of ops/s; above 1 means mini-dynamo is faster)"
  echo "(steal%: CPU time the hypervisor gave to other guests during the runs, median; every point of it"
  echo " costs throughput, so compare runs and systems at similar steal: scripts/bench/steal.sh)"
}

machine() {
  echo "date: $(date -u '+%F %T UTC')"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "cpu: $(nproc) x $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
  echo "memory: $(free -g | awk '/^Mem:/ { print $2 }') GiB"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | head -n 1)"
  echo "wrk: $(wrk -v 2>&1 | head -n 1 | cut -c1-60)"
  [[ "$NO_ETCD" == 1 ]] || echo "etcd: $(etcd --version | head -n 1)"
  echo "settings: WARMUP=$WARMUP ETCD_WARMUP=$ETCD_WARMUP DURATION=$DURATION REPEAT=$REPEAT KEYS=$KEYS VALUE_BYTES=$VALUE_BYTES THREADS=$THREADS CONNECTIONS=$CONNECTIONS TARGET=$TARGET DURABILITY=$DURABILITY QUICK=$QUICK"
  echo "JAVA_OPTS: $JAVA_OPTS"
  echo "workload: $BENCH_LUA"
  [[ "$NO_ETCD" == 1 ]] || echo "etcd workload: $ETCD_LUA"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  probe "at start"
}

# probe WHEN: this machine's cost of an fsync and of a wake-up now (scripts/bench/machine-probe.py)
probe() {
  "$ROOT/scripts/bench/machine-probe.py" "$WORK" | sed "s/^probe /probe $1, /"
}

# ---------------------------------------------------------------- main ---

need_tools
need_jar
mkdir -p "$ROOT/run/bench" "$BENCH_TMP"
RESULTS="$ROOT/run/bench/bench-$STAMP.txt"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
WORK="$(mktemp -d "$BENCH_TMP/mini-dynamo-bench.XXXXXX")"
mkdir -p "$WORK/logs"
if [[ "$DURABILITY" == fsync && "$(stat -f -c %T "$WORK")" == tmpfs ]]; then
  echo "$ME: warning: $WORK is on tmpfs, where fsync costs nothing; set BENCH_TMP to a disk directory" >&2
fi
[[ "$DURABILITY" == nojournal ]] && echo "$ME: DURABILITY=nojournal: the nodes' journals acknowledge without writing (UNSAFE): a bound for the request path without the journal's writes, not Mini Dynamo's figures" >&2
((QUICK)) && echo "$ME: --quick: ${WARMUP}s warm-up, ${DURATION}s runs; a smoke check, NOT a representative measurement" >&2

{
  machine
  echo
  echo "raw wrk RESULT lines: <system> <workload> round=<n> <seconds> loadavg=<1/5/15 min> RESULT ..."
} >"$RESULTS"
cat "$RESULTS"
echo
run_mini_dynamo
[[ "$NO_INMEM" == 1 ]] || run_in_memory
[[ "$NO_ETCD" == 1 ]] || run_etcd

probe "at the end" | tee -a "$RESULTS"
echo
echo >>"$RESULTS"
table | tee -a "$RESULTS"
echo
log "raw RESULT lines and this table: ${RESULTS#"$ROOT"/}"
