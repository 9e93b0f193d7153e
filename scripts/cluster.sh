#!/usr/bin/env bash
# Local operations for a Mini Dynamo cluster: every node is a JVM on this
# machine, bound to the loopback addresses listed in the config.
#
# State lives under run/ (gitignored): run/pids/<id>.pid, run/logs/<id>.log.
# Node data lives under data/<id>.
#
# Nodes are only ever signalled through their recorded pid, and only after
# checking that the pid still is that node: its command line must contain
# `--id <id>` and its working directory must be this checkout.  Nothing is
# ever killed by name.
#
# Environment:
#   CONFIG          node config (default: nodes.conf)
#   JAVA_OPTS       extra JVM options, e.g. JAVA_OPTS="-Xmx256m"
#   JAR             node jar (default: target/mini-dynamo.jar); started with its class-data
#                   archive beside it when there is one (scripts/class-archive.sh)
#   CLASS_ARCHIVE   off: start without that archive
#   HEALTH_TIMEOUT  seconds to wait for /health after a start (default: 60)
#   STOP_TIMEOUT    seconds to wait after SIGTERM before SIGKILL (default: 20)
#   RUN_DIR         state directory (default: run)
#   DATA_ROOT       data directory root (default: data)
#   NODE_CMD        testing hook: command used instead of `java $JAVA_OPTS -jar $JAR`
#                   (the node arguments are appended; no build is done).
#                   See scripts/testing/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
# shellcheck source=class-archive.sh
source "$ROOT/scripts/class-archive.sh"

CONFIG="${CONFIG:-nodes.conf}"
JAR="${JAR:-target/mini-dynamo.jar}"
JAVA_OPTS="${JAVA_OPTS:-}"
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-60}"
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"
RUN_DIR="${RUN_DIR:-run}"
DATA_ROOT="${DATA_ROOT:-data}"
NODE_CMD="${NODE_CMD:-}"
PID_DIR="$RUN_DIR/pids"
LOG_DIR="$RUN_DIR/logs"
ME="scripts/cluster.sh"

usage() {
  cat <<EOF
Usage: $ME COMMAND [ARGS]

  up [--build]     build the jar if missing or stale (always with --build),
                   start every node of \$CONFIG and wait for /health
  down             stop every node (SIGTERM, then SIGKILL after ${STOP_TIMEOUT}s)
  start <id>       start one node and wait for /health
  stop <id>        stop one node gracefully (SIGTERM)
  kill <id>        kill -9 one node (crash demo)
  restart <id>     stop (if running) then start one node
  pause <id>       freeze one node (SIGSTOP)
  resume <id>      unfreeze one node (SIGCONT)
  status           table of nodes: pid, state, HTTP URL, /health answer
  logs <id>        follow a node's log (tail -F)
  wipe [-y]        down, then delete $DATA_ROOT/ and $RUN_DIR/ (asks unless -y)

Config: \$CONFIG (now: $CONFIG). Extra JVM options: \$JAVA_OPTS.
EOF
}

die() { echo "$ME: $*" >&2; exit 1; }
log() { echo "==> $*"; }

# ---------------------------------------------------------------- config ---

need_config() {
  [[ -f "$CONFIG" ]] || die "config '$CONFIG' not found (run from the repo root, or set CONFIG=path)"
}

node_ids() {
  grep -o 'id *= *"[^"]*"' "$CONFIG" | sed 's/.*"\(.*\)"/\1/'
}

# "host:port" of a node's HTTP API, from the config line that names the node.
node_http() {
  local id="$1" line
  line="$(grep "id *= *\"$id\"" "$CONFIG" | head -n 1)"
  printf '%s\n' "$line" | grep -o 'http *= *"[^"]*"' | sed 's/.*"\(.*\)"/\1/'
}

node_remote() {
  local id="$1" line
  line="$(grep "id *= *\"$id\"" "$CONFIG" | head -n 1)"
  printf '%s\n' "$line" | grep -o 'remote *= *"[^"]*"' | sed 's/.*"\(.*\)"/\1/'
}

is_loopback() {
  case "$1" in
    127.*|localhost|'[::1]'|::1) return 0 ;;
    *) return 1 ;;
  esac
}

url_of() {
  local hp
  hp="$(node_http "$1")"
  [[ -n "$hp" ]] || { echo "-"; return; }
  echo "http://$hp"
}

require_id() {
  local id="${1:-}"
  [[ -n "$id" ]] || { usage >&2; exit 2; }
  node_ids | grep -qx -- "$id" || die "unknown node '$id' (nodes in $CONFIG: $(node_ids | tr '\n' ' '))"
}

# --------------------------------------------------------- process state ---

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }

recorded_pid() {
  local f
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] || return 1
  echo "$pid"
}

# True if <pid> is alive and is node <id> of this checkout.
pid_is_node() {
  local pid="$1" id="$2" cwd
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  # cmdline is NUL separated: look for the two consecutive arguments "--id" "<id>".
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null \
    | awk -v id="$id" 'prev == "--id" && $0 == id { found = 1 } { prev = $0 } END { exit !found }' \
    || return 1
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
  [[ "$cwd" == "$ROOT" ]]
}

proc_state() { # one-letter state from /proc/<pid>/stat (R, S, T, Z, ...)
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  echo "${stat%% *}"
}

# Prints the pid of node <id> if it is running; removes a stale pid file.
live_pid() {
  local id="$1" pid
  pid="$(recorded_pid "$id")" || return 1
  if pid_is_node "$pid" "$id"; then
    if [[ "$(proc_state "$pid")" == "Z" ]]; then
      return 1
    fi
    echo "$pid"
    return 0
  fi
  if [[ -d "/proc/$pid" ]]; then
    echo "$ME: warning: pid $pid in $(pid_file "$id") is not node $id of $ROOT; not touching it, dropping the pid file" >&2
  fi
  rm -f "$(pid_file "$id")"
  return 1
}

health() { # prints the /health body, fails if no 200 within 2 s
  local hp
  hp="$(node_http "$1")"
  [[ -n "$hp" ]] || return 1
  is_loopback "${hp%:*}" || return 1
  curl -fsS --max-time 2 "http://$hp/health" 2>/dev/null
}

port_busy() { # host:port -> true if something accepts connections there
  local host="${1%:*}" port="${1##*:}"
  is_loopback "$host" || return 1
  [[ "$host" == localhost ]] && host=127.0.0.1
  timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
}

# ----------------------------------------------------------------- build ---

jar_stale() {
  [[ -f "$JAR" ]] || return 0
  [[ -n "$(find pom.xml src -newer "$JAR" -print -quit 2>/dev/null)" ]]
}

build() {
  log "building $JAR (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
  [[ -f "$JAR" ]] || die "build finished but $JAR is missing"
}

any_running() {
  local id
  for id in $(node_ids); do
    live_pid "$id" >/dev/null && return 0
  done
  return 1
}

# --------------------------------------------------------- start / stop ---

# Launch node <id> in the background; does not wait for health.
launch() {
  local id="$1" pid hp remote
  if pid="$(live_pid "$id")"; then
    log "$id already running (pid $pid)"
    return 0
  fi
  hp="$(node_http "$id")"
  remote="$(node_remote "$id")"
  [[ -n "$hp" ]] || die "no http address for $id in $CONFIG"
  is_loopback "${hp%:*}" || die "$id: http address $hp is not a loopback address; this script only runs local clusters"
  local addr
  local -a addrs=("$hp")
  [[ -n "$remote" ]] && addrs+=("$remote")
  for addr in "${addrs[@]}"; do
    if port_busy "$addr"; then
      die "$id: $addr is already in use by another process (another cluster running? see 'ss -ltnp')"
    fi
  done

  mkdir -p "$PID_DIR" "$LOG_DIR" "$DATA_ROOT/$id"
  local -a cmd
  if [[ -n "$NODE_CMD" ]]; then
    read -r -a cmd <<<"$NODE_CMD"
  else
    [[ -f "$JAR" ]] || die "$JAR not found: run '$ME up' (builds it) or 'make build'"
    local -a jopts=()
    [[ -n "$JAVA_OPTS" ]] && read -r -a jopts <<<"$JAVA_OPTS"
    add_class_archive_opt jopts "$JAR"
    cmd=(java "${jopts[@]}" -jar "$JAR")
  fi
  cmd+=(--id "$id" --config "$CONFIG" --data-dir "$DATA_ROOT/$id")

  local lf
  lf="$(log_file "$id")"
  printf '\n===== %s starting %s: %s\n' "$(date '+%F %T')" "$id" "${cmd[*]}" >>"$lf"
  # setsid: own session, so a Ctrl-C in this terminal does not reach the node.
  # In a non-interactive shell the child is no group leader, so setsid execs
  # in place and $! is the node's pid.
  setsid "${cmd[@]}" >>"$lf" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$(pid_file "$id")"
  # Until the forked shell has exec'd the node, /proc/<pid>/cmdline is still
  # this script's: wait for the node's own command line (or for its death).
  local i
  for ((i = 0; i < 100; i++)); do
    pid_is_node "$pid" "$id" && break
    [[ -d "/proc/$pid" ]] || break
    sleep 0.05
  done
  log "$id started (pid $pid), log $lf"
}

# Wait until every given node answers /health; fail with the log tail otherwise.
wait_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) id pid
  local -a pending=("$@")
  while ((${#pending[@]})); do
    local -a still=()
    for id in "${pending[@]}"; do
      pid="$(recorded_pid "$id" || true)"
      if [[ -z "$pid" ]] || ! pid_is_node "$pid" "$id" || [[ "$(proc_state "$pid")" == Z ]]; then
        echo "$ME: node $id exited during startup. Last lines of $(log_file "$id"):" >&2
        tail -n 30 "$(log_file "$id")" >&2 || true
        rm -f "$(pid_file "$id")"
        return 1
      fi
      if health "$id" >/dev/null; then
        log "$id healthy at $(url_of "$id")"
      else
        still+=("$id")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]})) || break
    if ((SECONDS >= deadline)); then
      for id in "${pending[@]}"; do
        echo "$ME: node $id did not answer $(url_of "$id")/health within ${HEALTH_TIMEOUT}s. Last lines of $(log_file "$id"):" >&2
        tail -n 30 "$(log_file "$id")" >&2 || true
      done
      echo "$ME: the process(es) are left running for inspection; '$ME down' stops them" >&2
      return 1
    fi
    sleep 0.5
  done
}

# Send <sig> to node <id> if it is running; echo the pid signalled.
signal_node() {
  local sig="$1" id="$2" pid
  pid="$(live_pid "$id")" || return 1
  kill "-$sig" "$pid"
  echo "$pid"
}

# Graceful stop of several nodes: SIGTERM all, wait, SIGKILL stragglers.
stop_nodes() {
  local id pid
  local -a ids=() pids=()
  for id in "$@"; do
    if pid="$(live_pid "$id")"; then
      kill -TERM "$pid"
      # a paused (SIGSTOPped) JVM only sees SIGTERM once it is continued
      if [[ "$(proc_state "$pid")" == T ]]; then kill -CONT "$pid" 2>/dev/null || true; fi
      log "$id: SIGTERM sent (pid $pid)"
      ids+=("$id"); pids+=("$pid")
    else
      log "$id: not running"
      rm -f "$(pid_file "$id")"
    fi
  done
  local deadline=$((SECONDS + STOP_TIMEOUT)) i alive
  while :; do
    alive=0
    for i in "${!pids[@]}"; do
      [[ -n "${pids[$i]}" ]] || continue
      if pid_is_node "${pids[$i]}" "${ids[$i]}" && [[ "$(proc_state "${pids[$i]}")" != Z ]]; then
        alive=1
      else
        log "${ids[$i]}: stopped"
        rm -f "$(pid_file "${ids[$i]}")"
        pids[i]=""
      fi
    done
    ((alive)) || break
    if ((SECONDS >= deadline)); then
      for i in "${!pids[@]}"; do
        [[ -n "${pids[$i]}" ]] || continue
        if pid_is_node "${pids[$i]}" "${ids[$i]}"; then
          echo "$ME: ${ids[$i]} (pid ${pids[$i]}) still alive after ${STOP_TIMEOUT}s: SIGKILL" >&2
          kill -KILL "${pids[$i]}" 2>/dev/null || true
        fi
        rm -f "$(pid_file "${ids[$i]}")"
      done
      break
    fi
    sleep 0.2
  done
}

# --------------------------------------------------------------- commands ---

cmd_up() {
  local force_build=0
  while (($#)); do
    case "$1" in
      --build) force_build=1 ;;
      *) usage >&2; exit 2 ;;
    esac
    shift
  done
  local -a ids
  mapfile -t ids < <(node_ids)
  ((${#ids[@]})) || die "no node ids found in $CONFIG"
  if [[ -z "$NODE_CMD" ]]; then
    if ((force_build)) || jar_stale; then
      if any_running; then
        ((force_build)) && die "nodes are running from $JAR; run '$ME down' before rebuilding"
        echo "$ME: warning: $JAR is older than the sources, but nodes are running from it; not rebuilding ('$ME down' first)" >&2
      else
        build
      fi
    fi
  fi
  local id
  local -a started=()
  for id in "${ids[@]}"; do
    launch "$id"
    started+=("$id")
  done
  log "waiting up to ${HEALTH_TIMEOUT}s for /health"
  wait_healthy "${started[@]}" || exit 1
  echo
  echo "Cluster is up ($CONFIG):"
  for id in "${ids[@]}"; do
    printf '  %-6s %-24s log: %s\n' "$id" "$(url_of "$id")" "$(log_file "$id")"
  done
  echo
  echo "Status: $ME status    Follow a log: $ME logs <id>    Stop: $ME down"
}

cmd_down() {
  local -a ids
  mapfile -t ids < <(node_ids)
  stop_nodes "${ids[@]}"
}

cmd_start() {
  require_id "${1:-}"
  if [[ -z "$NODE_CMD" ]] && [[ -f "$JAR" ]] && jar_stale; then
    echo "$ME: warning: $JAR is older than the sources (rebuild with '$ME down && $ME up --build')" >&2
  fi
  launch "$1"
  wait_healthy "$1" || exit 1
}

cmd_stop() { require_id "${1:-}"; stop_nodes "$1"; }

cmd_kill() {
  require_id "${1:-}"
  local pid
  pid="$(signal_node KILL "$1")" || { log "$1: not running"; return 0; }
  log "$1: SIGKILL sent (pid $pid)"
  local i
  for ((i = 0; i < 50; i++)); do
    if ! pid_is_node "$pid" "$1" || [[ "$(proc_state "$pid")" == Z ]]; then break; fi
    sleep 0.1
  done
  rm -f "$(pid_file "$1")"
}

cmd_restart() {
  require_id "${1:-}"
  stop_nodes "$1"
  cmd_start "$1"
}

cmd_pause() {
  require_id "${1:-}"
  local pid
  pid="$(signal_node STOP "$1")" || die "$1 is not running"
  local i
  for ((i = 0; i < 20; i++)); do
    [[ "$(proc_state "$pid")" == T ]] && break
    sleep 0.05
  done
  log "$1: paused (SIGSTOP, pid $pid); '$ME resume $1' continues it"
}

cmd_resume() {
  require_id "${1:-}"
  local pid
  pid="$(signal_node CONT "$1")" || die "$1 is not running"
  log "$1: resumed (SIGCONT, pid $pid)"
}

cmd_status() {
  local id pid state answer url
  printf '%-6s %-8s %-7s %-24s %s\n' ID PID STATE HTTP HEALTH
  for id in $(node_ids); do
    url="$(url_of "$id")"
    if pid="$(live_pid "$id" 2>/dev/null)"; then
      if [[ "$(proc_state "$pid")" == T ]]; then
        state=paused; answer="- (paused)"
      else
        state=alive
        answer="$(health "$id" | tr -d '\n' | cut -c1-60)" || true
        [[ -n "$answer" ]] || answer="no answer"
      fi
    else
      pid="-"; state=down
      answer="$(health "$id" | tr -d '\n' | cut -c1-60)" || true
      if [[ -n "$answer" ]]; then
        answer="$answer (NOT started by this script!)"
      else
        answer="-"
      fi
    fi
    printf '%-6s %-8s %-7s %-24s %s\n' "$id" "$pid" "$state" "$url" "$answer"
  done
}

cmd_logs() {
  require_id "${1:-}"
  local lf
  lf="$(log_file "$1")"
  [[ -f "$lf" ]] || die "no log yet at $lf"
  exec tail -n 50 -F "$lf"
}

cmd_wipe() {
  local yes=0
  case "${1:-}" in
    -y|--yes) yes=1 ;;
    "") ;;
    *) usage >&2; exit 2 ;;
  esac
  if ((!yes)); then
    [[ -t 0 ]] || die "wipe deletes $DATA_ROOT/ and $RUN_DIR/; not a terminal, pass -y to confirm"
    local answer
    local d r
    d="$DATA_ROOT"; [[ "$d" == /* ]] || d="$ROOT/$d"
    r="$RUN_DIR"; [[ "$r" == /* ]] || r="$ROOT/$r"
    read -r -p "Stop all nodes and delete $d and $r? [y/N] " answer
    [[ "$answer" == y || "$answer" == Y || "$answer" == yes ]] || { echo "aborted"; exit 1; }
  fi
  [[ -f "$CONFIG" ]] && cmd_down
  rm -rf -- "${DATA_ROOT:?}" "${RUN_DIR:?}"
  log "removed $DATA_ROOT/ and $RUN_DIR/"
}

main() {
  local command="${1:-}"
  (($#)) && shift
  case "$command" in
    up|down|start|stop|kill|restart|pause|resume|status|logs) need_config ;;
  esac
  case "$command" in
    up) cmd_up "$@" ;;
    down) cmd_down ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    kill) cmd_kill "$@" ;;
    restart) cmd_restart "$@" ;;
    pause) cmd_pause "$@" ;;
    resume) cmd_resume "$@" ;;
    status) cmd_status ;;
    logs) cmd_logs "$@" ;;
    wipe) cmd_wipe "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
