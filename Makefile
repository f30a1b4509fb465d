# The two commands of the README: `make demo` (install and run the product) and `make test` (the suite).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: demo test bench-webhook lint

# The same commands as the README's first lines (and .ci/run's test line).
demo:
	$(PYTHON) -m venv $(VENV) && $(PY) -m pip install -q . && $(VENV)/bin/linecomm demo

test:
	$(PYTHON) -m venv $(VENV) && $(PY) -m pip install -q -e '.[test]' && scripts/ensure-chromium && $(PY) -m pytest

lint:
	$(VENV)/bin/ruff check linecomm tests bench
