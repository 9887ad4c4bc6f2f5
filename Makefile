# The two commands a newcomer needs:
#   make lab   - set everything up, start JupyterLab with AutoFlow Lab over examples/
#   make test  - set everything up, lint, and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json
PYTEST_ARGS ?=

.PHONY: lab test bench bench-scheduling bench-workflows bench-data-trigger bench-dask lint format pytest install frontend system-deps clean

# `make lab FLOWAPI=standin` also serves a FlowAPI stand-in that a data-trigger
# schedule of the FlowKit example checks every minute (see the README).
# `make lab DASK=local` executes runs on a local Dask cluster of two workers.
FLOWAPI ?=
DASK ?=
LAB_ARGS := $(if $(SUDO),,--allow-root) \
	$(if $(filter local,$(DASK)),--AutoflowApp.executor_class=autoflow_lab.execution.DaskExecutor)
lab: install frontend system-deps
ifeq ($(FLOWAPI),standin)
	scripts/lab-with-flowapi.sh $(LAB_ARGS)
else
	$(BIN)/jupyter lab --ServerApp.root_dir=examples $(LAB_ARGS)
endif

# Tests on servers and kernels run three at a time (pytest-xdist: they mostly wait
# on kernels and servers, two at a time kept 1.2 of 2 cores busy); browser tests,
# which each drive a JupyterLab and a Chromium, two at a time after them, each
# pytest worker with a JupyterLab of its own. Exit status 5 is pytest's "no tests
# selected" (PYTEST_ARGS may select none of one kind).
test: install frontend system-deps lint
	npm run test:unit
	$(BIN)/python -m pytest -n 3 -m "not browser" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/python -m pytest -n 2 -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]

# Performance figures for the README (real servers and kernels; about 90 s).
bench: install
	$(BIN)/python benchmarks/run_engine.py
bench-scheduling: install ; $(BIN)/python benchmarks/scheduling.py
bench-workflows: install
	$(BIN)/python benchmarks/workflows.py
	$(BIN)/python benchmarks/reports.py
bench-data-trigger: install ; $(BIN)/python benchmarks/data_trigger.py
bench-dask: install ; $(BIN)/python benchmarks/dask_executor.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm run lint:check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	npm run lint

install: $(VENV)/.installed

# A virtualenv with the project installed in editable mode (which builds the
# frontend) and its labextension linked into the environment.
$(VENV)/.installed: pyproject.toml package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	npm ci --no-audit --no-fund
	$(BIN)/pip install --quiet -e ".[test,dev]"
	$(BIN)/jupyter-builder develop --overwrite .
	touch $@

# Rebuild the labextension when the frontend sources change.
frontend: autoflow_lab/labextension/package.json
autoflow_lab/labextension/package.json: $(FRONTEND_SOURCES) $(VENV)/.installed
	PATH="$(abspath $(BIN)):$$PATH" npm run build
	touch $@

# Browser tests and PDF reports drive Debian's Chromium, never a downloaded browser;
# reports load MathJax from Debian's local copy, never a CDN; the PostgreSQL tests start
# throwaway clusters of Debian's PostgreSQL server (they need none of its services).
system-deps:
	@{ command -v chromium >/dev/null && [ -f /usr/share/javascript/mathjax/MathJax.js ] && \
		ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium libjs-mathjax \
			postgresql; }

clean:
	rm -rf $(VENV) node_modules lib autoflow_lab/labextension autoflow_lab/_version.py \
		tsconfig.tsbuildinfo .eslintcache tests/artifacts
