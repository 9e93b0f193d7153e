#!/usr/bin/env bash
# Smoke test of a running 3-node cluster (local or docker compose; both publish
# the HTTP APIs on 127.0.0.1:9001-9003): PUT a fresh value through the first
# node, GET it back through the others, fail if any answer differs.
#
#   scripts/smoke.sh                 # ports 9001 (write) 9002 9003 (read)
#   SMOKE_PORTS="19101 19102" scripts/smoke.sh
set -euo pipefail

read -r -a ports <<<"${SMOKE_PORTS:-9001 9002 9003}"
host=127.0.0.1
key="smoke-$(date +%s)-$$"
value="value-$RANDOM-$(date +%s%N)"
curl_() { curl -fsS --max-time "${SMOKE_TIMEOUT:-5}" "$@"; }

echo "PUT  http://$host:${ports[0]}/kv/$key = $value"
curl_ -X PUT --data-binary "$value" "http://$host:${ports[0]}/kv/$key" >/dev/null

fail=0
for port in "${ports[@]:1}"; do
  got="$(curl_ "http://$host:$port/kv/$key")" || { echo "FAIL GET via :$port: request failed" >&2; fail=1; continue; }
  if [[ "$got" == "$value" ]]; then
    echo "GET  http://$host:$port/kv/$key = $got  ok"
  else
    echo "FAIL GET via :$port returned '$got', expected '$value'" >&2
    fail=1
  fi
done
((fail == 0)) || exit 1
echo "smoke: ok"
