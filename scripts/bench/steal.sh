# Sourced by the bench scripts: the share of the machine's CPU time that the hypervisor gave to
# other guests ("steal") while a load ran. On a shared virtual machine this is what makes runs of
# one build differ: at 25 % steal, 2 vCPUs are 1.5. Figures from runs with high steal are slower.
#
# cpu_times: the aggregate "cpu" line of /proc/stat as "total steal" (clock ticks since boot)
cpu_times() {
  awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9; exit }' /proc/stat
}

# steal_pct "BEFORE" "AFTER": steal in percent of all CPU time between two cpu_times samples
steal_pct() {
  local t0 s0 t1 s1
  read -r t0 s0 <<<"$1"
  read -r t1 s1 <<<"$2"
  awk -v dt=$((t1 - t0)) -v ds=$((s1 - s0)) 'BEGIN { printf "%.1f", (dt > 0 ? 100 * ds / dt : 0) }'
}
