# The two commands of the README's quick start:
#   make serve   installs what is needed and runs the registry on the embedded store
#   make test    installs everything the tests need (system packages included) and runs the suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: serve test install install-test lint

$(BIN)/ia-territoires: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/ia-territoires

install-test: install
	bash scripts/setup-test-env.sh

serve: install
	$(BIN)/ia-territoires serve

test: install-test
	bash scripts/run-tests.sh

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
