#!/usr/bin/env bash
# Static validation of the container files, for machines without a Docker engine:
#   1. docker-compose.yml: `docker-compose config -q` (Debian's docker-compose
#      package; installed with apt-get when missing and we are root), or
#      `docker compose config -q` when the compose v2 plugin is present.
#   2. Dockerfile: hadolint when installed; otherwise a grep-based sanity check
#      (multi-stage, runs as non-root, exec-form ENTRYPOINT, ...), said so.
#   3. Cross-checks: the compose services, nodes.docker.conf and the Dockerfile
#      agree (ids, ports, config path).
# Exits non-zero on any real problem. Nothing is built or run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
COMPOSE_FILE=docker-compose.yml
DOCKERFILE=Dockerfile
NODES=nodes.docker.conf
problems=0
problem() { echo "PROBLEM: $*" >&2; problems=$((problems + 1)); }
info() { echo "--- $*"; }

for f in "$COMPOSE_FILE" "$DOCKERFILE" "$NODES"; do
  [[ -f "$f" ]] || { echo "PROBLEM: $f missing" >&2; exit 1; }
done

# ---------------------------------------------------------------- compose ---
compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  info "docker-compose not found: installing Debian's docker-compose package"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 \
     || { apt-get update -qq >/dev/null 2>&1 \
          && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1; }; then
    compose=(docker-compose)
  fi
fi
if ((${#compose[@]})); then
  info "compose: ${compose[*]} -f $COMPOSE_FILE config -q"
  if "${compose[@]}" -f "$COMPOSE_FILE" config -q; then
    echo "ok: $COMPOSE_FILE is valid for ${compose[*]}"
  else
    problem "$COMPOSE_FILE rejected by ${compose[*]} config"
  fi
else
  problem "neither 'docker compose' nor 'docker-compose' available (and could not install it): compose file NOT validated"
fi

# ------------------------------------------------------------- Dockerfile ---
if command -v hadolint >/dev/null 2>&1; then
  info "hadolint $DOCKERFILE"
  if hadolint "$DOCKERFILE"; then echo "ok: hadolint"; else problem "hadolint findings in $DOCKERFILE"; fi
else
  info "hadolint not installed (not packaged by Debian): grep-based Dockerfile sanity check instead"
fi
# Instructions only (drop comments and blank lines).
df="$(grep -v '^[[:space:]]*#' "$DOCKERFILE" | grep -v '^[[:space:]]*$')"
nfrom="$(grep -ci '^FROM ' <<<"$df" || true)"
((nfrom >= 2)) || problem "$DOCKERFILE is not multi-stage ($nfrom FROM lines)"
grep -qiE '^FROM .+ AS [a-z0-9_-]+' <<<"$df" || problem "$DOCKERFILE: build stage is not named (FROM ... AS name)"
grep -qiE '^COPY --from=' <<<"$df" || problem "$DOCKERFILE: final stage copies nothing from the build stage"
# the last stage must switch to a non-root user
last_stage="$(awk 'toupper($1) == "FROM" { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' <<<"$df" || true)"
last_user="$(grep -iE '^USER ' <<<"$last_stage" | tail -n 1 | awk '{print $2}' || true)"
if [[ -z "$last_user" ]]; then
  problem "$DOCKERFILE: final stage has no USER (runs as root)"
elif [[ "$last_user" == root || "$last_user" == 0 || "$last_user" == 0:* || "$last_user" == root:* ]]; then
  problem "$DOCKERFILE: final stage runs as root (USER $last_user)"
fi
grep -qiE '^ENTRYPOINT \[' <<<"$last_stage" || problem "$DOCKERFILE: ENTRYPOINT is not in exec form (java would not be PID 1 / get SIGTERM)"
grep -qiE '^FROM eclipse-temurin:17-jre' <<<"$last_stage" || problem "$DOCKERFILE: runtime stage is not eclipse-temurin:17-jre"
grep -qiE '^VOLUME .*/data' <<<"$last_stage" || problem "$DOCKERFILE: no VOLUME /data"
# dependency layer before sources, for caching
go_offline="$(grep -niE 'dependency:go-offline' <<<"$df" | head -n 1 | cut -d: -f1 || true)"
copy_src="$(grep -niE '^COPY +src' <<<"$df" | head -n 1 | cut -d: -f1 || true)"
if [[ -z "$go_offline" || -z "$copy_src" || "$go_offline" -gt "$copy_src" ]]; then
  problem "$DOCKERFILE: 'mvn dependency:go-offline' should run before 'COPY src' (layer caching)"
fi
grep -qE 'apt-get install' <<<"$df" && ! grep -qE 'rm -rf /var/lib/apt/lists' <<<"$df" \
  && problem "$DOCKERFILE: apt-get install without cleaning /var/lib/apt/lists"
grep -qiE '^ADD ' <<<"$df" && problem "$DOCKERFILE: use COPY instead of ADD"
grep -qiE '^FROM [^ ]+:latest' <<<"$df" && problem "$DOCKERFILE: base image pinned to :latest"
echo "ok: Dockerfile sanity checks done"

# ------------------------------------------------------------ cross-check ---
info "cross-checking $COMPOSE_FILE, $NODES and $DOCKERFILE"
grep -qiE '^COPY --from=.*nodes' <<<"$df" \
  || problem "$DOCKERFILE does not copy nodes*.conf into the image (compose passes --config /app/$NODES)"
mapfile -t ids < <(grep -o 'id *= *"[^"]*"' "$NODES" | sed 's/.*"\(.*\)"/\1/')
((${#ids[@]})) || problem "$NODES lists no node ids"
for id in "${ids[@]}"; do
  line="$(grep "id *= *\"$id\"" "$NODES" || true)"
  http="$(grep -o 'http *= *"[^"]*"' <<<"$line" | sed 's/.*"\(.*\)"/\1/' || true)"
  remote="$(grep -o 'remote *= *"[^"]*"' <<<"$line" | sed 's/.*"\(.*\)"/\1/' || true)"
  [[ "${http%%:*}" == "$id" ]] || problem "$NODES: $id http host is '${http%%:*}', expected the service name '$id'"
  [[ "${remote%%:*}" == "$id" ]] || problem "$NODES: $id remote host is '${remote%%:*}', expected the service name '$id'"
  port="${http##*:}"
  grep -qE "^  $id:" "$COMPOSE_FILE" || { problem "$COMPOSE_FILE has no service '$id'"; continue; }
  # the service block: from "  <id>:" to the next top-level-in-services key
  block="$(awk -v s="  $id:" '$0 == s { on = 1; next } on && /^  [a-z0-9_-]+:/ { on = 0 } on && /^[a-z]/ { on = 0 } on' "$COMPOSE_FILE")"
  grep -q "\"--id\", \"$id\"" <<<"$block" || problem "$COMPOSE_FILE: service $id is not started with --id $id"
  grep -q "/app/$NODES" <<<"$block" || problem "$COMPOSE_FILE: service $id does not use /app/$NODES"
  grep -q "0.0.0.0:$port\"" <<<"$block" || problem "$COMPOSE_FILE: service $id does not --listen on 0.0.0.0:$port"
  grep -qE "\"?([0-9.]+:)?$port:$port\"?" <<<"$block" || problem "$COMPOSE_FILE: service $id does not publish port $port"
  grep -q "$id-data:/data" <<<"$block" || problem "$COMPOSE_FILE: service $id has no $id-data volume on /data"
  grep -q "127.0.0.1:$port/health" <<<"$block" || problem "$COMPOSE_FILE: service $id healthcheck does not probe its own port $port"
done

if ((problems)); then
  echo "validate-containers: $problems problem(s)" >&2
  exit 1
fi
echo "validate-containers: ok (static checks only; nothing was built or run)"
