#!/usr/bin/env bash
# The fault-injection suite: real node processes, real faults, a checker that proves nothing
# acknowledged was lost. Wraps io.minidynamo.faults.FaultRunner (see docs/faults.md).
#
#   scripts/faults.sh                        # short mode (~1 min), random seed (printed)
#   scripts/faults.sh --mode short --seed 42 # replay a seed's schedule
#   scripts/faults.sh --mode long            # 10 minutes, every fault kind incl. kill-all
#   scripts/faults.sh --mode selftest --setting mini-dynamo.test.unsafe-skip-persist=on
#                                            # must FAIL: proves the checker catches lost writes
#
# Every option is passed to FaultRunner (--help lists them). Run as root for network namespaces
# and real partitions; otherwise it runs on loopback with process faults only and says so.
# Output (history.json, report.html, node logs and data) goes to --out, by default
# faults-out/<mode>-<seed>/. Exit status: 0 all checks passed, 1 a check failed, 2 bad usage,
# 3 the run itself broke.
#
# Environment: JAR (default target/mini-dynamo.jar; built with mvn if missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
JAR="${JAR:-target/mini-dynamo.jar}"

if [[ ! -f "$JAR" ]]; then
  echo "==> $JAR missing: building it (mvn -B -q package -DskipTests)"
  mvn -B -q package -DskipTests
  [[ -f "$JAR" ]] || { echo "scripts/faults.sh: build finished but $JAR is missing" >&2; exit 3; }
fi

# exec: the runner gets this script's signals directly (its shutdown hooks clean up)
exec java -cp "$JAR" io.minidynamo.faults.FaultRunner "$@"
