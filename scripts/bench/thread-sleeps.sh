#!/usr/bin/env bash
# Per-thread sleeps, preemptions, CPU and run-queue waits of a running local cluster's nodes,
# per request.
#
#   scripts/bench/thread-sleeps.sh snapshot > before    (nodes from $RUN_DIR/pids, default run/)
#   ... load, e.g. wrk ...
#   scripts/bench/thread-sleeps.sh snapshot > after
#   scripts/bench/thread-sleeps.sh diff before after REQUESTS
#
# A snapshot line is "node tid voluntary nonvoluntary cpu_ticks runq_wait_ns name", from
# /proc/<pid>/task/<tid>/{status,stat,schedstat} with the thread's full name from
# `jcmd <pid> Thread.print` (/proc truncates names to 15 characters). diff prints, per thread
# present in both, the voluntary context switches (sleeps), involuntary ones (preemptions), CPU µs
# and µs spent runnable but waiting for a CPU (schedstat's second field; 0 where the kernel keeps
# no schedstats), per request.
set -euo pipefail

RUN_DIR="${RUN_DIR:-run}"

snapshot() {
  local pidf node pid task hex name tid counts stat runq
  local -A name_of
  for pidf in "$RUN_DIR"/pids/*.pid; do
    node="$(basename "$pidf" .pid)"
    pid="$(cat "$pidf")"
    name_of=()
    # "nid=0x1a2b" in a thread dump is the thread's tid
    while read -r hex name; do
      [ -n "$hex" ] && name_of[$((16#$hex))]="$name"
    done < <(jcmd "$pid" Thread.print 2>/dev/null \
      | sed -nE 's/^"([^"]*)".* nid=0x([0-9a-f]+).*/\2 \1/p')
    for task in /proc/"$pid"/task/*; do
      tid="${task##*/}"
      counts="$(awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 }
        END { print v, n }' "$task/status" 2>/dev/null)" || continue
      stat="$(cat "$task/stat" 2>/dev/null)" || continue
      # fields after "pid (comm) ", which may hold spaces: utime and stime are the 12th and 13th
      read -r -a stat <<<"${stat##*) }"
      # schedstat: ns on a CPU, ns runnable waiting for one, time slices
      read -r _ runq _ 2>/dev/null <"$task/schedstat" || runq=0
      echo "$node $tid $counts $((stat[11] + stat[12])) ${runq:-0}" \
        "${name_of[$tid]:-$(cat "$task/comm" 2>/dev/null)}"
    done
  done
}

diff_snapshots() {
  python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'EOF'
import sys
before_path, after_path, requests, hz = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
def load(path):
    rows = {}
    for line in open(path):
        node, tid, vol, invol, ticks, wait, name = line.rstrip("\n").split(" ", 6)
        rows[(node, tid)] = (name, int(vol), int(invol), int(ticks), int(wait))
    return rows
before, after = load(before_path), load(after_path)
out = []
for key, (name, vol, invol, ticks, wait) in after.items():
    if key in before:
        _, v0, i0, t0, w0 = before[key]
        out.append((key[0], name, (vol - v0) / requests, (invol - i0) / requests,
                    (ticks - t0) * 1e6 / hz / requests, (wait - w0) / 1e3 / requests))
row = "%-4s %-56s %10.3f %12.3f %10.1f %14.1f"
print("%-4s %-56s %10s %12s %10s %14s" % ("node", "thread", "sleeps/op", "preempts/op", "cpu_us/op",
                                           "runq_wait_us/op"))
for r in sorted(out, key=lambda r: -r[2]):
    if r[2] >= 0.005 or r[4] >= 0.5:
        print(row % (r[0], r[1][:56], r[2], r[3], r[4], r[5]))
print(row % ("all", "", *(sum(r[i] for r in out) for i in range(2, 6))))
EOF
}

case "${1:-}" in
  snapshot) snapshot ;;
  diff) [ $# -eq 4 ] || { echo "usage: $0 diff BEFORE AFTER REQUESTS" >&2; exit 2; }
        diff_snapshots "$2" "$3" "$4" ;;
  *) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
