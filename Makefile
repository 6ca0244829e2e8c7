# The two commands of the README: `make run` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
VENDOR := src/linli/web/static/vendor/htmx.min.js
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup vendor lint typecheck docs browser-deps postgres bench clean

run: setup vendor
	@if [ ! -f linli.db ]; then \
		echo "New database: loading the demo (思明区 › 开元街道 › 阳台山社区)…"; \
		$(BIN)/linli demo; \
	else \
		echo "Using the existing ./linli.db (delete it to rebuild the demo)."; \
		$(BIN)/linli db upgrade; \
		cat docs/demo-accounts.txt; \
	fi
	PORT=$(PORT) $(BIN)/linli serve --port $(PORT)

test: setup vendor browser-deps postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/cli_docs.py --check
	CI=$${CI:-} $(BIN)/pytest -q -n 2 -p no:cacheprovider

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

vendor: $(VENDOR)

$(VENDOR): package.json
	npm install --no-audit --no-fund --loglevel=error
	bash scripts/vendor.sh
	@touch $@

# Debian's chromium and the CJK fonts for the browser tests (never `playwright install`).
browser-deps:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		echo "Installing Debian's chromium and fonts-noto-cjk…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# PostgreSQL on 127.0.0.1:5432; the tests create and drop their own database.
postgres:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		echo "Starting PostgreSQL…"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true; \
		for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	fi

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

docs: setup
	$(BIN)/python scripts/cli_docs.py

bench: setup
	$(BIN)/python bench/registry.py --db sqlite

clean:
	rm -rf $(VENV) node_modules src/linli/web/static/vendor .pytest_cache
