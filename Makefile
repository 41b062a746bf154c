# Relais — two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: system-deps install demo up test test-unit test-integration test-e2e docs check-docs bench clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install  ## start the broker and the four services with the demo federation (Ctrl-C stops all)
	$(BIN)/relais demo

up: install
	$(BIN)/relais up

system-deps:  ## Debian's chromium, chromium-driver and prometheus, when missing (needs root and apt-get)
	@bash deploy/scripts/system-deps.sh

test: install system-deps  ## unit, integration (real broker + SQLite, PostgreSQL when reachable) and end-to-end tests
	$(BIN)/python -m shared.contracts.docs --check
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

test-integration: install
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

test-e2e: install
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

docs: install  ## regenerate docs/topics.md and docs/asyncapi.json from the event catalogue
	$(BIN)/python -m shared.contracts.docs

bench: install
	$(BIN)/python -m bench.latency

clean:
	rm -rf $(VENV) data .pytest_cache
