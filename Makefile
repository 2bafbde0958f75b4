# botbridge — run `make help` for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO      ?= go
BIN     := bin/botbridge
GENERATED := $$(git ls-files -co --exclude-standard -- '*_templ.go' 'internal/db/dbsqlc/*.go' | sort)
export APP_ENV ?= development

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/botbridge
	$(GO) build -o $(BIN) ./cmd/botbridge

.PHONY: run
run: build ## prepare a database, migrate, seed demo data; serve botbridge, the Webim sandbox and the demo bot
	@set -euo pipefail; \
	url=$$(scripts/devdb.sh botbridge_dev); export DATABASE_URL="$$url"; \
	export OUTBOUND_ALLOW_LOCAL=$${OUTBOUND_ALLOW_LOCAL:-true}; \
	exec $(BIN) dev run

.PHONY: test
test: vet generate-check ## vet, check generated code, run every test against real PostgreSQL
	@bash scripts/devdb_test.sh
	@set -euo pipefail; \
	url=$$(scripts/devdb.sh botbridge_test); \
	DATABASE_URL="$$url" $(GO) test -race -count=1 -timeout 20m ./...

.PHONY: vet
vet: ## go vet
	$(GO) vet ./...

.PHONY: generate
generate: ## regenerate templ views and sqlc queries
	$(GO) tool templ generate -path web
	$(GO) tool sqlc generate

# generate-check regenerates and fails when that changed anything, so stale
# generated code never passes CI (works with uncommitted edits too).
.PHONY: generate-check
generate-check:
	@before=$$(for f in $(GENERATED); do sha1sum "$$f"; done); \
	$(MAKE) --no-print-directory generate >/dev/null 2>&1 || { $(MAKE) --no-print-directory generate; exit 1; }; \
	after=$$(for f in $(GENERATED); do sha1sum "$$f"; done); \
	if [ "$$before" != "$$after" ]; then \
	  echo "generated code was stale: 'make generate' changed:"; \
	  diff <(echo "$$before") <(echo "$$after") || true; \
	  echo "commit the regenerated files"; exit 1; \
	fi; echo "generated code is current"

.PHONY: lint
lint: vet ## vet, gofmt, staticcheck, go mod tidy check, shellcheck (when installed)
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) tool staticcheck ./...
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy'"; exit 1; }
	@if command -v shellcheck >/dev/null; then shellcheck scripts/*.sh .ci/run; else echo "shellcheck not installed: skipped"; fi

.PHONY: migrate
migrate: build ## apply pending migrations to the development database
	DATABASE_URL=$$(scripts/devdb.sh botbridge_dev) $(BIN) migrate up

.PHONY: db-reset
db-reset: build ## drop and recreate the development database, then migrate and seed
	@set -euo pipefail; url=$$(scripts/devdb.sh botbridge_dev); \
	admin=$$(echo "$$url" | sed -E 's#/botbridge_dev#/postgres#'); \
	psql "$$admin" -qc 'DROP DATABASE IF EXISTS botbridge_dev WITH (FORCE)'; \
	url=$$(scripts/devdb.sh botbridge_dev); DATABASE_URL="$$url" $(BIN) migrate up >/dev/null; \
	DATABASE_URL="$$url" $(BIN) dev seed

.PHONY: db-stop
db-stop: ## stop the private PostgreSQL cluster under .devdata (if one was started)
	scripts/devdb.sh --stop

.PHONY: bench
bench: ## benchmarks against baselines on one PostgreSQL (< 10 min); appends to bench/results.md (BENCH_ARGS=-h lists knobs)
	@set -euo pipefail; url=$$(scripts/devdb.sh postgres); \
	DATABASE_URL="$$url" $(GO) run ./cmd/bench $(BENCH_ARGS)

.PHONY: bench-quick
bench-quick: ## one-minute smoke run of the benchmarks (small sizes; prints every figure, records nothing)
	@set -euo pipefail; url=$$(scripts/devdb.sh postgres); \
	DATABASE_URL="$$url" $(GO) run ./cmd/bench -quick -results '' $(BENCH_ARGS)
