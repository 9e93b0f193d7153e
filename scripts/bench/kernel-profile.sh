#!/usr/bin/env bash
# Where the whole machine's CPU goes while a load runs, kernel included: a system-wide `perf
# record` (software cpu-clock, call graphs) for SECONDS, then the share of samples
#   - per thread name (15 characters, as the kernel keeps them: "mini-dynamo-pek" is all the
#     nodes' Pekko threads (dispatchers, Artery, the IO selector), "mini-dynamo-jou" their
#     journal writers),
#   - in the kernel and in user space,
#   - under the kernel entry points a request's work goes through (inclusive: a TCP send on
#     loopback includes the receiver's softirq and wake-up).
#
#   scripts/bench/kernel-profile.sh SECONDS [OUT.data]     (start the load first)
#   scripts/bench/kernel-profile.sh --report OUT.data       (the same summary of an earlier record)
#
# Needs `perf` (Debian: linux-perf) and root. async-profiler's itimer mode shows no kernel frames;
# this does. In a virtual machine, samples taken while interrupts were off land where they are
# switched back on (finish_task_switch, _raw_spin_unlock_irqrestore), so read those as "around a
# context switch or a wake-up", not as the functions' own cost.
set -euo pipefail

command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
if [[ "${1:-}" == --report ]]; then
  OUT="${2:?usage: $0 --report OUT.data}"
else
  SECONDS_TO_RECORD="${1:?usage: $0 SECONDS [OUT.data] | --report OUT.data}"
  OUT="${2:-$(mktemp /tmp/kernel-profile.XXXXXX.data)}"
  perf record -q -a -g -e cpu-clock -F 499 -o "$OUT" -- sleep "$SECONDS_TO_RECORD" 2>/dev/null
fi

report() { perf report -i "$OUT" --stdio -g none "$@" 2>/dev/null | grep -v '^#' | grep -v '^$'; }

echo "== samples by thread name"
report --no-children --sort comm | head -12
echo "== kernel vs user"
report --no-children --sort dso | awk '
  { share = $1; sub(/%/, "", share) }
  /\[kernel/ { k += share; next }
  { u += share }
  END { printf "kernel %.1f %%   user %.1f %%\n", k, u }'
echo "== kernel entry points (inclusive)"
report --children --sort sym | awk '
  BEGIN {
    split("__x64_sys_futex __x64_sys_fdatasync __x64_sys_fsync ksys_write do_writev ksys_read " \
          "__x64_sys_epoll_wait __x64_sys_epoll_ctl __x64_sys_poll __x64_sys_ppoll tcp_sendmsg " \
          "tcp_recvmsg handle_softirqs finish_task_switch.isra.0 eventfd_write pipe_write " \
          "iowrite16 do_idle", names, " ")
    for (i in names) wanted[names[i]] = 1
  }
  $4 in wanted { printf "%8s  %s\n", $1, $4 }'
echo "(perf data: $OUT)"
