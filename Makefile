# hireproof — every target sets itself up: a fresh machine needs only `make run` or `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt typecheck contracts pytest bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP) ## Show the built-in playbook and score the bundled example answer sheets
	$(BIN)/hireproof playbook show data-scientist-mid
	@for f in hireproof/core/playbook/builtin/examples/*.json; do \
		echo; echo "== $$f"; $(BIN)/hireproof score --playbook data-scientist-mid --answers $$f || exit 1; \
	done

test: lint typecheck contracts pytest ## Run every check: lint, types, import contract, tests with coverage

lint: $(STAMP) ## Lint and check formatting (ruff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## Format the code and apply safe lint fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy --strict on the core
	$(BIN)/mypy --strict

contracts: $(STAMP) ## The core imports neither Django nor any app
	$(BIN)/lint-imports

pytest: $(STAMP) ## Unit, web and CLI tests, branch coverage of the core at 100%
	$(BIN)/pytest --cov --cov-report=term

bench: $(STAMP) ## Print the performance figures
	$(BIN)/python bench/score.py

clean: ## Remove the virtual environment and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .coverage htmlcov
