# Gatehouse — `make` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | sha1sum | cut -c1-12)
REDOCLY := node_modules/.bin/redocly
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test test-fast generate sdk lint bench migrate clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-* && touch $@

venv: $(STAMP)

run: $(STAMP) $(NODE_STAMP) sdk ## Serve the API on http://$(HOST):$(PORT) (SQLite under var/, migrations applied; SDKs built once for /docs/downloads)
	$(BIN)/gatehouse serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(NODE_STAMP) ## Run every test (unit, integration on SQLite and PostgreSQL, contract)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

generate: $(STAMP) $(NODE_STAMP) ## Bundle the spec and regenerate generated/ from openapi/
	$(BIN)/python -m scripts.generate

sdk: $(STAMP) $(NODE_STAMP) ## Generate the Python, TypeScript, PHP and Ruby SDKs and the Postman collection into sdk/generated/
	$(BIN)/python -m scripts.sdk

lint: $(STAMP) $(NODE_STAMP) ## Lint the spec (openapi-spec-validator, Redocly) and the code (ruff)
	$(BIN)/python -m scripts.lint_spec
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP) ## Benchmark Gatehouse against a FastAPI peer and a bare ASGI ceiling
	$(BIN)/python -m scripts.bench.run

migrate: $(STAMP) ## Apply database migrations to DATABASE_URL (default var/gatehouse.db)
	$(BIN)/gatehouse migrate

clean: ## Remove the virtualenv, node_modules and var/
	rm -rf $(VENV) node_modules var
