# Mini Dynamo: container and local cluster shortcuts.
#   make up / ps / smoke / kill-n2 / start-n2 / logs / down   (docker compose)
#   make local-up / local-status / local-down                 (scripts/cluster.sh)
#   make build / test                                          (maven)

# `docker compose` (v2 plugin) when present, else docker-compose (v1).
COMPOSE ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; else echo docker-compose; fi)
MVN ?= mvn

.PHONY: help up down ps logs smoke kill-n2 start-n2 build test \
        local-up local-down local-status local-smoke validate

help:
	@echo "containers: make up | ps | logs | smoke | kill-n2 | start-n2 | down   (using: $(COMPOSE))"
	@echo "local:      make local-up | local-status | local-smoke | local-down"
	@echo "build/test: make build | test | validate"

# ---- containers -------------------------------------------------------------
up:
	$(COMPOSE) up -d --build

down:
	$(COMPOSE) down

ps:
	$(COMPOSE) ps

logs:
	$(COMPOSE) logs -f --tail=100

# PUT via n1 (localhost:9001), GET via n2 and n3; fails if a value differs.
smoke:
	scripts/smoke.sh

kill-n2:
	$(COMPOSE) kill n2

start-n2:
	$(COMPOSE) start n2

# static checks of Dockerfile / docker-compose.yml (no Docker engine needed)
validate:
	scripts/validate-containers.sh

# ---- maven --------------------------------------------------------------------
build:
	$(MVN) -B -q package -DskipTests

test:
	$(MVN) -B verify

# ---- local processes (no containers) -------------------------------------------
local-up:
	scripts/cluster.sh up

local-down:
	scripts/cluster.sh down

local-status:
	scripts/cluster.sh status

local-smoke:
	scripts/smoke.sh
