# Relais — two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: system-deps install demo up typecheck test test-fast test-unit test-integration test-e2e docs bench bench-latency bench-load bench-replay bench-projections clean

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

typecheck: install  ## mypy on services/, shared/ and relais/, strict on domain/ and service_layer/ (pyproject.toml; cached in .mypy_cache)
	$(BIN)/mypy

test: install typecheck system-deps  ## unit, integration (real broker + SQLite, PostgreSQL when reachable) and end-to-end tests
	$(BIN)/python -m shared.contracts.docs --check
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install typecheck  ## the inner loop: unit tests and the integration tests not marked slow (a few minutes)
	$(BIN)/pytest tests/unit tests/integration -m "not slow" $(PYTEST_ARGS)

test-unit: install
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

test-integration: install
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

test-e2e: install
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

docs: install  ## regenerate docs/topics.md and docs/asyncapi.json from the event catalogue
	$(BIN)/python -m shared.contracts.docs

bench: bench-latency bench-replay bench-projections  ## the benchmarks (they print ratios measured in one run)

bench-latency: install system-deps  ## idle CPU, then intake POST -> assigned provider in the console next to the raw round trip, on Tansu and Apache Kafka
	$(BIN)/python -m bench.latency

bench-load: install system-deps  ## the 500 rps load test through intake on Apache Kafka then Tansu (SQLite, PostgreSQL), figures side by side
	RELAIS_TEST_BROKER=kafka $(BIN)/pytest tests/faults/test_load.py -q $(PYTEST_ARGS)
	RELAIS_TEST_BROKER=tansu $(BIN)/pytest tests/faults/test_load.py -q $(PYTEST_ARGS)
	$(BIN)/python -m bench.load

bench-projections: install  ## live batches: each projection's events/s with its writes grouped and one by one (SQLite, PostgreSQL)
	$(BIN)/python -m bench.projections

bench-replay: install  ## 1,000,000 events: raw broker read rate vs full rebuild of every projection, peak memory
	$(BIN)/python -m bench.replay

faults: install  ## the fault suite at the larger counts (kill -9 x100, 5,000 malformed events, 500 rps for 2 min)
	RELAIS_FAULT_SCALE=large $(BIN)/pytest tests/faults --timeout 3600 $(PYTEST_ARGS)
.PHONY: faults

clean:
	rm -rf $(VENV) data .pytest_cache
